//! Property-based checks inside a scenario: a proptest runner seeded from the scenario's
//! seed drives an async property (one that talks to the database) from a blocking
//! thread, so that the verdict, shrunk counterexample included, comes from
//! `readiness verify` and replays with the run's seed.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use proptest::strategy::Strategy;
use proptest::test_runner::{
    Config, RngAlgorithm, TestCaseError, TestCaseResult, TestError, TestRng, TestRunner,
};
use sha2::{Digest, Sha256};

/// A property over generated cases; `check` may use the database.
#[async_trait]
pub trait Property: Send + 'static {
    type Case: Clone + fmt::Debug + Send;

    /// Ok when the case holds; `TestCaseError::fail` with the details when it does not;
    /// `TestCaseError::reject` when the case says nothing about the property.
    async fn check(&mut self, case: Self::Case) -> TestCaseResult;
}

/// How many cases, from which seed.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Cases that must hold for the property to hold.
    pub cases: u32,
    /// The scenario's seed.
    pub seed: u64,
    /// Which property of the scenario, mixed into the seed so that each gets its own
    /// stream.
    pub label: String,
    /// How many shrinking steps may run the property once a case failed; later candidates
    /// are not checked (proptest's own cap would print to stderr).
    pub max_shrink_iters: u32,
}

impl Settings {
    /// `cases` cases, unless `override_cases` (`READINESS_PROPTEST_CASES`) says otherwise.
    pub fn new(
        cases: u32,
        override_cases: Option<u32>,
        seed: u64,
        label: impl Into<String>,
    ) -> Settings {
        Settings {
            cases: override_cases.unwrap_or(cases).max(1),
            seed,
            label: label.into(),
            max_shrink_iters: 128,
        }
    }

    /// The 32-byte ChaCha seed for this property.
    pub fn rng_seed(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update(self.seed.to_le_bytes())
            .chain_update(self.label.as_bytes())
            .finalize()
            .into()
    }

    fn runner(&self) -> TestRunner {
        let config = Config {
            cases: self.cases,
            // u32::MAX would mean "cases × 4"; the budget is kept by `check`
            max_shrink_iters: u32::MAX - 1,
            max_global_rejects: self.cases.saturating_mul(20).max(256),
            failure_persistence: None,
            source_file: None,
            fork: false,
            timeout: 0,
            rng_algorithm: RngAlgorithm::ChaCha,
            ..Config::default()
        };
        TestRunner::new_with_rng(
            config,
            TestRng::from_seed(RngAlgorithm::ChaCha, &self.rng_seed()),
        )
    }
}

/// What a property run found.
#[derive(Debug, Clone)]
pub enum Verdict<C> {
    /// Every case held.
    Held,
    /// A case failed; `minimal` is the smallest failing case shrinking found, and
    /// `reason` what the property said about it.
    Failed { reason: String, minimal: C },
    /// The run stopped without a verdict (e.g. too many cases rejected).
    Aborted(String),
}

/// A finished property run.
#[derive(Debug, Clone)]
pub struct PropertyRun<C> {
    pub verdict: Verdict<C>,
    /// Cases checked, shrinking steps included.
    pub executed: u32,
    /// Cases the property rejected as saying nothing.
    pub rejected: u32,
    pub elapsed: Duration,
}

