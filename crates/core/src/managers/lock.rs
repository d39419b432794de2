//! The lock after wrong PINs: five wrong in a row lock the manager for 1 minute, the next lock
//! 2, then 4, 8 … at most 24 hours; a right PIN clears the count and the doubling. Pure rules:
//! the journal keeps the count so a restart does not reset it.

use chrono::{DateTime, TimeDelta, Utc};

/// Wrong PINs in a row that lock the manager.
pub const TRIES: u32 = 5;

/// The longest lock.
const MAX_MINUTES: i64 = 24 * 60;

/// A manager's wrong-PIN count and lock, as the journal keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PinCount {
    /// Wrong PINs since the last right one or the last lock.
    pub failed: u32,
    /// Locks since the last right PIN: the next one lasts 2^lockouts minutes.
    pub lockouts: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

/// How long the lock after `lockouts` earlier ones lasts.
pub fn lock_length(lockouts: u32) -> TimeDelta {
    let minutes = 1i64.checked_shl(lockouts.min(31)).unwrap_or(MAX_MINUTES);
    TimeDelta::minutes(minutes.min(MAX_MINUTES))
}

impl PinCount {
    /// Whether a try now is refused without checking the PIN.
    pub fn locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// After a wrong PIN at `now`: the fifth in a row sets the next, doubled, lock.
    pub fn wrong(self, now: DateTime<Utc>) -> PinCount {
        let failed = self.failed + 1;
        if failed < TRIES {
            return PinCount { failed, ..self };
        }
        PinCount {
            failed: 0,
            lockouts: self.lockouts.saturating_add(1),
            locked_until: Some(now + lock_length(self.lockouts)),
        }
    }

    /// After a right PIN: everything cleared.
    pub fn right(self) -> PinCount {
        PinCount::default()
    }

    /// Wrong tries left before the lock.
    pub fn left(&self) -> u32 {
        TRIES.saturating_sub(self.failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn five_wrong(mut c: PinCount, now: DateTime<Utc>) -> PinCount {
        for i in 0..TRIES {
            assert!(c.locked_until.is_none_or(|u| u <= now), "locked after {i}");
            c = c.wrong(now);
        }
        c
    }

    #[test]
    fn five_wrong_lock_for_one_minute_then_the_lock_doubles() {
        let mut c = PinCount::default();
        for i in 0..4 {
            c = c.wrong(t0());
            assert_eq!(c.left(), TRIES - i - 1);
            assert!(!c.locked(t0()));
        }
        c = c.wrong(t0());
        assert!(c.locked(t0()));
        assert_eq!(c.locked_until, Some(t0() + TimeDelta::minutes(1)));
        assert!(!c.locked(t0() + TimeDelta::minutes(1)), "ends on time");
        let later = t0() + TimeDelta::minutes(1);
        let c = five_wrong(c, later);
        assert_eq!(c.locked_until, Some(later + TimeDelta::minutes(2)));
        let later = later + TimeDelta::minutes(2);
        let c = five_wrong(c, later);
        assert_eq!(c.locked_until, Some(later + TimeDelta::minutes(4)));
    }

    #[test]
    fn the_lock_is_at_most_a_day() {
        assert_eq!(lock_length(10), TimeDelta::minutes(1024));
        assert_eq!(lock_length(11), TimeDelta::hours(24));
        assert_eq!(lock_length(u32::MAX), TimeDelta::hours(24));
    }

    #[test]
    fn a_right_pin_clears_the_count_and_the_doubling() {
        let c = five_wrong(PinCount::default(), t0()).wrong(t0()).right();
        assert_eq!(c, PinCount::default());
        let c = five_wrong(c, t0());
        assert_eq!(c.locked_until, Some(t0() + TimeDelta::minutes(1)));
    }
}
