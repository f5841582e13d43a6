//! Claim: restore_drill ("Recovery Time: < 15 minutes from catastrophic failure"); fault:
//! the whole server is destroyed; check: the subject's own backup and restore commands
//! bring the data back into a brand-new server, verified (fingerprint, invariants,
//! pg_amcheck, the app role reads every table), with the recovery time measured from the
//! start of the restore to the verified database, and both that time and its
//! extrapolation to the manifest's claimed scale under `restore_drill.rto_seconds`.

use std::time::Duration;

use async_trait::async_trait;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::dataset;
use harness::{Outcome, Scenario};

use super::drill::Drill;

/// The drill's scale in `readiness verify` when `READINESS_DRILL_SCALE` does not say.
pub const DEFAULT_USERS: u64 = 10_000;

pub struct RtoDrill {
    users: u64,
}

impl RtoDrill {
    /// A drill at `users` users.
    pub fn at(users: u64) -> RtoDrill {
        RtoDrill { users }
    }

    /// At `READINESS_DRILL_SCALE` users (e.g. "100k"), else [`DEFAULT_USERS`].
    pub fn from_env() -> RtoDrill {
        let users = std::env::var("READINESS_DRILL_SCALE")
            .ok()
            .and_then(|s| dataset::parse_scale(&s))
            .unwrap_or(DEFAULT_USERS);
        RtoDrill::at(users)
    }
}

#[async_trait]
impl Scenario for RtoDrill {
    fn id(&self) -> &'static str {
        "rto-drill"
    }

    fn claim(&self) -> &'static harness::run::scenario::ClaimSpec {
        super::CLAIM
    }

    fn title(&self) -> &'static str {
        "the subject's restore brings a destroyed server's data back, verified, within the claimed RTO"
    }

    fn deadline(&self) -> Duration {
        Duration::from_secs(1800)
    }

    async fn run(&self, ctx: &Context) -> Result<Outcome, ScenarioError> {
        let report = Drill {
            users: self.users,
            builtin_fallback: false,
        }
        .run(ctx)
        .await?;
        Ok(report.outcome())
    }
}