impl<C> PropertyRun<C> {
    /// Cases checked per second.
    pub fn rate(&self) -> f64 {
        f64::from(self.executed) / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `property` over `settings.cases` cases from `strategy`, shrinking any failure,
/// and hands the property back with the result.
pub async fn check<S, P>(
    settings: &Settings,
    strategy: S,
    property: P,
) -> Result<(P, PropertyRun<S::Value>), tokio::task::JoinError>
where
    S: Strategy + Send + 'static,
    S::Value: Clone + Send,
    P: Property<Case = S::Value>,
{
    let mut runner = settings.runner();
    let shrink_budget = settings.max_shrink_iters;
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let property = RefCell::new(property);
        let executed = Cell::new(0u32);
        let rejected = Cell::new(0u32);
        let shrink_steps = Cell::new(None::<u32>);
        let result = runner.run(&strategy, |case| {
            if let Some(steps) = shrink_steps.get() {
                if steps >= shrink_budget {
                    // past the budget, a candidate counts as not failing: the smallest
                    // failure found so far stands
                    return Ok(());
                }
                shrink_steps.set(Some(steps + 1));
            }
            executed.set(executed.get() + 1);
            let result = handle.block_on(property.borrow_mut().check(case));
            match &result {
                Err(TestCaseError::Reject(_)) => rejected.set(rejected.get() + 1),
                Err(TestCaseError::Fail(_)) if shrink_steps.get().is_none() => {
                    shrink_steps.set(Some(0))
                }
                _ => {}
            }
            result
        });
        let verdict = match result {
            Ok(()) => Verdict::Held,
            Err(TestError::Fail(reason, minimal)) => Verdict::Failed {
                reason: reason.message().to_owned(),
                minimal,
            },
            Err(TestError::Abort(reason)) => Verdict::Aborted(reason.message().to_owned()),
        };
        let run = PropertyRun {
            verdict,
            executed: executed.get(),
            rejected: rejected.get(),
            elapsed: started.elapsed(),
        };
        (property.into_inner(), run)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// "every number is below 1000", which fails from 1000 on; multiples of seven below
    /// it say nothing.
    struct BelowAThousand {
        seen: Vec<u32>,
    }

    #[async_trait]
    impl Property for BelowAThousand {
        type Case = u32;

        async fn check(&mut self, case: u32) -> TestCaseResult {
            tokio::task::yield_now().await;
            self.seen.push(case);
            if case.is_multiple_of(7) && case < 1000 {
                return Err(TestCaseError::reject("a multiple of seven"));
            }
            prop_assert!(case < 1000, "{case} is not below 1000");
            Ok(())
        }
    }

    #[tokio::test]
    async fn failures_shrink_to_the_minimal_case() {
        let settings = Settings::new(200, None, 42, "below");
        let (property, run) = check(&settings, 0u32..5000, BelowAThousand { seen: vec![] })
            .await
            .unwrap();
        match run.verdict {
            Verdict::Failed { minimal, reason } => {
                assert_eq!(minimal, 1000);
                assert!(reason.contains("1000 is not below 1000"), "{reason}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert_eq!(run.executed as usize, property.seen.len());
    }

    #[tokio::test]
    async fn shrinking_stops_at_its_budget_with_a_real_failure() {
        let mut settings = Settings::new(200, None, 42, "below");
        settings.max_shrink_iters = 2;
        let (property, run) = check(&settings, 0u32..5000, BelowAThousand { seen: vec![] })
            .await
            .unwrap();
        let Verdict::Failed { minimal, .. } = run.verdict else {
            panic!("expected a failure");
        };
        assert!(minimal >= 1000, "the reported case fails: {minimal}");
        let failures = property.seen.iter().filter(|&&n| n >= 1000).count();
        assert!(
            failures <= 3,
            "one failure and at most two shrinking steps: {failures}"
        );
    }

    #[tokio::test]
    async fn the_same_seed_replays_the_same_cases() {
        let settings = Settings::new(30, None, 7, "replay");
        let first = check(&settings, 0u32..999, BelowAThousand { seen: vec![] })
            .await
            .unwrap();
        let second = check(&settings, 0u32..999, BelowAThousand { seen: vec![] })
            .await
            .unwrap();
        assert!(matches!(first.1.verdict, Verdict::Held));
        assert!(first.1.rejected > 0, "multiples of seven are rejected");
        assert_eq!(first.0.seen, second.0.seen);
        let other = Settings::new(30, None, 8, "replay");
        let third = check(&other, 0u32..999, BelowAThousand { seen: vec![] })
            .await
            .unwrap();
        assert_ne!(first.0.seen, third.0.seen);
    }

    #[test]
    fn the_override_sets_the_case_count() {
        assert_eq!(Settings::new(32, None, 1, "x").cases, 32);
        assert_eq!(Settings::new(32, Some(500), 1, "x").cases, 500);
    }
}
