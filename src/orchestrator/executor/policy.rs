//! How long a rollback rides out a site that does not answer: compensations that fail in a way
//! that may pass (no answer, a 5xx, a timeout) are tried again after a capped exponential pause
//! with full jitter, until the rollback's budget is spent.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollbackPolicy {
    /// How long one rollback keeps trying compensations again, counted from its start. After it,
    /// each remaining compensation gets one try; what still fails is left behind.
    pub budget: Duration,
    /// The cap of the first pause; doubled each attempt up to `backoff_max`.
    pub backoff_first: Duration,
    pub backoff_max: Duration,
}

impl RollbackPolicy {
    /// The default budget: five minutes, enough for a restarted API or a short network cut.
    pub const DEFAULT_BUDGET: Duration = Duration::from_secs(300);

    /// The pause after failed attempt `attempt` (1-based): a uniform draw (`jitter` in 0..1)
    /// under the capped exponential, never under 100 ms so a site is not hammered.
    pub fn pause(&self, attempt: u32, jitter: f64) -> Duration {
        let doubling = 1u32 << attempt.saturating_sub(1).min(16);
        let cap = self
            .backoff_first
            .saturating_mul(doubling)
            .min(self.backoff_max);
        cap.mul_f64(jitter.clamp(0.0, 1.0))
            .max(Duration::from_millis(100).min(cap))
    }
}

impl Default for RollbackPolicy {
    fn default() -> Self {
        Self {
            budget: Self::DEFAULT_BUDGET,
            backoff_first: Duration::from_secs(1),
            backoff_max: Duration::from_secs(20),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_to_the_cap_and_jitter_stays_under_it() {
        let p = RollbackPolicy::default();
        let s = |d: Duration| d.as_secs_f64();
        assert_eq!(s(p.pause(1, 1.0)), 1.0);
        assert_eq!(s(p.pause(2, 1.0)), 2.0);
        assert_eq!(s(p.pause(5, 1.0)), 16.0);
        assert_eq!(s(p.pause(6, 1.0)), 20.0, "capped");
        assert_eq!(s(p.pause(60, 1.0)), 20.0, "no overflow");
        assert_eq!(s(p.pause(5, 0.5)), 8.0);
        assert_eq!(p.pause(3, 0.0), Duration::from_millis(100), "a floor");
    }
}
