//! Shrinking that drops a column to its plain value (DEFAULT or NULL) in one step before
//! shrinking it as its type's strategy does, so that a minimal row keeps only the columns
//! that matter.

use proptest::strategy::{NewTree, SBoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::TestRunner;

use super::Value;

/// shrinking as the inner strategy does, so that a minimal row drops every column that
/// does not matter quickly.
#[derive(Debug)]
pub(super) struct PlainFirst {
    pub(super) plain: Value,
    pub(super) inner: SBoxedStrategy<Value>,
}

impl Strategy for PlainFirst {
    type Tree = PlainFirstTree;
    type Value = Value;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        Ok(PlainFirstTree {
            plain: self.plain.clone(),
            inner: self.inner.new_tree(runner)?,
            at_plain: false,
            tried_plain: false,
            last_was_plain: false,
            inner_simplified: false,
        })
    }
}

pub(super) struct PlainFirstTree {
    plain: Value,
    inner: Box<dyn ValueTree<Value = Value>>,
    at_plain: bool,
    tried_plain: bool,
    last_was_plain: bool,
    /// The inner tree's last `simplify` succeeded: only then may it `complicate` (an
    /// unsigned binary search that never simplified underflows in proptest).
    inner_simplified: bool,
}

impl ValueTree for PlainFirstTree {
    type Value = Value;

    fn current(&self) -> Value {
        if self.at_plain {
            self.plain.clone()
        } else {
            self.inner.current()
        }
    }

    fn simplify(&mut self) -> bool {
        if self.at_plain {
            return false;
        }
        if !self.tried_plain && self.inner.current() != self.plain {
            self.tried_plain = true;
            self.at_plain = true;
            self.last_was_plain = true;
            return true;
        }
        self.last_was_plain = false;
        self.inner_simplified = self.inner.simplify();
        self.inner_simplified
    }

    fn complicate(&mut self) -> bool {
        if self.last_was_plain {
            self.last_was_plain = false;
            self.at_plain = false;
            return true;
        }
        self.inner_simplified && self.inner.complicate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng};

    /// The plain step taken back, then another `complicate`: the inner tree never
    /// simplified, so it is not asked to complicate (a `select`'s unsigned binary search
    /// would underflow).
    #[test]
    fn complicate_after_the_plain_step_leaves_an_unsimplified_inner_tree_alone() {
        let options: Vec<Value> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|v| Value::Text(v.to_string()))
            .collect();
        for seed in 0..32u8 {
            let mut runner = TestRunner::new_with_rng(
                Config::default(),
                TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
            );
            let strategy = PlainFirst {
                plain: Value::Null,
                inner: proptest::sample::select(options.clone()).sboxed(),
            };
            let mut tree = strategy.new_tree(&mut runner).unwrap();
            let drawn = tree.current();
            assert!(tree.simplify());
            assert_eq!(tree.current(), Value::Null);
            assert!(tree.complicate());
            assert_eq!(tree.current(), drawn);
            assert!(!tree.complicate());
            assert_eq!(tree.current(), drawn);
        }
    }
}
