//! The corpus: projects written the way each stack's users write them (Alembic and the
//! report's bash scripts, Django, a Rails `structure.sql`, Prisma, golang-migrate, a
//! `pg_dump --schema-only` of a rich schema, a 125-step migration history), each with the
//! verdict of every claim that is true of it, and for each REFUTED the words of the real
//! defect its evidence must name. A verdict its evidence does not support fails here.
//!
//! The subjects live in `tests/corpus/`; the Alembic and Django ones need the Python
//! packages in their `requirements.txt` (`.ci/run` installs them). The restore drill runs
//! at 1k users here; the manifests' own scales are small.

use std::path::PathBuf;
use std::sync::Arc;

use harness::Status::{self, NotProven, Proven, Refuted};
use scenarios::restore_drill::RtoDrill;
use scenarios::testing::{assert_claim, can_mount_or_skip, verify_with};

/// One claim's expected verdict, and what the evidence of a REFUTED one must say.
struct Expect {
    claim: &'static str,
    status: Status,
    says: &'static [&'static str],
}

const fn holds(claim: &'static str) -> Expect {
    Expect {
        claim,
        status: Proven,
        says: &[],
    }
}

const fn refuted(claim: &'static str, says: &'static [&'static str]) -> Expect {
    Expect {
        claim,
        status: Refuted,
        says,
    }
}

const fn not_proven(claim: &'static str, says: &'static [&'static str]) -> Expect {
    Expect {
        claim,
        status: NotProven,
        says,
    }
}

const NO_FLOWS: &[&str] = &["the subject declares no flows"];
const NO_BACKUP: &[&str] = &["no backup configured"];

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(name)
}

/// Every scenario, the restore drill at 1k users.
fn scenarios() -> Vec<Arc<dyn harness::Scenario>> {
    let mut all: Vec<Arc<dyn harness::Scenario>> = scenarios::all()
        .into_iter()
        .filter(|s| s.id() != "rto-drill")
        .collect();
    all.push(Arc::new(RtoDrill::at(1_000)));
    all
}

async fn check(subject: &str, expected: &[Expect]) {
    // the full-disk scenario mounts a small filesystem: without root, `backups` cannot be
    // judged, so the subject is skipped (a failure under READINESS_REQUIRE_ROOT=1)
    if !can_mount_or_skip(&format!("corpus {subject}")) {
        return;
    }
    let claims: Vec<&str> = expected.iter().map(|e| e.claim).collect();
    let scorecard = verify_with(&corpus(subject), &claims, &scenarios()).await;
    let rendered = harness::report::terminal::render(&scorecard, true);
    assert!(
        scorecard.input_errors.is_empty(),
        "{subject}: input errors {:?}\n{rendered}",
        scorecard.input_errors
    );
    for e in expected {
        assert_claim(&scorecard, e.claim, e.status);
        let claim = scorecard.claim(e.claim).expect("the claim ran");
        let evidence = serde_json::to_string(&claim.scenarios).expect("evidence serializes");
        for words in e.says {
            assert!(
                evidence.contains(words),
                "{subject}: the evidence of {} does not say `{words}`\n{rendered}",
                e.claim
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alembic_saas_with_the_reports_scripts_and_its_python_flows_holds() {
    check(
        "alembic-saas",
        &[
            holds("backups"),
            holds("transactions"),
            holds("constraints"),
            holds("indexes"),
            holds("migrations"),
            holds("access_control"),
            holds("monitoring"),
            holds("restore_drill"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_shop_publishes_its_port_logs_no_slow_query_and_keeps_a_truncated_dump() {
    check(
        "django-shop",
        &[
            // on a full disk ops/backup.sh reports the failure but leaves the truncated
            // shop-<day>.dump under its final name: the next restore would take it
            refuted(
                "backups",
                &[
                    "reported the failure, but left shop-",
                    "named like a backup",
                ],
            ),
            holds("transactions"),
            holds("constraints"),
            holds("indexes"),
            holds("migrations"),
            refuted(
                "access_control",
                &["published on every interface", "5432:5432"],
            ),
            refuted("monitoring", &["was not logged", "no monitoring command"]),
            holds("restore_drill"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rails_structure_sql_cannot_roll_back_and_has_a_weak_password() {
    check(
        "rails-structure",
        &[
            holds("backups"),
            holds("transactions"),
            holds("constraints"),
            holds("indexes"),
            refuted("migrations", &["there is no down command"]),
            refuted("access_control", &["the password has 8 characters"]),
            holds("monitoring"),
            holds("restore_drill"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prisma_app_has_no_down_migrations_and_a_restore_that_drops_before_it_checks() {
    check(
        "prisma-app",
        &[
            refuted(
                "backups",
                &["truncated to half its length: refused too late"],
            ),
            not_proven("transactions", NO_FLOWS),
            holds("constraints"),
            holds("indexes"),
            refuted("migrations", &["there is no down command"]),
            holds("access_control"),
            holds("monitoring"),
            holds("restore_drill"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_migrate_api_keeps_fourteen_backups_not_fourteen_days_and_misses_an_index() {
    check(
        "go-migrate-api",
        &[
            refuted("backups", &["does not apply the 14-day retention policy"]),
            holds("transactions"),
            holds("constraints"),
            refuted(
                "indexes",
                &["events(account_id) → accounts: no index leads with (account_id)"],
            ),
            holds("migrations"),
            refuted(
                "access_control",
                &["POSTGRES_PASSWORD is written into the file"],
            ),
            refuted(
                "monitoring",
                &["was not logged", "the report leaves out table(s)"],
            ),
            holds("restore_drill"),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dvdrental_schema_dump_holds_its_constraints_and_keeps_no_backup() {
    check(
        "dvdrental-dump",
        &[
            refuted("backups", NO_BACKUP),
            not_proven("transactions", NO_FLOWS),
            holds("constraints"),
            holds("indexes"),
            holds("migrations"),
            not_proven(
                "access_control",
                &[
                    "names neither a docker-compose file",
                    "names no docker-compose file",
                ],
            ),
            refuted("monitoring", &["no monitoring command"]),
            refuted("restore_drill", &["no restore procedure to drill"]),
        ],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_history_names_all_three_lossy_downs_and_two_data_losing_ones_in_one_run() {
    check(
        "long-history",
        &[
            refuted("backups", NO_BACKUP),
            not_proven("transactions", NO_FLOWS),
            not_proven("constraints", &["the manifest claims no constraints"]),
            // no [scale] and no [[queries]]: the data and the main queries are derived from
            // the catalog
            holds("indexes"),
            refuted(
                "migrations",
                &[
                    "3 of 125 migrations cannot be rolled back",
                    "20210524130000 add comments edited at",
                    "comments_author_id_idx",
                    "20220606140000 add comments body html",
                    "comments_body_not_blank",
                    "(not valid)",
                    "20231002093000 drop organizations plan",
                    // two downs that delete every row of a table, not only the up's
                    "20210405121000 move ticket requesters to customers: up then down loses rows or values written before the step",
                    "20230117090000 backfill subscriptions from organizations: up then down loses rows or values written before the step",
                    // each step traced under load at 10k users, the lint checked against it
                    "memberships (10000 rows): ACCESS EXCLUSIVE lock held",
                    "constraint-without-not-valid on public.memberships",
                ],
            ),
            not_proven("access_control", &["names no docker-compose file"]),
            refuted("monitoring", &["no monitoring command"]),
            refuted("restore_drill", &["no restore procedure to drill"]),
        ],
    )
    .await;
}
