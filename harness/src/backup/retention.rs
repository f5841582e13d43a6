//! The retention policy as a model to judge a subject's backup rotation by: a backup older
//! than the policy is removed, except the newest one, which is never removed, however old
//! (a schedule that stopped must not eat its last backup). Time comes from a [`Clock`], so
//! that the policy can be checked at any date.

use std::time::{Duration, SystemTime};

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// The real time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stopped at a chosen instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// One day.
pub const DAY: Duration = Duration::from_secs(86_400);

/// "Keep backups for `days` days".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    pub days: u32,
}

impl RetentionPolicy {
    pub fn days(days: u32) -> RetentionPolicy {
        RetentionPolicy { days }
    }

    pub fn max_age(&self) -> Duration {
        DAY * self.days
    }

    /// The backups (each with its time) that the policy removes at `clock.now()`: those
    /// older than the policy, never the newest.
    pub fn expired<'a, T>(&self, backups: &'a [(T, SystemTime)], clock: &dyn Clock) -> Vec<&'a T> {
        let now = clock.now();
        let newest = backups.iter().map(|(_, at)| *at).max();
        backups
            .iter()
            .filter(|(_, at)| Some(*at) != newest)
            .filter(|(_, at)| age(now, *at) > self.max_age())
            .map(|(backup, _)| backup)
            .collect()
    }
}

/// How long before `now` the instant `at` was (zero for the future).
pub fn age(now: SystemTime, at: SystemTime) -> Duration {
    now.duration_since(at).unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(now: SystemTime, ages_in_days: &[u32]) -> Vec<(u32, SystemTime)> {
        ages_in_days
            .iter()
            .map(|&days| (days, now - DAY * days))
            .collect()
    }

    #[test]
    fn backups_older_than_the_policy_are_exactly_those_removed() {
        let now = SystemTime::UNIX_EPOCH + DAY * 20_000;
        let clock = FixedClock(now);
        let backups = dated(now, &(0..=60).collect::<Vec<_>>());
        let mut removed: Vec<u32> = RetentionPolicy::days(30)
            .expired(&backups, &clock)
            .into_iter()
            .copied()
            .collect();
        removed.sort();
        assert_eq!(removed, (31..=60).collect::<Vec<_>>());
    }

    #[test]
    fn the_newest_backup_is_never_removed_however_old() {
        let now = SystemTime::UNIX_EPOCH + DAY * 20_000;
        let backups = dated(now, &[45, 60, 90]);
        let removed: Vec<u32> = RetentionPolicy::days(30)
            .expired(&backups, &FixedClock(now))
            .into_iter()
            .copied()
            .collect();
        assert_eq!(removed, vec![60, 90]);
        let alone = dated(now, &[400]);
        assert!(RetentionPolicy::days(30)
            .expired(&alone, &FixedClock(now))
            .is_empty());
    }

    #[test]
    fn the_clock_decides_what_is_old() {
        let then = SystemTime::UNIX_EPOCH + DAY * 20_000;
        let backups = dated(then, &[0, 10]);
        let policy = RetentionPolicy::days(30);
        assert!(policy.expired(&backups, &FixedClock(then)).is_empty());
        let later = FixedClock(then + DAY * 25);
        assert_eq!(policy.expired(&backups, &later), vec![&10]);
    }
}
