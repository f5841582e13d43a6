//! Waiting on observable state: one pattern for every "look again until it holds or the
//! deadline passes" loop (a server becoming ready, a process gone, a log line written, a
//! session blocked on a lock).
//!
//! ```ignore
//! let mut patience = Patience::new(Duration::from_secs(10), Duration::from_millis(5));
//! while patience.another_look().await {
//!     if ready()? {
//!         return Ok(());
//!     }
//! }
//! Err(not_ready_after(patience.waited()))
//! ```

use std::time::{Duration, Instant};

/// How long to keep looking, and how often.
#[derive(Debug, Clone)]
pub struct Patience {
    started: Instant,
    deadline: Instant,
    every: Duration,
    looked: bool,
}

impl Patience {
    /// Looks now, then every `every` until `within` has passed; the last look is at the
    /// deadline itself, so that a state reached just in time is seen.
    pub fn new(within: Duration, every: Duration) -> Patience {
        let started = Instant::now();
        Patience {
            started,
            deadline: started + within,
            every,
            looked: false,
        }
    }

    /// Whether to look (again): true at once the first time; later, after a pause of
    /// `every` (shortened to end at the deadline), true unless the deadline had passed.
    pub async fn another_look(&mut self) -> bool {
        match self.pause() {
            Pause::Look(None) => true,
            Pause::Look(Some(pause)) => {
                tokio::time::sleep(pause).await;
                true
            }
            Pause::GiveUp => false,
        }
    }

    /// [`Patience::another_look`] for places that cannot await (`Drop`, cleanup).
    pub fn another_look_blocking(&mut self) -> bool {
        match self.pause() {
            Pause::Look(None) => true,
            Pause::Look(Some(pause)) => {
                std::thread::sleep(pause);
                true
            }
            Pause::GiveUp => false,
        }
    }

    /// How long it has waited so far.
    pub fn waited(&self) -> Duration {
        self.started.elapsed()
    }

    /// Whether the deadline has passed.
    pub fn is_exhausted(&self) -> bool {
        Instant::now() >= self.deadline
    }

    fn pause(&mut self) -> Pause {
        if !self.looked {
            self.looked = true;
            return Pause::Look(None);
        }
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Pause::GiveUp
        } else {
            Pause::Look(Some(self.every.min(left)))
        }
    }
}

enum Pause {
    Look(Option<Duration>),
    GiveUp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn looks_at_once_then_until_the_deadline_and_once_at_it() {
        let mut patience = Patience::new(Duration::from_millis(30), Duration::from_millis(10));
        let mut looks = 0;
        let mut last_look = Duration::ZERO;
        while patience.another_look().await {
            looks += 1;
            last_look = patience.waited();
        }
        // at 0, then at least every 10 ms (a loaded machine sleeps longer): 2 to 4 looks
        assert!((2..=4).contains(&looks), "{looks} looks");
        assert!(last_look >= Duration::from_millis(10), "{last_look:?}");
        assert!(patience.is_exhausted());
    }

    #[test]
    fn a_zero_deadline_still_looks_once() {
        let mut patience = Patience::new(Duration::ZERO, Duration::from_millis(10));
        assert!(patience.another_look_blocking());
        assert!(!patience.another_look_blocking());
    }
}
