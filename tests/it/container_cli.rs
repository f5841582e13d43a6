//! `readiness verify` on the container backend with bad input: no Docker engine, an image
//! that is missing and cannot be pulled, an image that is not PostgreSQL, a `--pg` major
//! with no image. Each is one clear error, exit 2, and no container left behind. And the
//! two ways a run ends early: Ctrl-C removes its containers; a SIGKILLed run's containers
//! are reaped by the next run.
//!
//! Tests that need an engine print a SKIP line without one, unless
//! `READINESS_REQUIRE_DOCKER=1`, which makes that a failure.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use harness::skip;

fn readiness(args: &[&str], env: &[(&str, &str)]) -> (Output, u32) {
    let child = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(args)
        .envs(env.iter().copied())
        .env("READINESS_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run readiness");
    let pid = child.id();
    (child.wait_with_output().expect("readiness output"), pid)
}

/// Asserts exit 2 with exactly one error containing every one of `expected`.
#[track_caller]
fn assert_one_clear_error(output: &Output, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "exit code; stderr:\n{stderr}"
    );
    assert_eq!(
        stderr.matches("error:").count(),
        1,
        "one error, once:\n{stderr}"
    );
    for text in expected {
        assert!(stderr.contains(text), "expected `{text}` in:\n{stderr}");
    }
}

fn docker_answers(test: &str) -> bool {
    let answers = Command::new("docker")
        .arg("info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !answers {
        skip::skip(test, "no Docker engine answers", skip::REQUIRE_DOCKER);
    }
    answers
}

/// The PostgreSQL test image when the engine answers and has it; else `None` after a `SKIP`
/// line (a failure under `READINESS_REQUIRE_DOCKER=1`).
fn image_or_skip(test: &str) -> Option<String> {
    if !docker_answers(test) {
        return None;
    }
    let image = std::env::var("READINESS_PG_IMAGE")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "readiness-postgres:15".into());
    let present = Command::new("docker")
        .args(["image", "inspect", &image])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !present {
        skip::skip(
            test,
            &format!("no image {image} (build it with scripts/build-postgres-image)"),
            skip::REQUIRE_DOCKER,
        );
        return None;
    }
    Some(image)
}

/// Containers, running or not, that the readiness process `pid` created.
fn containers_of(pid: u32) -> String {
    let output = Command::new("docker")
        .args(["ps", "--all", "--quiet", "--filter"])
        .arg(format!("label=readiness.owner-pid={pid}"))
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn no_docker_engine_is_one_clear_error() {
    let (output, _) = readiness(
        &["verify", "--backend", "container", "--only", "migrations"],
        &[("DOCKER_HOST", "unix:///nonexistent")],
    );
    assert_one_clear_error(
        &output,
        &["no Docker engine answers at unix:///nonexistent"],
    );
}

#[test]
fn missing_image_that_cannot_be_pulled_is_one_clear_error() {
    if !docker_answers("missing_image_that_cannot_be_pulled_is_one_clear_error") {
        return;
    }
    let image = "readiness-postgres:no-such-tag";
    let (output, pid) = readiness(&["verify", "--backend", "container", "--image", image], &[]);
    assert_one_clear_error(
        &output,
        &[
            &format!("image `{image}` is not on this machine and could not be pulled"),
            "scripts/build-postgres-image",
        ],
    );
    assert_eq!(containers_of(pid), "", "nothing left behind");
}

#[test]
fn pg_major_without_an_image_is_one_clear_error() {
    if !docker_answers("pg_major_without_an_image_is_one_clear_error") {
        return;
    }
    let (output, pid) = readiness(&["verify", "--pg", "99"], &[]);
    assert_one_clear_error(&output, &["postgres:99", "scripts/build-postgres-image 99"]);
    assert_eq!(containers_of(pid), "", "nothing left behind");
}

#[test]
fn image_that_is_not_postgres_is_one_clear_error() {
    let test = "image_that_is_not_postgres_is_one_clear_error";
    // a PostgreSQL image whose entrypoint is replaced by a shell that prints and exits
    let Some(base) = image_or_skip(test) else {
        return;
    };
    let image = "readiness-test-not-postgres-cli:latest";
    let mut build = Command::new("docker")
        .args(["build", "--quiet", "--tag", image, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker build");
    write!(
        build.stdin.take().unwrap(),
        "FROM {base}\nENTRYPOINT [\"/bin/sh\", \"-c\", \"echo a web server\"]\n"
    )
    .unwrap();
    assert!(
        build.wait().unwrap().success(),
        "could not build a test image from {base}"
    );
    let (output, pid) = readiness(&["verify", "--backend", "container", "--image", image], &[]);
    let leftovers = containers_of(pid);
    let _ = Command::new("docker").args(["image", "rm", image]).output();
    assert_one_clear_error(
        &output,
        &[
            &format!("image `{image}` is not a PostgreSQL image"),
            "a web server",
        ],
    );
    assert_eq!(leftovers, "", "nothing left behind");
}

/// The names of the server containers (not image probes) of the readiness process `pid`.
fn servers_of(pid: u32) -> Vec<String> {
    let output = Command::new("docker")
        .args(["ps", "--all", "--format", "{{.Names}}", "--filter"])
        .arg(format!("label=readiness.owner-pid={pid}"))
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|name| name.starts_with("readiness-") && !name.starts_with("readiness-probe-"))
        .map(str::to_owned)
        .collect()
}

/// Starts `readiness verify` on the container backend and waits until a server container runs.
fn verify_with_a_container(report: &std::path::Path, image: &str) -> (std::process::Child, u32) {
    let child = Command::new(env!("CARGO_BIN_EXE_readiness"))
        .args(["verify", "--backend", "container", "--image", image])
        .args(["--only", "migrations", "--report"])
        .arg(report)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run readiness");
    let pid = child.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while servers_of(pid).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "readiness started no server container within 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (child, pid)
}

fn signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "kill {signal} {pid}");
}

/// The reaper of one test must not clean up after the other: these two run one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn interrupted_run_removes_its_containers() {
    let Some(image) = image_or_skip("interrupted_run_removes_its_containers") else {
        return;
    };
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let report = tempfile::tempdir().unwrap();
    let (child, pid) = verify_with_a_container(report.path(), &image);
    signal(pid, "-INT");
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted: tore down"), "{stderr}");
    assert_eq!(containers_of(pid), "", "Ctrl-C leaves no container");
}

#[test]
fn killed_run_leaves_containers_that_the_next_run_reaps() {
    let Some(image) = image_or_skip("killed_run_leaves_containers_that_the_next_run_reaps") else {
        return;
    };
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let report = tempfile::tempdir().unwrap();
    let (mut child, pid) = verify_with_a_container(report.path(), &image);
    signal(pid, "-KILL");
    let _ = child.wait();
    assert!(
        !servers_of(pid).is_empty(),
        "a SIGKILLed run cannot clean up"
    );
    // any container-backend run reaps first, even one that then fails on its image
    let (_, _) = readiness(
        &[
            "verify",
            "--backend",
            "container",
            "--image",
            "readiness-postgres:no-such-tag",
        ],
        &[],
    );
    assert_eq!(
        containers_of(pid),
        "",
        "the next run reaps the dead run's containers"
    );
}
