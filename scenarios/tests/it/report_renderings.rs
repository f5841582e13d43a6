//! Every rendering of the scorecard — the terminal (plain and `--detail`), `summary.md`,
//! `junit.xml`, `report.json`, `report.html` and the charts — as reviewable snapshots in
//! `snapshots/`, from fixed scorecards of both bundled subjects and from real runs, all
//! through the one redactor ([`harness::report::volatile::stable`]). `report.json` is
//! validated against `docs/report.schema.json`, which must match the report types.

use std::path::PathBuf;
use std::time::Duration;

use harness::report::baseline::{BaselineComparison, Change};
use harness::report::evidence::{
    ClaimReport, Evidence, InputError, Outcome, ScenarioReport, Scorecard, SCHEMA_VERSION,
};
use harness::report::figure::{DrillFigure, DrillStep, Figure, LatencyPoint, LatencySeries};
use harness::report::history::{Regression, Trend, TrendPoint, Unit};
use harness::report::mutation::{Mutant, MutantOutcome, MutationScore, NotDerived, Verdict};
use harness::report::{chart, html, json, junit, markdown, terminal, volatile};
use harness::run::runner;
use harness::run::scenario::{Run, RunOptions};
use harness::subject::Subject;
use scenarios::subjects::bundled;
use scenarios::subjects::{INSTANTVIZ, INSTANTVIZ_BEFORE};
use scenarios::testing::{test_backend, with_top_level_snapshots};

fn scenario(id: &str, title: &str, outcome: Outcome, duration_ms: f64) -> ScenarioReport {
    ScenarioReport {
        id: id.into(),
        title: title.into(),
        status: outcome.status,
        evidence: outcome.evidence,
        duration_ms,
        kept: None,
        stopped_by: None,
    }
}

fn claim(id: &str, scenarios: Vec<ScenarioReport>) -> ClaimReport {
    let spec = scenarios::CLAIMS
        .iter()
        .find(|c| c.id == id)
        .expect("a known claim");
    runner::claim_report(spec, scenarios)
}

fn latency_figure() -> Figure {
    let series = |query: &str, ms: [f64; 3], slope: f64| LatencySeries {
        query: query.into(),
        points: [1_000, 10_000, 100_000]
            .into_iter()
            .zip(ms)
            .map(|(users, median_ms)| LatencyPoint { users, median_ms })
            .collect(),
        slope: Some(slope),
    };
    Figure::Latency {
        max_slope: 0.35,
        queries: vec![
            series("login", [0.031, 0.032, 0.036], 0.02),
            series("list projects", [0.052, 0.06, 0.071], 0.05),
            series("delete a user", [1.3, 7.9, 58.2], 0.86),
        ],
    }
}

fn drill_figure() -> Figure {
    Figure::Drill(DrillFigure {
        users: 10_000,
        steps: [
            ("back up", 0.8),
            ("provision", 1.1),
            ("restore", 1.6),
            ("verify", 0.7),
        ]
        .into_iter()
        .map(|(step, seconds)| DrillStep {
            step: step.into(),
            seconds,
        })
        .collect(),
        rto_seconds: 2.4,
        extrapolated_rto_seconds: Some(24.0),
        bound_seconds: Some(900.0),
    })
}

