//! What the claimed (else declared) ON DELETE actions make of deleting one row of a tree.

use std::collections::BTreeSet;

use harness::schema::catalog::FkAction;

use super::shape::Node;
use crate::constraints::schema::Schema;

/// What the claimed (else declared) ON DELETE actions make of deleting `victim`.
pub(super) struct Expected {
    /// The victim and every row the cascade reaches.
    pub(super) removed: BTreeSet<usize>,
    /// A row outside `removed` that references one inside through NO ACTION / RESTRICT,
    /// and that reference: the delete must be refused.
    pub(super) blocked: Option<(usize, usize)>,
    /// Rows whose reference is set to NULL or its default: kept, but changed.
    pub(super) nullified: BTreeSet<usize>,
}

impl Expected {
    pub(super) fn of(schema: &Schema, nodes: &[Node], victim: usize) -> Expected {
        let mut removed = BTreeSet::from([victim]);
        loop {
            let reached: Vec<usize> = (0..nodes.len())
                .filter(|i| !removed.contains(i))
                .filter(|&i| {
                    nodes[i].links.iter().any(|&(e, p)| {
                        removed.contains(&p) && schema.edges[e].on_delete == FkAction::Cascade
                    })
                })
                .collect();
            if reached.is_empty() {
                break;
            }
            removed.extend(reached);
        }
        let mut blocked = None;
        let mut nullified = BTreeSet::new();
        for (i, node) in nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| !removed.contains(i))
        {
            for &(e, p) in &node.links {
                if !removed.contains(&p) {
                    continue;
                }
                match schema.edges[e].on_delete {
                    FkAction::NoAction | FkAction::Restrict => {
                        blocked.get_or_insert((i, e));
                    }
                    FkAction::SetNull | FkAction::SetDefault => {
                        nullified.insert(i);
                    }
                    FkAction::Cascade => {}
                }
            }
        }
        Expected {
            removed,
            blocked,
            nullified,
        }
    }
}
