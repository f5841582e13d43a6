//! Flows without their transaction: each step of a SQL flow committed on its own.

use harness::subject::Subject;

use super::{Change, ManifestEdit, Mutant, NotDerived};

pub const WITHOUT_TRANSACTION: &str = "flow-without-transaction";

/// One mutant per SQL flow; the flows readiness cannot reach into are said, with why.
pub fn flow_mutants(subject: &Subject, not_derived: &mut Vec<NotDerived>) -> Vec<Mutant> {
    let flows = &subject.manifest.flows;
    if let Some(builtin) = &flows.builtin {
        not_derived.push(NotDerived::new(
            WITHOUT_TRANSACTION,
            format!(
                "the bundled `{builtin}` flows are Rust code with their transactions inside; their negative control is a subject whose flows have none (instantviz-before)"
            ),
        ));
    }
    for flow in &flows.command {
        not_derived.push(NotDerived::new(
            WITHOUT_TRANSACTION,
            format!(
                "command flow `{}`: the app's own code holds its transaction, and the subject documents no switch to run it without one",
                flow.name
            ),
        ));
    }
    flows
        .sql
        .iter()
        .enumerate()
        .map(|(i, flow)| Mutant {
            label: format!("flow `{}` without its transaction", flow.name),
            kind: WITHOUT_TRANSACTION,
            claim: crate::transactions::CLAIM,
            change: Change::Manifest(ManifestEdit::SqlFlowWithoutTransaction(i)),
        })
        .collect()
}
