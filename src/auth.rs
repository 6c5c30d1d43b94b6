//! Passwords and tokens: argon2id hashes for passwords, random tokens for sessions, API access
//! and class feeds, and SHA-256 of session tokens for storage.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
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
    if password.expose().len() > MAX_PASSWORD * 4 {
        return false;
    }
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
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
