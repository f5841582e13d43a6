//! The restore drill: seed a server at a given scale, back it up, destroy the server,
//! restore into a brand-new one, verify the copy, and time it all. The recovery time (RTO)
//! runs from the start of the restore to a verified database the application can use;
//! it is also extrapolated, linearly in the data, to the scale the manifest claims.

use std::time::{Duration, Instant};

use harness::backup::{DumpOptions, SubjectTools};
use harness::report::figure::{DrillFigure, DrillStep, Figure};
use harness::run::progress;
use harness::run::scenario::{Context, ScenarioError};
use harness::schema::dataset;
use harness::{Evidence, Outcome};
use serde::Serialize;

use harness::backup::restored;
use harness::backup::source::{self, Source};
use harness::backup::tool::{self, Tool};

/// One drill's figures. Times are in seconds.
#[derive(Debug, Clone, Serialize)]
pub struct DrillReport {
    pub subject: String,
    pub seed: u64,
    pub users: u64,
    pub rows: u64,
    /// Which backup and restore ran.
    pub tool: String,
    pub backup_bytes: u64,
    pub seed_seconds: f64,
    pub backup_seconds: f64,
    pub destroy_seconds: f64,
    pub provision_seconds: f64,
    pub restore_seconds: f64,
    pub verify_seconds: f64,
    /// From the start of the restore to a verified, ready database.
    pub rto_seconds: f64,
    /// What destroying the source meant on this backend.
    pub destroyed: String,
    /// Where the copy went: a brand-new server, or a fresh database on the same one.
    pub restored_into: String,
    pub amcheck: String,
    /// What is wrong with the restored copy (empty when it matches the source).
    pub problems: Vec<String>,
    /// Why the copy could not be fully checked, if it could not.
    pub unchecked: Option<String>,
    /// The step that failed, and how, when one did.
    pub failure: Option<String>,
    pub claimed_users: Option<u64>,
    pub extrapolated_rto_seconds: Option<f64>,
    /// The claimed bound (`restore_drill.rto_seconds`, else the report's).
    pub bound_seconds: Option<f64>,
    /// Whether the bound is the report's "< 15 minutes", the manifest naming none.
    pub bound_from_report: bool,
}

/// The drill's steps, as its progress counts them: seed, back up, destroy, provision,
/// restore, verify.
const DRILL_STEPS: u64 = 6;

/// The report's claim ("Recovery Time: < 15 minutes"), when the manifest states none.
pub const REPORT_RTO_SECONDS: f64 = 900.0;

/// A drill at `users` users.
#[derive(Debug, Clone, Copy)]
pub struct Drill {
    pub users: u64,
    /// Drill with the harness's own pg_dump and pg_restore (directory format, parallel
    /// jobs) when the subject names no backup tooling, instead of failing: what a restore
    /// of this data would take, for a subject that has no procedure yet.
    pub builtin_fallback: bool,
}

