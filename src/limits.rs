//! Limits on the work an anonymous caller can start: sign-in attempts per client network
//! ([`SignInLimits`]), and turns at the expensive work requests share ([`Turns`]: rendering
//! feeds, drawing packets).
//!
//! Password checks are the one expensive thing anyone may ask for; the account lockout bounds
//! the guesses at one account, the concurrency limit in [`crate::app::App`] the memory, and
//! this the rate from one network, so that one machine cannot keep the checks busy for
//! everyone else.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Networks remembered before the ones idle for a full period are forgotten (each entry is a
/// few dozen bytes, so this bounds the limiter to a few MB).
const MAX_TRACKED: usize = 100_000;

/// Sign-in attempts per client network: `per_minute` in a burst, refilled evenly.
pub struct SignInLimits {
    per_network: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimits {
    pub fn new(per_minute: NonZeroU32) -> SignInLimits {
        SignInLimits {
            per_network: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Counts an attempt from `client`; `Err` with how long to wait when its network has used
    /// its attempts.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        if self.per_network.len() > MAX_TRACKED {
            self.per_network.retain_recent();
        }
        self.per_network
            .check_key(&network_of(client))
            .map_err(|not_until| {
                not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
            })
    }
}

/// The network one client is taken to control: an IPv4 address, or an IPv6 /64 (what one
/// household or phone is given, and so what one attacker can cycle through for free).
pub fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// A few turns at some expensive work, shared by every request: at most `n` run at once, and
/// one that waits longer than `wait` for a turn gives up.
pub struct Turns {
    slots: tokio::sync::Semaphore,
    wait: Duration,
}

impl Turns {
    pub fn new(n: usize, wait: Duration) -> Turns {
        Turns {
            slots: tokio::sync::Semaphore::new(n),
            wait,
        }
    }

    /// A turn, held until dropped, or `None` when none came in time.
    pub async fn take(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .ok()?
            .ok()
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test(start_paused = true)]
    async fn two_turns_at_a_time_and_a_third_waits_then_gives_up() {
        let turns = super::Turns::new(2, super::Duration::from_secs(20));
        let a = turns.take().await.expect("a first turn");
        let _b = turns.take().await.expect("a second turn");
        // The clock is paused: the wait runs out at once, as it would after 20 s.
        assert!(turns.take().await.is_none());
        drop(a);
        assert!(turns.take().await.is_some());
    }

    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_network_gets_its_attempts_then_waits() {
        let limits = SignInLimits::new(NonZeroU32::new(3).unwrap());
        for _ in 0..3 {
            assert!(limits.check(ip("203.0.113.5")).is_ok());
        }
        let wait = limits.check(ip("203.0.113.5")).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        // Another address has its own.
        assert!(limits.check(ip("203.0.113.6")).is_ok());
    }

    #[test]
    fn one_ipv6_network_is_one_client() {
        let limits = SignInLimits::new(NonZeroU32::new(2).unwrap());
        assert!(limits.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(limits.check(ip("2001:db8:1:2:ffff::9")).is_ok());
        assert!(limits.check(ip("2001:db8:1:2:abcd::1")).is_err());
        assert!(limits.check(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(network_of(ip("::ffff:198.51.100.7")), ip("198.51.100.7"));
    }
}
