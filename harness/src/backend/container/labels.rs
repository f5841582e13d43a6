//! The labels on every container the backend creates, and the reaper that removes the
//! containers of runs that died without cleaning up (a SIGKILLed run).
//!
//! A container carries its run id, its owner process (pid and start time, which tells a
//! live owner from a new process that reused the pid) and the machine's boot id (a pid
//! means nothing on another machine sharing the engine). Kept containers are renamed
//! `readiness-kept-…` and never reaped.

use std::collections::HashMap;

use bollard::query_parameters::ListContainersOptionsBuilder;
use bollard::Docker;

use super::engine;
use crate::backend::names;
use crate::backend::native::scratch;

pub const RUN: &str = "readiness.run";
pub const OWNER_PID: &str = "readiness.owner-pid";
pub const OWNER_START: &str = "readiness.owner-start";
pub const BOOT: &str = "readiness.boot";
/// Containers renamed with this prefix (by `READINESS_KEEP`) are left alone.
pub const KEPT_PREFIX: &str = "readiness-kept-";

/// The labels for a container owned by this process.
pub fn ours() -> HashMap<String, String> {
    let pid = std::process::id();
    let owner = scratch::owner_line(pid).unwrap_or_default();
    let start = owner.split_whitespace().nth(1).unwrap_or("0").to_owned();
    HashMap::from([
        (RUN.to_owned(), names::run_id().to_owned()),
        (OWNER_PID.to_owned(), pid.to_string()),
        (OWNER_START.to_owned(), start),
        (BOOT.to_owned(), boot_id()),
    ])
}

/// This machine's boot id (`/proc/sys/kernel/random/boot_id`), or "unknown".
fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// Whether a container with these labels belongs to a process of this machine that is gone.
pub fn is_orphan(labels: &HashMap<String, String>) -> bool {
    if labels.get(BOOT) != Some(&boot_id()) {
        return false;
    }
    let (Some(pid), Some(start)) = (labels.get(OWNER_PID), labels.get(OWNER_START)) else {
        return false;
    };
    !scratch::owner_alive(&format!("{pid} {start}"))
}

/// Removes every container of a dead run of this machine; returns their names.
pub async fn reap_orphans(docker: &Docker) -> Vec<String> {
    let filters = HashMap::from([("label", vec![OWNER_PID])]);
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let Ok(containers) = docker.list_containers(Some(options)).await else {
        return Vec::new();
    };
    let mut reaped = Vec::new();
    for container in containers {
        let name = container
            .names
            .as_ref()
            .and_then(|n| n.first())
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_default();
        let labels = container.labels.unwrap_or_default();
        if name.starts_with(KEPT_PREFIX) || !is_orphan(&labels) {
            continue;
        }
        if let Some(id) = container.id {
            if engine::remove(docker, &id).await.is_ok() {
                reaped.push(name);
            }
        }
    }
    reaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_own_labels_are_not_orphans_and_a_dead_owner_is() {
        let mut labels = ours();
        assert!(!is_orphan(&labels), "{labels:?}");
        labels.insert(OWNER_PID.into(), "999999999".into());
        labels.insert(OWNER_START.into(), "1".into());
        assert!(is_orphan(&labels));
        labels.insert(BOOT.into(), "another-machine".into());
        assert!(
            !is_orphan(&labels),
            "another machine's containers are not ours to judge"
        );
    }
}