impl Drill {
    /// Runs the drill with the subject's backup and restore commands (or, when it has none
    /// and `builtin_fallback` is set, the harness's own).
    pub async fn run(&self, ctx: &Context) -> Result<DrillReport, ScenarioError> {
        let subject = ctx.subject();
        let gap = tool::tooling_gap(subject);
        let mut report = DrillReport {
            subject: subject.name().to_owned(),
            seed: ctx.seed(),
            users: self.users,
            rows: 0,
            tool: String::new(),
            backup_bytes: 0,
            seed_seconds: 0.0,
            backup_seconds: 0.0,
            destroy_seconds: 0.0,
            provision_seconds: 0.0,
            restore_seconds: 0.0,
            verify_seconds: 0.0,
            rto_seconds: 0.0,
            destroyed: String::new(),
            restored_into: String::new(),
            amcheck: String::new(),
            problems: Vec::new(),
            unchecked: None,
            failure: None,
            claimed_users: subject.manifest.scale.as_ref().map(|s| s.claimed_users),
            extrapolated_rto_seconds: None,
            bound_seconds: Some(
                subject
                    .manifest
                    .restore_drill
                    .as_ref()
                    .map_or(REPORT_RTO_SECONDS, |d| d.rto_seconds),
            ),
            bound_from_report: subject.manifest.restore_drill.is_none(),
        };

        if let (Some(gap), false) = (&gap, self.builtin_fallback) {
            report.failure = Some(format!("no restore procedure to drill: {gap}"));
            return Ok(report);
        }

        let drill_name = format!(
            "restore drill at {} users",
            dataset::scale_label(self.users)
        );
        let mut steps = progress::begin(&drill_name, Some(DRILL_STEPS));
        steps.doing("seed the source");
        let started = Instant::now();
        let source = Source::seeded(ctx, "drill_source", self.users).await?;
        report.seed_seconds = secs(started.elapsed());
        steps.advance(1);
        steps.doing("back up");
        let tools = tool::tools_of(source.server.as_ref())?;
        let tool = match SubjectTools::of(subject, Some(tools.clone())) {
            Some(own) => Tool::Subject(own),
            None => Tool::BuiltIn {
                tools,
                options: DumpOptions::directory(tool::JOBS),
            },
        };
        report.tool = match &gap {
            Some(gap) => format!("{} ({gap})", tool.describe()),
            None => tool.describe(),
        };
        let expected = source.fingerprint(ctx).await?;
        report.rows = expected.total_rows();

        let dir = tool::backup_dir()?;
        let made = tool.backup(&source.db.admin(), dir.path(), "drill").await?;
        report.backup_seconds = secs(made.elapsed);
        let file = match (&made.reported, &made.file) {
            (Ok(()), Some(file)) => file.clone(),
            (Err(why), _) => {
                report.failure = Some(format!("the backup failed: {why}"));
                return Ok(report);
            }
            (Ok(()), None) => {
                report.failure = Some("the backup command wrote no backup".into());
                return Ok(report);
            }
        };
        report.backup_bytes = harness::backup::dump::size_on_disk(&file).unwrap_or(0);
        steps.advance(1);
        steps.doing("destroy the server");

        report.restored_into = source::restored_into(source.server.as_ref()).to_owned();
        let started = Instant::now();
        report.destroyed = source.destroy(ctx).await?;
        report.destroy_seconds = secs(started.elapsed());
        steps.advance(1);
        steps.doing("provision a new server");

        let (target, provision) = source::fresh_target(ctx, "drill_target").await?;
        report.provision_seconds = secs(provision);
        steps.advance(1);
        steps.doing("restore");

        let restore_started = Instant::now();
        let restored = tool.restore(&file, &target.admin()).await?;
        report.restore_seconds = secs(restored.elapsed);
        if let Err(why) = restored.reported {
            report.failure = Some(format!("the restore failed: {why}"));
            return Ok(report);
        }
        steps.advance(1);
        steps.doing("verify the copy");
        let check = restored::check_restored(ctx.subject(), &expected, &target).await?;
        report.rto_seconds = secs(restore_started.elapsed());
        report.verify_seconds = secs(check.elapsed);
        steps.finish();
        report.amcheck = match &check.amcheck {
            Ok(a) => a.describe(),
            Err(why) => format!("could not run: {why}"),
        };
        report.problems = check.problems();
        report.unchecked = check.unchecked();
        report.extrapolated_rto_seconds = report
            .claimed_users
            .map(|claimed| report.rto_seconds * claimed as f64 / self.users as f64);
        Ok(report)
    }
}

