//! Passwords and tokens: argon2id hashes for passwords, random tokens for sessions, API access
//! and class feeds, and SHA-256 of session tokens for storage.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

/// A secret that never shows in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Why a password was refused or could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the password must be at least {MIN_PASSWORD} characters long")]
    TooShort,
    #[error("the password is longer than {MAX_PASSWORD} characters")]
    TooLong,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 1024;

/// An argon2id PHC string for `password`.
pub fn hash_password(password: &Secret) -> Result<String, AuthError> {
    let n = password.expose().chars().count();
    if n < MIN_PASSWORD {
        return Err(AuthError::TooShort);
    }
    if n > MAX_PASSWORD {
        return Err(AuthError::TooLong);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Whether `password` matches the stored hash (false for a malformed hash).
pub fn verify_password(password: &Secret, hash: &str) -> bool {
    verify_password_in(password, hash, &mut Vec::new())
}

/// A stored hash asking for more memory than this (KiB) is refused rather than checked: no
/// row, however it got there, makes one check take more than a few times the default.
const MAX_M_COST: u32 = 4 * argon2::Params::DEFAULT_M_COST;

/// [`verify_password`] with the memory argon2 works in (about 19 MiB at the default cost)
/// kept in `memory` and reused from one check to the next, rather than allocated and freed
/// each time: the allocator gives freed blocks this big back to no one, so a thread that
/// checks once keeps them, and a check on a new thread each time took more memory each time.
pub fn verify_password_in(password: &Secret, hash: &str, memory: &mut Vec<argon2::Block>) -> bool {
    use argon2::{Algorithm, Params, Version};
    if password.expose().len() > MAX_PASSWORD * 4 {
        return false;
    }
    let mut check = || -> Option<bool> {
        let h = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(h.algorithm).ok()?;
        let version = match h.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&h).ok()?;
        if params.m_cost() > MAX_M_COST {
            return Some(false);
        }
        let expected = h.hash?;
        let mut salt = [0u8; 64];
        let salt = h.salt?.decode_b64(&mut salt).ok()?;
        let blocks = params.block_count();
        let argon = Argon2::new(algorithm, version, params);
        memory.resize(blocks, argon2::Block::default());
        let mut out = vec![0u8; expected.len()];
        argon
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                salt,
                &mut out,
                &mut memory[..],
            )
            .ok()?;
        // `Output`'s comparison takes the same time wherever the bytes differ.
        Some(argon2::password_hash::Output::new(&out).ok()? == expected)
    };
    check().unwrap_or(false)
}

/// Threads that check passwords, each with its own reused argon2 memory, so the memory all
/// checks take together is the number of threads times one check's, for as long as the
/// server runs. Started on the first check.
pub struct Checker {
    threads: usize,
    jobs: std::sync::OnceLock<std::sync::mpsc::Sender<Job>>,
}

type Job = (Secret, String, tokio::sync::oneshot::Sender<bool>);

impl Checker {
    pub fn new(threads: usize) -> Checker {
        Checker {
            threads: threads.max(1),
            jobs: std::sync::OnceLock::new(),
        }
    }

    /// Whether `password` matches `hash`, checked on one of the threads (false if they are
    /// gone). Callers bound how many wait at once.
    pub async fn check(&self, password: Secret, hash: String) -> bool {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self.sender().send((password, hash, reply)).is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    fn sender(&self) -> &std::sync::mpsc::Sender<Job> {
        self.jobs.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<Job>();
            let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
            for i in 0..self.threads {
                let rx = rx.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("password-check-{i}"))
                    .spawn(move || {
                        let mut memory = Vec::new();
                        loop {
                            // The lock is held only while waiting for a job, not checking it.
                            let job = match rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => return,
                            };
                            // Every sender is gone: the app was dropped.
                            let Ok((password, hash, reply)) = job else {
                                return;
                            };
                            let _ = reply.send(verify_password_in(&password, &hash, &mut memory));
                        }
                    });
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "cannot start a password-check thread");
                }
            }
            tx
        })
    }
}

/// A hash to verify against when the account does not exist, so that timing does not tell
/// which e-mail addresses have accounts.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_password(&Secret::new("not a real password at all")).unwrap_or_default()
    })
}

/// 32 random bytes as 64 hex characters: unguessable.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored for a session token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let h = hash_password(&Secret::new("correct horse battery")).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("correct horse"));
        assert!(verify_password(&Secret::new("correct horse battery"), &h));
        assert!(!verify_password(&Secret::new("wrong horse battery"), &h));
        assert!(!verify_password(&Secret::new("x"), "not a hash"));
        // The memory is reused from one check to the next, and a foreign hash that asks for
        // far more than ours is refused unchecked.
        let mut memory = Vec::new();
        assert!(verify_password_in(
            &Secret::new("correct horse battery"),
            &h,
            &mut memory
        ));
        assert_eq!(memory.len(), argon2::Params::DEFAULT_M_COST as usize);
        let capacity = memory.capacity();
        assert!(!verify_password_in(
            &Secret::new("wrong horse battery"),
            &h,
            &mut memory
        ));
        assert_eq!(memory.capacity(), capacity);
        let huge = h.replace("m=19456", "m=2000000");
        assert!(!verify_password_in(
            &Secret::new("correct horse battery"),
            &huge,
            &mut memory
        ));
        assert_eq!(memory.capacity(), capacity);
        assert!(matches!(
            hash_password(&Secret::new("short")),
            Err(AuthError::TooShort)
        ));
    }

    #[test]
    fn tokens_are_long_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
