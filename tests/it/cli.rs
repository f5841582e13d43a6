//! The `readiness` binary end to end: exit codes, reports, and clear errors for bad input,
//! with nothing left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn readiness(args: &[&str], envs: &[(&str, &str)]) -> (Output, u32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_readiness"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("READINESS_PG_BIN");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    (child.wait_with_output().unwrap(), pid)
}

pub(crate) fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Scratch directories whose owner marker names `pid`: what a finished run left behind.
pub(crate) fn leftovers_of(pid: u32) -> Vec<PathBuf> {
    harness::backend::native::scratch::roots()
        .into_iter()
        .flat_map(|root| std::fs::read_dir(root).unwrap())
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("readiness-")
        })
        .filter(|p| {
            std::fs::read_to_string(p.join(".readiness-owner"))
                .is_ok_and(|m| m.split_whitespace().next() == Some(pid.to_string().as_str()))
        })
        .collect()
}

pub(crate) fn subject(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/subjects")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn verify_proves_migrations_on_instantviz_and_writes_reports() {
    let report = tempfile::tempdir().unwrap();
    let (out, pid) = readiness(
        &[
            "verify",
            "--only",
            "migrations",
            "--report",
            report.path().to_str().unwrap(),
            "--seed",
            "7",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("PROVEN      migrations"),
        "{}",
        text(&out)
    );
    assert!(
        leftovers_of(pid).is_empty(),
        "left behind: {:?}",
        leftovers_of(pid)
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["subject"], "instantviz");
    assert_eq!(json["seed"], 7);
    assert!(json["backend"].as_str().unwrap().starts_with("native"));
    let claim = &json["claims"][0];
    assert_eq!(claim["id"], "migrations");
    assert_eq!(claim["status"], "proven");
    let scenario = &claim["scenarios"][0];
    assert_eq!(scenario["id"], "up-down-round-trip");
    assert_eq!(scenario["status"], "proven");
    assert!(scenario["duration_ms"].as_f64().unwrap() > 0.0);
    assert!(scenario["evidence"]["summary"]
        .as_str()
        .unwrap()
        .contains("3 migrations"));
    assert!(report.path().join("junit.xml").is_file());
    assert!(report.path().join("summary.md").is_file());
}

#[test]
fn verify_refutes_migrations_on_instantviz_before_with_exit_1() {
    let report = tempfile::tempdir().unwrap();
    let (out, pid) = readiness(
        &[
            "verify",
            "--subject",
            &subject("instantviz-before"),
            "--only",
            "migrations",
            "--report",
            report.path().to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("REFUTED     migrations"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("no down migration"), "{}", text(&out));
    assert!(leftovers_of(pid).is_empty());
    let junit = std::fs::read_to_string(report.path().join("junit.xml")).unwrap();
    assert!(junit.contains("type=\"refuted\""), "{junit}");
}

#[test]
fn a_missing_subject_directory_is_named_with_exit_2() {
    let (out, _) = readiness(&["verify", "--subject", "/no/such/subject"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("subject directory /no/such/subject does not exist"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_malformed_manifest_names_file_line_and_key_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(
        dir.path().join("readiness.toml"),
        "[subject]\nname = \"x\"\n\n[migrations]\ndir = \"migrations\"\nfoo = 1\n",
    )
    .unwrap();
    let (out, _) = readiness(&["verify", "--subject", dir.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    let expected = format!(
        "{}:6: `migrations.foo`",
        dir.path()
            .canonicalize()
            .unwrap()
            .join("readiness.toml")
            .display()
    );
    assert!(text(&out).contains(&expected), "{}", text(&out));
}

#[test]
fn a_missing_migration_directory_is_named_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("readiness.toml"),
        "[subject]\nname = \"x\"\n[migrations]\ndir = \"nowhere\"\n",
    )
    .unwrap();
    let (out, _) = readiness(&["verify", "--subject", dir.path().to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains(":4: `migrations.dir`: directory or schema file"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("nowhere` does not exist"),
        "{}",
        text(&out)
    );
}

#[test]
fn an_unparseable_migration_directive_names_the_file_and_line_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(
        dir.path().join("migrations/00001_users.sql"),
        "-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Dwon\nDROP TABLE users;\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("readiness.toml"),
        "[subject]\nname = \"x\"\n[migrations]\ndir = \"migrations\"\n",
    )
    .unwrap();
    let report = tempfile::tempdir().unwrap();
    let (out, pid) = readiness(
        &[
            "verify",
            "--subject",
            dir.path().to_str().unwrap(),
            "--only",
            "migrations",
            "--report",
            report.path().to_str().unwrap(),
        ],
        &[],
    );
    let text = text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("00001_users.sql:3: unexpected directive `-- +goose Dwon`"),
        "{text}"
    );
    // said once, with the scenarios it stopped; each of them points at it
    assert_eq!(
        text.matches("00001_users.sql:3: unexpected directive")
            .count(),
        1,
        "said once: {text}"
    );
    assert!(text.contains("input error #1: "), "{text}");
    assert!(text.contains("stopped: migrations/"), "{text}");
    assert!(text.contains("stopped by input error #1"), "{text}");
    assert!(leftovers_of(pid).is_empty());
}

#[test]
fn an_unknown_claim_is_a_usage_error() {
    let (out, _) = readiness(&["verify", "--only", "speed"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("unknown claim `speed`"),
        "{}",
        text(&out)
    );
}

#[test]
fn binaries_that_are_not_there_are_a_clear_environment_error() {
    let (out, pid) = readiness(
        &["verify", "--backend", "native", "--only", "migrations"],
        &[("READINESS_PG_BIN", "/nonexistent/bin")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("READINESS_PG_BIN=/nonexistent/bin does not hold"),
        "{}",
        text(&out)
    );
    assert!(leftovers_of(pid).is_empty());
}

#[test]
fn the_url_backend_needs_a_url() {
    let (out, _) = readiness(&["verify", "--backend", "url", "--only", "migrations"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("--backend url needs --url or DATABASE_URL"),
        "{}",
        text(&out)
    );
}

#[test]
fn ctrl_c_tears_everything_down_and_exits_130() {
    use std::io::BufReader;
    let mut child = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args([
            "verify",
            "--only",
            "migrations",
            "--report",
            tempfile::tempdir().unwrap().path().to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    // the scenario's progress line (no newline until it ends) is printed as it starts
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("migrations/up-down-round-trip") {
        assert_eq!(
            std::io::Read::read(&mut stderr, &mut byte).unwrap(),
            1,
            "stderr ended early"
        );
        seen.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&seen).into_owned();
    // interrupt while the run owns a server directory
    let started = std::time::Instant::now();
    while leftovers_of(pid).is_empty() {
        assert!(
            started.elapsed().as_secs() < 30,
            "the run never created a server"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{line}{rest}");
    assert!(
        rest.contains("interrupted: tore down 1 server(s)"),
        "{rest}"
    );
    assert!(
        leftovers_of(pid).is_empty(),
        "left behind: {:?}",
        leftovers_of(pid)
    );
}

#[test]
fn list_shows_every_claim_and_every_scenario() {
    let (out, _) = readiness(&["list"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let listed = text(&out);
    for claim in scenarios::CLAIMS {
        assert!(
            listed.contains(claim.id),
            "{} missing from: {listed}",
            claim.id
        );
    }
    for scenario in scenarios::all() {
        assert!(
            listed.contains(scenario.id()),
            "{} missing from: {listed}",
            scenario.id()
        );
    }
}

#[test]
fn an_unreachable_url_server_is_one_environment_error_before_any_scenario() {
    let report = tempfile::tempdir().unwrap();
    let (out, _) = readiness(
        &[
            "verify",
            "--backend",
            "url",
            "--url",
            "postgres://readiness:hunter2@127.0.0.1:1/nowhere",
            "--report",
            report.path().to_str().unwrap(),
        ],
        &[],
    );
    let text = text(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("failed to reach the PostgreSQL server"),
        "{text}"
    );
    assert_eq!(text.matches("error:").count(), 1, "one error, once: {text}");
    assert!(!text.contains("scorecard"), "no scenario ran: {text}");
    assert!(
        !text.contains("hunter2"),
        "the password is never shown: {text}"
    );
    assert!(!report.path().join("report.json").exists());
}

/// A copy of the corpus subject `name` without its hand-written manifest.
fn corpus_without_manifest(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus")
            .join(name),
        dir.path(),
    );
    std::fs::remove_file(dir.path().join("readiness.toml")).unwrap();
    dir
}

/// `verify --only claims` on the subject in `dir`: each claim's status (from report.json)
/// and what the run printed.
fn verify_statuses(dir: &str, claims: &str) -> (Vec<(String, String)>, String) {
    let report = tempfile::tempdir().unwrap();
    let (out, _) = readiness(
        &[
            "verify",
            "--subject",
            dir,
            "--only",
            claims,
            "--report",
            report.path().to_str().unwrap(),
        ],
        &[],
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.path().join("report.json")).unwrap())
            .unwrap();
    let statuses = json["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (statuses, text(&out))
}

/// `init` then `verify --only claims` on the corpus subject `name` without its manifest;
/// each claim's status.
fn init_then_verify(name: &str, claims: &str) -> (Vec<(String, String)>, String) {
    let project = corpus_without_manifest(name);
    let dir = project.path().to_str().unwrap();
    let (out, _) = readiness(&["init", dir], &[]);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
    verify_statuses(dir, claims)
}

/// `init` then `verify` on the corpus subject `name` reaches each `(claim, status)` that
/// `scenarios/tests/it/corpus.rs` asserts for its hand-written manifest.
fn init_then_verify_matches(name: &str, expected: &[(&str, &str)]) {
    let claims: Vec<&str> = expected.iter().map(|(claim, _)| *claim).collect();
    let (statuses, said) = init_then_verify(name, &claims.join(","));
    for (claim, status) in expected {
        assert!(
            statuses.contains(&(claim.to_string(), status.to_string())),
            "{name}: {claim} should be {status}: {statuses:?}\n{said}"
        );
    }
}

#[test]
fn init_then_verify_matches_the_hand_written_verdicts_on_rails_structure() {
    init_then_verify_matches(
        "rails-structure",
        &[
            // its retention (14 days) read from bin/db-backup's find -mtime
            ("backups", "proven"),
            ("restore_drill", "proven"),
            ("constraints", "proven"),
            ("indexes", "proven"),
            ("migrations", "refuted"),
            ("access_control", "refuted"),
            ("monitoring", "proven"),
        ],
    );
}

#[test]
fn init_then_verify_matches_the_hand_written_verdicts_on_prisma_app() {
    init_then_verify_matches(
        "prisma-app",
        &[
            ("constraints", "proven"),
            ("indexes", "proven"),
            ("migrations", "refuted"),
            ("access_control", "proven"),
            ("monitoring", "proven"),
        ],
    );
}

/// Alembic: init finds its commands and its step commands, so each revision is rolled back
/// on its own.
#[test]
fn init_then_verify_matches_the_hand_written_verdicts_on_alembic_saas() {
    init_then_verify_matches(
        "alembic-saas",
        &[
            ("constraints", "proven"),
            ("indexes", "proven"),
            ("migrations", "proven"),
            ("access_control", "proven"),
            ("monitoring", "proven"),
        ],
    );
}

/// Django: init rolls back every app `showmigrations` lists, which the hand-written manifest
/// spells out app by app.
#[test]
fn init_then_verify_matches_the_hand_written_verdicts_on_django_shop() {
    init_then_verify_matches(
        "django-shop",
        &[
            ("constraints", "proven"),
            ("indexes", "proven"),
            ("migrations", "proven"),
            ("access_control", "refuted"),
            ("monitoring", "refuted"),
        ],
    );
}

/// A `pg_dump --schema-only` with psql meta-commands (applied with psql) and a 125-step
/// history with three lossy downs. (long-history's hand-written manifest has no `[scale]`
/// and no `[[queries]]` either: its `indexes` verdict comes from the same derived data and
/// queries, and corpus.rs checks it.)
#[test]
fn init_then_verify_matches_the_hand_written_verdicts_on_a_schema_dump_and_a_long_history() {
    init_then_verify_matches(
        "dvdrental-dump",
        &[
            ("constraints", "proven"),
            ("indexes", "proven"),
            ("migrations", "proven"),
            ("access_control", "not_proven"),
            ("monitoring", "refuted"),
        ],
    );
    init_then_verify_matches(
        "long-history",
        &[("migrations", "refuted"), ("access_control", "not_proven")],
    );
}

/// `init` on a project it has never seen, then `verify` with what it wrote: the verdicts
/// of the hand-written manifest (tests/corpus/go-migrate-api) on the claims both cover.
#[test]
fn init_then_verify_reaches_the_hand_written_verdicts() {
    let project = corpus_without_manifest("go-migrate-api");
    let dir = project.path().to_str().unwrap();
    let (out, pid) = readiness(&["init", dir], &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    for found in [
        "sqlx / golang-migrate, 7 step(s)",
        "docker compose file: deploy/docker-compose.yml",
        "backup script: deploy/backup.sh",
        "restore script: deploy/restore.sh",
        "monitoring script: deploy/healthcheck.sh",
        ".env: not found",
    ] {
        assert!(said.contains(found), "{found}: {said}");
    }
    assert!(leftovers_of(pid).is_empty());
    let written = std::fs::read_to_string(project.path().join("readiness.toml")).unwrap();
    assert!(
        written.contains("name = \"accounts_status_check\""),
        "{written}"
    );
    assert!(written.contains("rejects = ["), "{written}");

    // a second init does not overwrite what the user may have edited
    let (again, _) = readiness(&["init", dir], &[]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(text(&again).contains("--force"), "{}", text(&again));
    assert_eq!(
        std::fs::read_to_string(project.path().join("readiness.toml")).unwrap(),
        written
    );

    let (statuses, said) =
        verify_statuses(dir, "backups,constraints,indexes,migrations,access_control");
    let status = |claim: &str| {
        statuses
            .iter()
            .find(|(id, _)| id == claim)
            .map(|(_, status)| status.clone())
            .unwrap_or_default()
    };
    assert_eq!(status("constraints"), "proven", "{said}");
    assert_eq!(status("migrations"), "proven", "{said}");
    // the two defects the hand-written manifest's verdicts name
    assert_eq!(status("indexes"), "refuted", "{said}");
    assert!(said.contains("events(account_id)"), "{said}");
    assert_eq!(status("access_control"), "refuted", "{said}");
    // it keeps a count of backups, not days: with no retention claimed, none is judged, and
    // what the script keeps is said
    assert_eq!(status("backups"), "not_proven", "{said}");
    assert!(
        said.contains("no retention policy is claimed")
            && said.contains("removed those from 200 days old on"),
        "{said}"
    );
}

/// A migrations directory with a schema dump committed beside it (`db/structure.sql`):
/// `init` names the dump as the schema the migrations must build, and `verify` compares
/// the two.
#[test]
fn init_takes_a_committed_schema_dump_as_the_schema_snapshot() {
    let project = tempfile::tempdir().unwrap();
    let bundled =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/subjects/instantviz");
    let migrations = project.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    let mut dump = String::new();
    for entry in std::fs::read_dir(bundled.join("migrations")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, migrations.join(path.file_name().unwrap())).unwrap();
    }
    for step in ["0001_initial_schema", "0002_constraints", "0003_indexes"] {
        dump.push_str(&std::fs::read_to_string(migrations.join(format!("{step}.up.sql"))).unwrap());
    }
    std::fs::create_dir(project.path().join("db")).unwrap();
    std::fs::write(project.path().join("db/structure.sql"), dump).unwrap();

    let dir = project.path().to_str().unwrap();
    let (out, _) = readiness(&["init", dir], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let written = std::fs::read_to_string(project.path().join("readiness.toml")).unwrap();
    assert!(
        written.contains("dir = \"migrations\"\n# the committed schema dump, which the migrations must build exactly\nschema_snapshot = \"db/structure.sql\""),
        "{written}"
    );
    let (statuses, said) = verify_statuses(dir, "migrations");
    assert!(
        statuses.contains(&("migrations".to_owned(), "proven".to_owned())),
        "{statuses:?}\n{said}"
    );
}

/// Off a terminal (the test's pipes), with neither CI nor NO_COLOR set: no bar and no
/// colour, only the plain lines, one per scenario.
#[test]
fn off_a_terminal_the_output_has_no_escape_sequences() {
    let report = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(["verify", "--only", "migrations", "--seed", "7", "--report"])
        .arg(report.path())
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .env_remove("DATABASE_URL")
        .env_remove("READINESS_PG_BIN")
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(0), "{said}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("  migrations/") && l.contains(" … PROVEN (")),
        "{stderr}"
    );
    assert!(!said.contains("\x1b["), "{said:?}");
}