impl DrillReport {
    /// Restored megabytes of backup per second of restore.
    pub fn restore_mb_per_second(&self) -> f64 {
        self.backup_bytes as f64 / 1e6 / self.restore_seconds.max(1e-9)
    }

    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.restore_seconds.max(1e-9)
    }

    /// The drill's figures for the charts and the history.
    pub fn figure(&self) -> DrillFigure {
        let steps = [
            ("back up", self.backup_seconds),
            ("provision", self.provision_seconds),
            ("restore", self.restore_seconds),
            ("verify", self.verify_seconds),
        ];
        DrillFigure {
            users: self.users,
            steps: steps
                .into_iter()
                .filter(|(_, seconds)| *seconds > 0.0)
                .map(|(step, seconds)| DrillStep {
                    step: step.to_owned(),
                    seconds,
                })
                .collect(),
            rto_seconds: self.rto_seconds,
            extrapolated_rto_seconds: self.extrapolated_rto_seconds,
            bound_seconds: self.bound_seconds,
        }
    }

    /// The verdict: PROVEN only when the copy verified and both the measured and the
    /// extrapolated RTO are under the claimed bound.
    pub fn outcome(&self) -> Outcome {
        let mut evidence = Evidence::new("").seed(self.seed);
        if self.rows > 0 {
            evidence.push_observation("drill", format!("{} users, {} rows", self.users, self.rows));
        }
        if !self.tool.is_empty() {
            evidence.push_observation("tool", &self.tool);
        }
        if !self.destroyed.is_empty() {
            evidence.push_observation("fault", &self.destroyed);
        }
        if self.backup_bytes > 0 {
            evidence.push_observation(
                "backup size",
                harness::report::human_bytes(self.backup_bytes),
            );
        }
        for (label, seconds) in [
            ("seed the source", self.seed_seconds),
            ("back up", self.backup_seconds),
            ("destroy the server", self.destroy_seconds),
            ("provision a new server", self.provision_seconds),
            ("restore", self.restore_seconds),
            (
                "verify (fingerprint, invariants, pg_amcheck, app role)",
                self.verify_seconds,
            ),
            (
                "RTO: restore start to verified, ready database",
                self.rto_seconds,
            ),
        ] {
            if seconds > 0.0 {
                evidence.push_timing(label, Duration::from_secs_f64(seconds));
            }
        }
        if self.rto_seconds > 0.0 {
            evidence.push_figure(Figure::Drill(self.figure()));
        }
        if let Some(failure) = &self.failure {
            evidence.summary = failure.clone();
            evidence.push_counterexample("restore drill", vec![failure.clone()]);
            return Outcome::refuted(evidence);
        }
        evidence.push_observation(
            "restore throughput",
            format!(
                "{:.1} MB/s of backup, {:.0} rows/s",
                self.restore_mb_per_second(),
                self.rows_per_second()
            ),
        );
        evidence.push_observation("pg_amcheck", &self.amcheck);
        if !self.problems.is_empty() {
            evidence.summary = "the restored database is not the one that was lost".into();
            evidence.push_counterexample(
                "restored copy against the destroyed source",
                self.problems.clone(),
            );
            return Outcome::refuted(evidence);
        }
        if let Some(why) = &self.unchecked {
            evidence.summary = why.clone();
            return Outcome::not_proven(evidence);
        }
        if self.bound_from_report {
            evidence.push_observation(
                "claimed RTO",
                format!("{REPORT_RTO_SECONDS} s, the report's \"< 15 minutes\" (the manifest states no restore_drill.rto_seconds)"),
            );
        }
        let Some(bound) = self.bound_seconds else {
            evidence.summary = format!(
                "RTO {:.1} s measured, but the manifest claims no bound (restore_drill.rto_seconds)",
                self.rto_seconds
            );
            return Outcome::not_proven(evidence);
        };
        let scale = |users: u64| dataset::scale_label(users);
        let extrapolated = match (self.claimed_users, self.extrapolated_rto_seconds) {
            (Some(claimed), Some(seconds)) if claimed != self.users => {
                evidence.push_observation(
                    "extrapolated RTO",
                    format!(
                        "{seconds:.1} s at the claimed {} users (linear in the data)",
                        scale(claimed)
                    ),
                );
                Some((claimed, seconds))
            }
            _ => None,
        };
        if self.rto_seconds >= bound {
            evidence.summary = format!(
                "the measured RTO is {:.1} s at {} users, over the claimed {bound} s",
                self.rto_seconds,
                scale(self.users)
            );
            evidence.push_counterexample(
                "recovery time",
                vec![format!(
                    "restore {:.1} s + verify {:.1} s",
                    self.restore_seconds, self.verify_seconds
                )],
            );
            return Outcome::refuted(evidence);
        }
        if let Some((claimed, seconds)) = extrapolated.filter(|(_, s)| *s >= bound) {
            evidence.summary = format!(
                "the RTO measured at {} users ({:.1} s) extrapolates to {seconds:.0} s at the claimed {} users, over the claimed {bound} s",
                scale(self.users),
                self.rto_seconds,
                scale(claimed)
            );
            evidence.push_counterexample(
                "recovery time at the claimed scale",
                vec![format!(
                    "{:.1} s x {claimed}/{} users",
                    self.rto_seconds, self.users
                )],
            );
            return Outcome::refuted(evidence);
        }
        let at_claim = extrapolated
            .map(|(claimed, s)| format!(" ({s:.0} s extrapolated to {} users)", scale(claimed)))
            .unwrap_or_default();
        evidence.summary = format!(
            "restored and verified {} rows into {} in {:.1} s{at_claim}, under the claimed {bound} s",
            self.rows, self.restored_into, self.rto_seconds
        );
        Outcome::proven(evidence)
    }

    /// The drill as a table for the terminal.
    pub fn render(&self) -> String {
        let mut out = format!(
            "restore drill: {} at {} users ({} rows), data seed {}\n",
            self.subject,
            dataset::scale_label(self.users),
            self.rows,
            self.seed
        );
        let line = |out: &mut String, label: &str, value: String| {
            out.push_str(&format!("  {label:<26} {value}\n"));
        };
        line(&mut out, "backup tool", self.tool.clone());
        line(
            &mut out,
            "seed the source",
            format!("{:.1} s", self.seed_seconds),
        );
        line(
            &mut out,
            "back up",
            format!(
                "{:.1} s, {}",
                self.backup_seconds,
                harness::report::human_bytes(self.backup_bytes)
            ),
        );
        line(
            &mut out,
            "destroy the server",
            format!("{:.1} s", self.destroy_seconds),
        );
        line(
            &mut out,
            "provision a new server",
            format!("{:.1} s", self.provision_seconds),
        );
        line(
            &mut out,
            "restore",
            format!(
                "{:.1} s ({:.1} MB/s, {:.0} rows/s)",
                self.restore_seconds,
                self.restore_mb_per_second(),
                self.rows_per_second()
            ),
        );
        line(
            &mut out,
            "verify",
            format!("{:.1} s; pg_amcheck: {}", self.verify_seconds, self.amcheck),
        );
        line(
            &mut out,
            "RTO (restore to ready)",
            format!("{:.1} s", self.rto_seconds),
        );
        if let (Some(claimed), Some(seconds)) = (self.claimed_users, self.extrapolated_rto_seconds)
        {
            line(
                &mut out,
                "RTO extrapolated",
                format!("{seconds:.1} s at {} users", dataset::scale_label(claimed)),
            );
        }
        if let Some(bound) = self.bound_seconds {
            line(
                &mut out,
                "claimed bound",
                format!("{bound} s (restore_drill.rto_seconds)"),
            );
        }
        out
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness::Status;

    /// A drill's figures: 1k users restored and verified in `rto` seconds.
    fn report(rto: f64, bound: Option<f64>) -> DrillReport {
        DrillReport {
            subject: "instantviz".into(),
            seed: 1,
            users: 1_000,
            rows: 31_000,
            tool: "the subject's scripts".into(),
            backup_bytes: 400_000,
            seed_seconds: 1.0,
            backup_seconds: 0.5,
            destroy_seconds: 0.1,
            provision_seconds: 1.0,
            restore_seconds: rto * 0.6,
            verify_seconds: rto * 0.4,
            rto_seconds: rto,
            destroyed: "destroyed".into(),
            restored_into: "a brand-new server".into(),
            amcheck: "no corruption".into(),
            problems: Vec::new(),
            unchecked: None,
            failure: None,
            claimed_users: Some(100_000),
            extrapolated_rto_seconds: Some(rto * 100.0),
            bound_seconds: bound,
            bound_from_report: false,
        }
    }

    #[test]
    fn proven_only_when_measured_and_extrapolated_rto_are_under_the_bound() {
        assert_eq!(report(2.0, Some(900.0)).outcome().status, Status::Proven);
        let over = report(2.0, Some(1.5)).outcome();
        assert_eq!(over.status, Status::Refuted);
        assert!(
            over.evidence.summary.contains("measured RTO is 2.0 s"),
            "{}",
            over.evidence.summary
        );
        let extrapolated = report(2.0, Some(100.0)).outcome();
        assert_eq!(extrapolated.status, Status::Refuted);
        assert!(
            extrapolated
                .evidence
                .summary
                .contains("extrapolates to 200 s at the claimed 100k users"),
            "{}",
            extrapolated.evidence.summary
        );
    }

    #[test]
    fn a_copy_that_differs_or_a_failed_step_refutes_and_no_bound_proves_nothing() {
        let mut differs = report(2.0, Some(900.0));
        differs.problems = vec!["table public.users: 1000 rows, restored 998".into()];
        assert_eq!(differs.outcome().status, Status::Refuted);
        let mut failed = report(2.0, Some(900.0));
        failed.failure = Some("the restore failed: exit 1".into());
        assert_eq!(failed.outcome().status, Status::Refuted);
        assert_eq!(report(2.0, None).outcome().status, Status::NotProven);
        let mut unchecked = report(2.0, Some(900.0));
        unchecked.unchecked = Some("pg_amcheck could not run".into());
        assert_eq!(unchecked.outcome().status, Status::NotProven);
    }
}
