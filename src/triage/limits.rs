//! The per-reporter report rate limit and the per-client public check limit, kept in
//! memory.
//!
//! A generic cell rate limiter (governor's GCRA) per reporter hash: a burst of up to
//! `reports_per_hour` reports, then one more each `1 h / reports_per_hour`. It lives in
//! memory rather than the store: a per-report index on disk cost more resident memory
//! than the whole rest of the service, and a restart forgiving the current hour is an
//! acceptable price (nobody but the operator can restart the bot).
//!
//! Invariants: state is kept only for reporters seen recently; it is pruned once it
//! tracks more than `PRUNE_ABOVE` reporters.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::store::ReporterHash;

/// Tracked reporters above which idle ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Reports allowed per reporter.
pub struct ReportLimiter {
    limiter: DefaultKeyedRateLimiter<ReporterHash>,
}

impl ReportLimiter {
    /// A limiter allowing `per_hour` reports per reporter per hour.
    pub fn new(per_hour: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_hour(per_hour)),
        }
    }

    /// Takes one report from `reporter`'s allowance; false when it is used up.
    pub fn allow(&self, reporter: &ReporterHash) -> bool {
        let allowed = self.limiter.check_key(reporter).is_ok();
        if self.limiter.len() > PRUNE_ABOVE {
            self.limiter.retain_recent();
        }
        allowed
    }
}

/// Checks allowed per client address without a token (the public check routes).
pub struct ClientLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl ClientLimiter {
    /// A limiter allowing `per_minute` checks per client per minute.
    pub fn new(per_minute: NonZeroU32) -> Self {
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// Takes one check from `client`'s allowance; false when it is used up.
    pub fn allow(&self, client: IpAddr) -> bool {
        let allowed = self.limiter.check_key(&client).is_ok();
        if self.limiter.len() > PRUNE_ABOVE {
            self.limiter.retain_recent();
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reporter_has_their_own_allowance() {
        let limiter = ReportLimiter::new(NonZeroU32::new(3).unwrap());
        let (a, b) = (ReporterHash([1; 32]), ReporterHash([2; 32]));
        assert!((0..3).all(|_| limiter.allow(&a)));
        assert!(!limiter.allow(&a));
        assert!(limiter.allow(&b));
    }
}
