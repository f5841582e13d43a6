//! The shared server outlives no test binary: a child process (this test binary, running
//! one ignored test) takes a database, then ends by exiting, by a failed test, or by
//! SIGINT or SIGTERM; afterwards neither its postmaster nor its scratch directory exists.
//! With `READINESS_KEEP=1` a failed test's database and server are left, and said where.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::subject_dir;

/// Tells the child test what to do once it holds a database.
const CHILD_ENV: &str = "READINESS_TEST_TEARDOWN_CHILD";
/// What the child prints once it holds a database.
const READY: &str = "child holds a database";

#[tokio::test]
#[ignore = "a child process of the teardown tests"]
async fn child_holds_a_database() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let db = readiness_test::database(subject_dir())
        .await
        .expect("a test database");
    sqlx::query("INSERT INTO accounts (email) VALUES ('child@example.test')")
        .execute(db.pool())
        .await
        .expect("insert");
    println!("{READY}");
    match mode.as_str() {
        "panic" => panic!("this test fails on purpose"),
        "wait" => tokio::time::sleep(Duration::from_secs(120)).await,
        _ => {}
    }
}

/// A child test process, and what it runs on while it holds its database.
struct Held {
    child: Child,
    /// The child's stdout, read up to its READY line: read on to its end, or the child
    /// would write into a closed pipe.
    stdout: BufReader<ChildStdout>,
    postmasters: Vec<i32>,
    scratch_dirs: Vec<PathBuf>,
    output: Vec<String>,
}

/// Runs the child test in `mode` until it holds its database.
fn hold(mode: &str, env: &[(&str, &str)]) -> Option<Held> {
    if std::env::var(readiness_test::provider::BACKEND_ENV).is_ok_and(|b| b != "native") {
        eprintln!("SKIP teardown: observes native servers only");
        return None;
    }
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "teardown::child_holds_a_database",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, mode)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the child test");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut output = Vec::new();
    let mut line = String::new();
    while stdout.read_line(&mut line).expect("the child's output") > 0 {
        let ready = line.contains(READY);
        output.push(std::mem::take(&mut line).trim_end().to_owned());
        if ready {
            break;
        }
    }
    assert!(
        output.iter().any(|l| l.contains(READY)),
        "the child never held a database: {output:#?}"
    );
    let postmasters = children_named(child.id() as i32, "postgres");
    assert!(!postmasters.is_empty(), "the child runs no postmaster");
    let scratch_dirs: Vec<PathBuf> = postmasters.iter().filter_map(|&p| scratch_of(p)).collect();
    assert!(scratch_dirs.iter().all(|d| d.is_dir()), "{scratch_dirs:?}");
    Some(Held {
        child,
        stdout,
        postmasters,
        scratch_dirs,
        output,
    })
}

impl Held {
    /// Waits for the child to end and reads the rest of what it printed.
    fn finish(mut self) -> (ExitStatus, Vec<String>, Vec<i32>, Vec<PathBuf>) {
        let mut rest = String::new();
        let _ = self.stdout.read_to_string(&mut rest);
        self.output.extend(rest.lines().map(str::to_owned));
        let rest = self.child.wait_with_output().expect("the child's end");
        self.output.extend(
            String::from_utf8_lossy(&rest.stderr)
                .lines()
                .map(str::to_owned),
        );
        (
            rest.status,
            self.output,
            self.postmasters,
            self.scratch_dirs,
        )
    }
}

/// Asserts that the child left nothing running and nothing on disk.
fn assert_nothing_left(postmasters: &[i32], scratch_dirs: &[PathBuf], output: &[String]) {
    for &pid in postmasters {
        assert!(
            !is_alive(pid),
            "postmaster {pid} outlived its test binary: {output:#?}"
        );
    }
    for dir in scratch_dirs {
        assert!(!dir.exists(), "{} outlived its test binary", dir.display());
    }
}

#[test]
fn a_passing_test_binary_leaves_no_server_behind() {
    let Some(held) = hold("exit", &[]) else {
        return;
    };
    let (status, output, postmasters, dirs) = held.finish();
    assert!(status.success(), "{output:#?}");
    assert_nothing_left(&postmasters, &dirs, &output);
}

#[test]
fn a_failing_test_binary_leaves_no_server_behind() {
    let Some(held) = hold("panic", &[]) else {
        return;
    };
    let (status, output, postmasters, dirs) = held.finish();
    assert_eq!(status.code(), Some(101), "{output:#?}");
    assert_nothing_left(&postmasters, &dirs, &output);
}

#[test]
fn an_interrupted_test_binary_leaves_no_server_behind() {
    for (signal, code) in [(Signal::SIGINT, 130), (Signal::SIGTERM, 143)] {
        let Some(held) = hold("wait", &[]) else {
            return;
        };
        kill(Pid::from_raw(held.child.id() as i32), signal).expect("signal the child");
        let (status, output, postmasters, dirs) = held.finish();
        assert_eq!(status.code(), Some(code), "{signal}: {output:#?}");
        assert_nothing_left(&postmasters, &dirs, &output);
    }
}

#[test]
fn keep_leaves_a_failed_tests_database_and_says_where() {
    let Some(held) = hold("panic", &[(readiness_test::database::KEEP_ENV, "1")]) else {
        return;
    };
    let (status, output, postmasters, dirs) = held.finish();
    assert_eq!(status.code(), Some(101), "{output:#?}");
    let said = output.join("\n");
    assert!(
        said.contains("kept the failed test's database: postgres://"),
        "{said}"
    );
    assert!(said.contains("kept its server"), "{said}");
    // it is still there, and it is this test's to remove
    let kept: Vec<i32> = postmasters
        .iter()
        .copied()
        .filter(|&p| is_alive(p))
        .collect();
    for &pid in &kept {
        let _ = kill(Pid::from_raw(pid), Signal::SIGQUIT);
    }
    let still_there = dirs.iter().all(|d| d.is_dir());
    for &pid in &kept {
        let mut patience = harness::process::wait::Patience::new(
            Duration::from_secs(10),
            Duration::from_millis(20),
        );
        while is_alive(pid) && patience.another_look_blocking() {}
    }
    for dir in &dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
    assert_eq!(kept, postmasters, "the kept server was stopped");
    assert!(still_there, "the kept server's directory was removed");
}

/// The processes named `name` whose parent is `parent`.
fn children_named(parent: i32, name: &str) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|&pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let field = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
            };
            field("Name:").as_deref() == Some(name) && field("PPid:") == Some(parent.to_string())
        })
        .collect()
}

/// The scratch directory a postmaster runs from: the parent of its `-D` data directory.
fn scratch_of(postmaster: i32) -> Option<PathBuf> {
    let cmdline = std::fs::read(format!("/proc/{postmaster}/cmdline")).ok()?;
    let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
    let at = args.iter().position(|a| *a == b"-D")?;
    let data = PathBuf::from(String::from_utf8_lossy(args.get(at + 1)?).into_owned());
    data.parent().map(PathBuf::from)
}

/// Whether `pid` is a live process (a zombie waiting for init to reap it is not).
fn is_alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}
