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
        })
    }
}

pub(super) struct PlainFirstTree {
    plain: Value,
    inner: Box<dyn ValueTree<Value = Value>>,
    at_plain: bool,
    tried_plain: bool,
    last_was_plain: bool,
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
        self.inner.simplify()
    }

    fn complicate(&mut self) -> bool {
        if self.last_was_plain {
            self.last_was_plain = false;
            self.at_plain = false;
            return true;
        }
        self.inner.complicate()
    }
}
