//! The postmaster process: spawning it as the right user, waiting until it accepts
//! connections, and delivering signals to it and to every backend it forked.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;

use super::binaries::PgBinaries;
use super::run_as::{self, RunAs};
use super::scratch::PostmasterPid;
use crate::process::wait::Patience;

/// Everything needed to start (and restart) one postmaster.
#[derive(Debug, Clone)]
pub struct PostmasterSpec {
    pub bins: PgBinaries,
    pub run_as: Option<RunAs>,
    pub data_dir: PathBuf,
    pub socket_dir: PathBuf,
    pub log_file: PathBuf,
    pub settings: Vec<(String, String)>,
}

/// Why a start attempt failed, and whether trying again can help.
#[derive(Debug)]
pub enum StartFailure {
    /// Another process took the port between choosing it and binding it.
    PortTaken,
    /// A crashed predecessor's processes or shared memory are still in the way.
    Retryable(String),
    Fatal(String),
}

/// A running postmaster, a child of this process.
#[derive(Debug)]
pub struct Postmaster {
    child: Child,
}

impl Postmaster {
    /// Starts `postgres` on `port` in its own process group (so Ctrl-C reaches only the harness).
    pub fn spawn(spec: &PostmasterSpec, port: u16) -> Result<Postmaster, StartFailure> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&spec.log_file)
            .map_err(|e| {
                StartFailure::Fatal(format!("failed to open {}: {e}", spec.log_file.display()))
            })?;
        let log_err = log
            .try_clone()
            .map_err(|e| StartFailure::Fatal(e.to_string()))?;
        let mut cmd = Command::new(spec.bins.program("postgres"));
        cmd.arg("-D").arg(&spec.data_dir);
        for (key, value) in base_settings(spec, port).iter().chain(spec.settings.iter()) {
            cmd.arg("-c").arg(format!("{key}={value}"));
        }
        cmd.env("LC_ALL", "C")
            .env_remove("PGDATA")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        cmd.process_group(0);
        run_as::apply(spec.run_as.as_ref(), &mut cmd);
        let child = cmd.spawn().map_err(|e| {
            StartFailure::Fatal(format!(
                "failed to run {}: {e}",
                spec.bins.program("postgres").display()
            ))
        })?;
        Ok(Postmaster { child })
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits until `postmaster.pid` says "ready", the process exits, or `deadline` passes.
    pub async fn wait_ready(
        &mut self,
        spec: &PostmasterSpec,
        deadline: Duration,
    ) -> Result<(), StartFailure> {
        let pid_file = spec.data_dir.join("postmaster.pid");
        let mut patience = Patience::new(deadline, Duration::from_millis(5));
        while patience.another_look().await {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(classify_exit(
                    &status.to_string(),
                    &log_tail(&spec.log_file),
                ));
            }
            if let Some(info) = PostmasterPid::read(&pid_file) {
                if info.pid == self.pid() && info.status == "ready" {
                    return Ok(());
                }
            }
        }
        self.kill_all();
        Err(StartFailure::Fatal(format!(
            "not ready after {:.1} s; log: {}",
            deadline.as_secs_f64(),
            log_tail(&spec.log_file)
        )))
    }

    /// Sends `signal` to the postmaster and every process it forked.
    pub fn signal_all(&self, signal: Signal) {
        let pid = self.pid();
        if signal == Signal::SIGKILL {
            // freeze the postmaster first so that it forks nothing while its children die
            let _ = signal::kill(Pid::from_raw(pid), Signal::SIGSTOP);
        }
        for child in children_of(pid) {
            let _ = signal::killpg(Pid::from_raw(child), signal);
            let _ = signal::kill(Pid::from_raw(child), signal);
        }
        let _ = signal::kill(Pid::from_raw(pid), signal);
    }

    /// kill -9 everything and reap the postmaster.
    pub fn kill_all(&mut self) {
        self.signal_all(Signal::SIGKILL);
        let _ = self.child.wait();
    }

    /// Asks the postmaster to shut down (SIGINT: fast and clean; SIGQUIT: immediate) and
    /// waits up to `timeout`, then kills everything.
    pub async fn shut_down(&mut self, signal: Signal, timeout: Duration) {
        self.request_shutdown(signal);
        let mut patience = Patience::new(timeout, Duration::from_millis(5));
        while patience.another_look().await {
            if !self.is_running() {
                return;
            }
        }
        self.kill_all();
    }

    /// [`Postmaster::shut_down`] for places that cannot await (`Drop`).
    pub fn shut_down_blocking(&mut self, signal: Signal, timeout: Duration) {
        self.request_shutdown(signal);
        let mut patience = Patience::new(timeout, Duration::from_millis(5));
        while patience.another_look_blocking() {
            if !self.is_running() {
                return;
            }
        }
        self.kill_all();
    }

    fn request_shutdown(&self, signal: Signal) {
        // a paused server must be resumed to hear the request
        self.signal_all(Signal::SIGCONT);
        let _ = signal::kill(Pid::from_raw(self.pid()), signal);
    }

    /// Whether the postmaster is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn base_settings(spec: &PostmasterSpec, port: u16) -> Vec<(String, String)> {
    [
        ("port", port.to_string()),
        ("listen_addresses", "127.0.0.1".to_owned()),
        (
            "unix_socket_directories",
            spec.socket_dir.display().to_string(),
        ),
        ("unix_socket_permissions", "0700".to_owned()),
        // files inside the data directory: removed with it even after kill -9
        ("dynamic_shared_memory_type", "mmap".to_owned()),
        ("huge_pages", "off".to_owned()),
        ("logging_collector", "off".to_owned()),
        ("log_line_prefix", "%m [%p] ".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn classify_exit(status: &str, log: &str) -> StartFailure {
    if log.contains("could not bind") || log.contains("Address already in use") {
        StartFailure::PortTaken
    } else if log.contains("pre-existing shared memory block")
        || log.contains("lock file") && log.contains("already exists")
    {
        StartFailure::Retryable(log.to_owned())
    } else {
        StartFailure::Fatal(format!("postgres exited with {status}; log: {log}"))
    }
}

/// The last lines of the server log, for error messages.
pub fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

/// The pids whose parent is `pid` (Linux `/proc`; empty elsewhere).
pub fn children_of(pid: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|child| parent_of(*child) == Some(pid))
        .collect()
}

fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat[stat.rfind(')')? + 2..]
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
