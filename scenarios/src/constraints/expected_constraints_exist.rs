//! Claim: constraints; fault: none; check: every constraint the manifest claims is in the
//! migrated catalog, found by its structure (columns, referenced table, ON DELETE action,
//! validated) rather than by its name alone.

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::{Evidence, Outcome, Scenario};

use super::prepare::prepare;
use super::schema::Presence;

pub struct ExpectedConstraintsExist;

#[async_trait]
impl Scenario for ExpectedConstraintsExist {
    fn id(&self) -> &'static str {
        "expected-constraints-exist"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "every claimed constraint is in the migrated schema, with the claimed columns and actions"
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let prepared = prepare(ctx, "constraints_exist").await?;
        let claims = &prepared.schema.claims;
        if claims.is_empty() {
            return Ok(Outcome::not_proven(Evidence::new(
                "the manifest claims no constraints ([[constraints]])",
            )));
        }
        let mut evidence = Evidence::new("");
        let mut absent = 0;
        for claim in claims {
            match &claim.presence {
                Presence::Found(names) => evidence.push_observation(
                    claim.label(),
                    if names.is_empty() {
                        "present".to_owned()
                    } else {
                        format!("present: {}", names.join(", "))
                    },
                ),
                Presence::Differs { why, .. } | Presence::Missing(why) => {
                    absent += 1;
                    evidence.push_counterexample(
                        format!("{} is not in the schema", claim.label()),
                        vec![format!("constraints[{}]: {why}", claim.index)],
                    );
                }
            }
        }
        evidence.summary = if absent == 0 {
            format!("all {} claimed constraints are in the schema", claims.len())
        } else {
            format!(
                "{absent} of {} claimed constraints are not in the schema",
                claims.len()
            )
        };
        Ok(Outcome::decide(absent == 0, evidence))
    }
}