/// The report's "after": most claims proven, `indexes` and `access_control` refuted, with
/// every kind of evidence (findings, a counterexample, multi-line output, figures), a
/// baseline comparison and a flagged regression.
fn fixed_instantviz() -> Scorecard {
    let mut latency = Evidence::new("`delete a user` grows with its table (slope 0.86)")
        .observe("scales (users)", "1k, 10k, 100k")
        .counterexample(
            "`delete a user` reads projects in full",
            vec![
                "latency: 1.300 ms at 1k, 7.900 ms at 10k, 58.200 ms at 100k users (slope 0.86)"
                    .into(),
                "at 100k users it reads projects (240000 rows) in full, 1 time(s)".into(),
            ],
        )
        .timing("dataset at 100k users ready", Duration::from_millis(8_200))
        .seed(7);
    latency.push_figure(latency_figure());
    let mut lint = Evidence::new("2 advisory findings");
    lint.push_finding(
        "duplicate-index public.users_email_idx",
        "index public.users_email_idx duplicates the UNIQUE constraint users_email_key",
    );
    lint.push_finding(
        "duplicate-index public.workspaces_slug_idx",
        "index public.workspaces_slug_idx duplicates the UNIQUE constraint workspaces_slug_key",
    );
    let mut drill = Evidence::new(
        "RTO 2.4 s at 10k users, 24 s extrapolated to 100k, under the claimed 15 min",
    )
    .observe("tool", "pg_dump -Fc / pg_restore")
    .timing("restore", Duration::from_millis(1_600))
    .seed(7);
    drill.push_figure(drill_figure());
    let monitor = Evidence::new("the monitor reports the database down within 10 s").observe(
        "monitor output",
        (1..=14)
            .map(|i| format!("check {i}: connection ok"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    Scorecard {
        schema_version: SCHEMA_VERSION,
        subject: INSTANTVIZ.into(),
        backend: "native (PostgreSQL server binaries)".into(),
        server: "PostgreSQL 15.14 on 127.0.0.1:54321".into(),
        seed: 7,
        started_at: "2026-11-30T23:16:43Z".into(),
        duration_ms: 73_412.5,
        claims: vec![
            claim(
                "backups",
                vec![scenario(
                    "backup-restores-to-a-fresh-server",
                    "the newest backup restores into a fresh server, verified",
                    Outcome::proven(Evidence::new("the newest of 3 backups restores, 310000 rows verified").seed(7)),
                    5_120.0,
                )],
            ),
            claim(
                "transactions",
                vec![scenario(
                    "all-or-nothing-under-faults",
                    "each critical flow leaves all or nothing when a fault strikes",
                    Outcome::proven(Evidence::new("80 faulted executions all-or-nothing").observe("faults", "terminate, reset, black hole, kill -9")),
                    21_400.0,
                )],
            ),
            claim(
                "constraints",
                vec![scenario(
                    "claimed-constraints-behave",
                    "every claimed constraint exists and rejects what it must",
                    Outcome::proven(Evidence::new("10 claimed constraints exist and behave on 240 generated cases")),
                    3_310.0,
                )],
            ),
            claim(
                "indexes",
                vec![
                    scenario(
                        "latency-grows-like-an-index-lookup",
                        "each main query's latency grows with the data like an index lookup's, not a table scan's",
                        Outcome::refuted(latency),
                        19_800.0,
                    ),
                    scenario(
                        "no-redundant-indexes",
                        "no index duplicates another or a constraint",
                        Outcome::proven(lint),
                        410.0,
                    ),
                ],
            ),
            claim(
                "migrations",
                vec![scenario(
                    "up-down-round-trip",
                    "every migration applies, rolls back and applies again",
                    Outcome::proven(Evidence::new("3 migrations round-trip")),
                    2_050.0,
                )],
            ),
            claim(
                "access_control",
                vec![scenario(
                    "password-resists-guessing",
                    "the app role's password resists an online guessing attack",
                    Outcome::refuted(Evidence::new("an online guess gets in at attempt 3").counterexample(
                        "the password from .env is guessed",
                        vec!["attempt 3 of 1000 logged in as app".into(), "the password is 4 characters".into()],
                    )),
                    1_200.0,
                )],
            ),
            claim(
                "monitoring",
                vec![
                    scenario(
                        "monitor-reports-health",
                        "the monitoring command reports the database's health",
                        Outcome::proven(monitor),
                        12_300.0,
                    ),
                    scenario(
                        "app-health-follows-the-database",
                        "the app's health endpoint follows the database",
                        Outcome::not_applicable(Evidence::new("the subject declares no [app]")),
                        0.4,
                    ),
                ],
            ),
            claim(
                "restore_drill",
                vec![scenario(
                    "rto-drill",
                    "the subject's restore brings a destroyed server's data back, verified, within the claimed RTO",
                    Outcome::proven(drill),
                    7_800.0,
                )],
            ),
        ],
        input_errors: Vec::new(),
        regressions: vec![Regression {
            figure: "RTO at 10k users".into(),
            unit: Unit::Seconds,
            value: 2.4,
            median: 1.8,
            runs: 5,
            tolerance: 0.25,
        }],
        trends: vec![Trend {
            figure: "RTO at 10k users".into(),
            unit: Unit::Seconds,
            points: [1.7, 1.9, 1.8, 1.8, 1.9, 2.4]
                .into_iter()
                .enumerate()
                .map(|(i, value)| TrendPoint {
                    started_at: format!("2026-11-2{i}T08:00:00Z"),
                    value,
                })
                .collect(),
        }],
        baseline: Some(BaselineComparison {
            path: "main/report.json".into(),
            started_at: "2026-11-29T08:00:00Z".into(),
            regressed: Vec::new(),
            improved: vec![Change {
                id: "migrations/up-down-round-trip".into(),
                before: "REFUTED".into(),
                after: "PROVEN".into(),
            }],
            new: Vec::new(),
            no_longer_apply: Vec::new(),
            not_run: Vec::new(),
            unchanged: 10,
        }),
        mutation: Some(fixed_mutation()),
    }
}

/// A mutation score with one mutant of each verdict and a kind with no mutant.
fn fixed_mutation() -> MutationScore {
    let mutant = |label: &str, kind: &str, claim: &str, change: &str| Mutant {
        label: label.into(),
        kind: kind.into(),
        claim: claim.into(),
        change: change.into(),
        rewrites: Vec::new(),
    };
    let outcome = |mutant, verdict, scenario: Option<&str>, evidence: &str| MutantOutcome {
        mutant,
        verdict,
        scenario: scenario.map(str::to_owned),
        evidence: evidence.into(),
        duration_ms: 2_100.0,
    };
    MutationScore::new(
        vec![
            outcome(
                mutant("drop check users(usage_count)", "drop-constraint", "constraints", r#"ALTER TABLE "public"."users" DROP CONSTRAINT "users_usage_count_check";"#),
                Verdict::Caught,
                Some("expected-constraints-exist"),
                "check users(usage_count): usage_count >= 0 is not in the schema",
            ),
            outcome(
                mutant("backup skips its retention policy", "backup-skips-retention", "backups", "backup_command = ( infra/scripts/backup-database.sh ) and removed backups put back"),
                Verdict::Survived,
                None,
                "every scenario of the claim came out as on the unmutated subject",
            ),
            outcome(
                mutant("monitor always exits 0", "monitor-always-healthy", "monitoring", "monitoring.command = ( infra/scripts/monitor-database.sh ); exit 0"),
                Verdict::NotProven,
                Some("monitor-reports-health"),
                "the monitor could not be run: psql is not installed",
            ),
        ],
        vec![NotDerived::new(
            "flow-without-transaction",
            "the bundled `instantviz` flows are Rust code with their transactions inside",
        )],
    )
}

/// The negative control: refuted nearly everywhere, and a manifest error that stopped two
/// scenarios, said once.
fn fixed_instantviz_before() -> Scorecard {
    let stopped = |id: &str| {
        let mut s = scenario(
            id,
            "a scenario that reads monitoring.command",
            Outcome::not_proven(Evidence::new("stopped by input error #1")),
            1.0,
        );
        s.stopped_by = Some(0);
        s
    };
    let mut card = fixed_instantviz();
    card.subject = INSTANTVIZ_BEFORE.into();
    card.regressions.clear();
    card.trends.clear();
    card.mutation = None;
    card.baseline = Some(BaselineComparison {
        path: "main/report.json".into(),
        started_at: "2026-11-29T08:00:00Z".into(),
        regressed: vec![
            Change {
                id: "migrations/up-down-round-trip".into(),
                before: "PROVEN".into(),
                after: "REFUTED".into(),
            },
            Change {
                id: "indexes/no-redundant-indexes/duplicate-index public.users_email_idx".into(),
                before: "no such finding".into(),
                after: "new finding: index public.users_email_idx duplicates the UNIQUE constraint users_email_key".into(),
            },
        ],
        improved: Vec::new(),
        new: vec![Change {
            id: "monitoring/app-health-follows-the-database".into(),
            before: "not in the baseline".into(),
            after: "N/A".into(),
        }],
        no_longer_apply: vec![Change {
            id: "migrations/locks-stay-short-under-load".into(),
            before: "PROVEN".into(),
            after: "N/A".into(),
        }],
        not_run: vec!["restore_drill/rto-drill".into()],
        unchanged: 6,
    });
    card.claims = vec![
        claim(
            "backups",
            vec![scenario(
                "backup-restores-to-a-fresh-server",
                "the newest backup restores into a fresh server, verified",
                Outcome::refuted(Evidence::new("no backup configured").counterexample(
                    "nothing to restore",
                    vec!["readiness.toml names no backup command and no backup directory".into()],
                )),
                12.0,
            )],
        ),
        claim(
            "migrations",
            vec![scenario(
                "up-down-round-trip",
                "every migration applies, rolls back and applies again",
                Outcome::refuted(Evidence::new("no down migration for 2 of 2 steps")),
                640.0,
            )],
        ),
        claim(
            "monitoring",
            vec![
                stopped("monitor-reports-health"),
                stopped("slow-queries-logged"),
            ],
        ),
        claim("restore_drill", Vec::new()),
    ];
    card.input_errors = vec![InputError {
        message:
            "readiness.toml:12: `monitoring.command`: `check_db.sh` is not in the subject directory"
                .into(),
        scenarios: vec![
            "monitoring/monitor-reports-health".into(),
            "monitoring/slow-queries-logged".into(),
        ],
    }];
    card
}

/// Snapshots every rendering of `card` under `name-…`, through `stable`.
fn assert_renderings(name: &str, card: &Scorecard, stable: fn(&str) -> String) {
    with_top_level_snapshots(|| {
        insta::assert_snapshot!(
            format!("{name}-terminal"),
            stable(&terminal::render(card, false))
        );
        insta::assert_snapshot!(
            format!("{name}-terminal-detail"),
            stable(&terminal::render(card, true))
        );
        insta::assert_snapshot!(
            format!("{name}-summary.md"),
            stable(&markdown::render(card))
        );
        insta::assert_snapshot!(format!("{name}-junit.xml"), stable(&junit::render(card)));
        insta::assert_snapshot!(format!("{name}-report.json"), stable(&json::render(card)));
        insta::assert_snapshot!(format!("{name}-report.html"), stable(&html::render(card)));
    });
    validate_against_schema(&json::render(card));
}

#[test]
fn fixed_scorecards_render_as_their_snapshots() {
    assert_renderings("fixed-instantviz", &fixed_instantviz(), volatile::stable);
    assert_renderings(
        "fixed-instantviz-before",
        &fixed_instantviz_before(),
        volatile::stable,
    );
}

#[test]
fn charts_render_as_their_snapshots() {
    let card = fixed_instantviz();
    let Figure::Latency { queries, max_slope } = latency_figure() else {
        unreachable!()
    };
    let Figure::Drill(drill) = drill_figure() else {
        unreachable!()
    };
    with_top_level_snapshots(|| {
        insta::assert_snapshot!(
            "chart-latency.svg",
            chart::latency::render(
                "instantviz: median latency of the main queries by scale",
                max_slope,
                &queries
            )
        );
        insta::assert_snapshot!("chart-drill.svg", chart::drill::render(&drill));
        insta::assert_snapshot!("chart-durations.svg", chart::durations::render(&card));
        insta::assert_snapshot!(
            "chart-trends.svg",
            chart::trend::render(&card.trends, &card.regressions)
        );
    });
}

/// The claims whose evidence reads the same in every run of one seed once the redactor
/// has masked timings: the real runs' snapshots cover them on both bundled subjects. Left
/// out, as their counts depend on the machine's speed: the backups claim (the commits that
/// land during a backup) and the races (how many rounds both sides committed).
const STEADY_CLAIMS: [&str; 2] = ["constraints", "migrations"];

fn steady(scenario: &std::sync::Arc<dyn harness::Scenario>) -> bool {
    !scenario.id().ends_with("-under-race")
}

/// The real runs' seed: fixed, so that generated rows read the same in every run.
const REAL_RUN_SEED: u64 = 20_261_130;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_runs_render_as_their_snapshots() {
    for name in [INSTANTVIZ, INSTANTVIZ_BEFORE] {
        let subject = Subject::load(&bundled(name)).expect("the bundled subject loads");
        let claims: Vec<_> = scenarios::CLAIMS
            .iter()
            .copied()
            .filter(|c| STEADY_CLAIMS.contains(&c.id))
            .collect();
        let run = Run::new(
            subject,
            test_backend().await,
            RunOptions::from_env(REAL_RUN_SEED),
        );
        let scenarios: Vec<_> = scenarios::all().into_iter().filter(steady).collect();
        let card = runner::run(&claims, &scenarios, run, &runner::Quiet).await;
        assert_renderings(&format!("run-{name}"), &card, volatile::stable_shape);
    }
}

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .join("docs/report.schema.json")
}

/// `report_json` is valid against the committed schema.
fn validate_against_schema(report_json: &str) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(schema_path()).expect("docs/report.schema.json is there"),
    )
    .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let report: serde_json::Value = serde_json::from_str(report_json).expect("report.json is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "report.json does not match its schema:\n{}",
        errors.join("\n")
    );
}

/// The committed schema is the one the report types give: a field added or changed in the
/// code without the schema fails here (`READINESS_UPDATE_SNAPSHOTS=1` rewrites it).
#[test]
fn the_committed_schema_is_the_report_types_schema() {
    let generated = harness::report::json::schema();
    let path = schema_path();
    if std::env::var("READINESS_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is not the schema of the report types: review the change and rewrite it with READINESS_UPDATE_SNAPSHOTS=1",
        path.display()
    );
}

#[test]
fn a_report_missing_a_required_field_fails_the_schema() {
    let mut report: serde_json::Value =
        serde_json::from_str(&json::render(&fixed_instantviz())).unwrap();
    report["claims"][0]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(
        !validator.is_valid(&report),
        "a claim without a status must not validate"
    );
    report = serde_json::from_str(&json::render(&fixed_instantviz())).unwrap();
    report["claims"][0]["status"] = "maybe".into();
    assert!(
        !validator.is_valid(&report),
        "an unknown status must not validate"
    );
}
