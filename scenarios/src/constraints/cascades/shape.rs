//! A tree's shape, drawn by proptest (roots, fan-outs, the row to delete), and the rows of
//! a built tree.

use harness::schema::rowgen::Value;
use proptest::prelude::*;
use proptest::sample::Index;

/// A tree's shape: how many rows of each root table, the fan-out of every row in
/// breadth-first order (1 once the list runs out, so the smallest tree is a chain through
/// every level), and which row to delete.
#[derive(Debug, Clone)]
pub(super) struct Shape {
    pub(super) roots: usize,
    pub(super) fan_out: Vec<u8>,
    pub(super) victim: Index,
}

pub(super) fn shape_strategy() -> impl Strategy<Value = Shape> + Send + 'static {
    (
        1usize..=3,
        prop::collection::vec(0u8..=3, 0..=24),
        any::<Index>(),
    )
        .prop_map(|(roots, fan_out, victim)| Shape {
            roots,
            fan_out,
            victim,
        })
}

/// One row of a built tree.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) table: String,
    /// The plan's key columns of the table, as text.
    pub(super) values: Vec<Value>,
    /// (schema edge, the node it references).
    pub(super) links: Vec<(usize, usize)>,
    pub(super) parent: Option<usize>,
}

/// The nearest of `from` and its tree ancestors that is a row of `table`.
pub(super) fn ancestor(nodes: &[Node], from: Option<usize>, table: &str) -> Option<usize> {
    let mut at = from;
    while let Some(i) = at {
        if nodes[i].table == table {
            return Some(i);
        }
        at = nodes[i].parent;
    }
    None
}
