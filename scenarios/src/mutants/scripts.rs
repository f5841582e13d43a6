//! Broken operations scripts, by wrapping the manifest's commands: a backup that writes a
//! truncated file and exits 0, one that ignores `pg_dump`'s failure, one that skips its
//! retention; a restore that does nothing; a monitor that always reports health.
//!
//! Wrapping works for any stack's commands (shell, Python, make): the wrapper runs the
//! subject's command unchanged in a subshell, with `sh -c` as readiness runs every command.

use harness::subject::Subject;

use super::{Change, CommandSlot, ManifestEdit, Mutant, NotDerived};

pub const BACKUP_TRUNCATED: &str = "backup-truncated";
pub const BACKUP_IGNORES_FAILURE: &str = "backup-ignores-failure";
pub const BACKUP_SKIPS_RETENTION: &str = "backup-skips-retention";
pub const RESTORE_DOES_NOTHING: &str = "restore-does-nothing";
pub const MONITOR_ALWAYS_HEALTHY: &str = "monitor-always-healthy";

/// The restore command of `restore-does-nothing`: the shell's no-op, named.
const RESTORES_NOTHING: &str = ": restore does nothing, by readiness mutate";

/// The mutants of the backup, restore and monitoring commands the manifest names.
pub fn script_mutants(subject: &Subject, not_derived: &mut Vec<NotDerived>) -> Vec<Mutant> {
    let manifest = &subject.manifest;
    let mut mutants = Vec::new();
    let backup = manifest.backup.as_ref();
    match backup.and_then(|b| b.backup_command.as_deref()) {
        Some(command) => {
            mutants.push(backup_mutant(
                BACKUP_TRUNCATED,
                "backup writes a truncated file and exits 0",
                command,
                truncated(command),
            ));
            mutants.push(backup_mutant(
                BACKUP_IGNORES_FAILURE,
                "backup ignores pg_dump's failure",
                command,
                ignoring_pg_dump_failure(command),
            ));
            if backup.is_some_and(|b| b.retention_days.is_some()) {
                mutants.push(backup_mutant(
                    BACKUP_SKIPS_RETENTION,
                    "backup skips its retention policy",
                    command,
                    skipping_retention(command),
                ));
            } else {
                not_derived.push(NotDerived::new(
                    BACKUP_SKIPS_RETENTION,
                    "the manifest claims no backup.retention_days",
                ));
            }
        }
        None => {
            for kind in [
                BACKUP_TRUNCATED,
                BACKUP_IGNORES_FAILURE,
                BACKUP_SKIPS_RETENTION,
            ] {
                not_derived.push(NotDerived::new(
                    kind,
                    "the manifest names no backup_command",
                ));
            }
        }
    }
    match backup.and_then(|b| b.restore_command.as_deref()) {
        Some(command) => mutants.push(Mutant {
            label: "restore does nothing and exits 0".into(),
            kind: RESTORE_DOES_NOTHING,
            claim: crate::backups::CLAIM,
            change: command_change(CommandSlot::Restore, command, RESTORES_NOTHING.into()),
        }),
        None => not_derived.push(NotDerived::new(
            RESTORE_DOES_NOTHING,
            "the manifest names no restore_command",
        )),
    }
    match manifest.monitoring.command.as_deref() {
        Some(command) => mutants.push(Mutant {
            label: "monitor always exits 0".into(),
            kind: MONITOR_ALWAYS_HEALTHY,
            claim: crate::monitoring::CLAIM,
            change: command_change(
                CommandSlot::Monitor,
                command,
                format!("{}; exit 0", subshell(command)),
            ),
        }),
        None => not_derived.push(NotDerived::new(
            MONITOR_ALWAYS_HEALTHY,
            "the manifest names no monitoring.command",
        )),
    }
    mutants
}

fn backup_mutant(kind: &'static str, label: &str, original: &str, mutated: String) -> Mutant {
    Mutant {
        label: label.into(),
        kind,
        claim: crate::backups::CLAIM,
        change: command_change(CommandSlot::Backup, original, mutated),
    }
}

fn command_change(slot: CommandSlot, original: &str, mutated: String) -> Change {
    Change::Manifest(ManifestEdit::Command {
        slot,
        original: original.to_owned(),
        mutated,
    })
}

/// Runs `command`, then cuts the largest entry it added to `$BACKUP_DIR` to half its size,
/// and exits 0 whatever happened.
fn truncated(command: &str) -> String {
    let run = subshell(command);
    format!(
        r#"readiness_before=$(ls -A "$BACKUP_DIR" 2>/dev/null); {run}; ls -AS "$BACKUP_DIR" | while IFS= read -r f; do printf '%s\n' "$readiness_before" | grep -qxF -- "$f" && continue; [ -f "$BACKUP_DIR/$f" ] || continue; truncate -s "$(( $(wc -c < "$BACKUP_DIR/$f") / 2 ))" "$BACKUP_DIR/$f"; break; done; exit 0"#
    )
}

/// Runs `command` with a `pg_dump` first on `PATH` that runs the real one and exits 0.
fn ignoring_pg_dump_failure(command: &str) -> String {
    let run = subshell(command);
    format!(
        r#"readiness_real=$(command -v pg_dump) || exit 127; readiness_shim=$(mktemp -d); trap 'rm -rf "$readiness_shim"' EXIT; printf '#!/bin/sh\n"%s" "$@"\nexit 0\n' "$readiness_real" > "$readiness_shim/pg_dump"; chmod +x "$readiness_shim/pg_dump"; PATH="$readiness_shim:$PATH"; export PATH; {run}"#
    )
}

/// Runs `command`, then puts back every entry of `$BACKUP_DIR` it removed.
fn skipping_retention(command: &str) -> String {
    let run = subshell(command);
    format!(
        r#"readiness_keep=$(mktemp -d); trap 'rm -rf "$readiness_keep"' EXIT; cp -a "$BACKUP_DIR"/. "$readiness_keep"/ 2>/dev/null; {run}; readiness_status=$?; cp -an "$readiness_keep"/. "$BACKUP_DIR"/ 2>/dev/null; exit $readiness_status"#
    )
}

/// `command` in a subshell, on lines of its own: an `exit` in it ends only the subshell,
/// and a trailing `# comment` in it comments out nothing of the wrapper's.
fn subshell(command: &str) -> String {
    format!("(\n{command}\n)")
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::*;

    /// Runs `script` with `sh -c` as readiness runs commands, `BACKUP_DIR` set and `bin`
    /// first on `PATH`; its exit code.
    fn sh(script: &str, backup_dir: &Path, bin: &Path) -> i32 {
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .env("BACKUP_DIR", backup_dir)
            .env("PATH", path)
            .status()
            .unwrap()
            .code()
            .unwrap()
    }

    #[test]
    fn a_truncated_backup_is_cut_to_half_and_exits_0() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.dump"), "0123456789").unwrap();
        let backup = r#"printf 0123456789 > "$BACKUP_DIR/new.dump"; exit 3 # nightly"#;
        assert_eq!(sh(&truncated(backup), dir.path(), dir.path()), 0);
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(read("new.dump"), "01234");
        assert_eq!(read("old.dump"), "0123456789", "only what the run wrote");
    }

    #[test]
    fn pg_dumps_failure_is_hidden_from_the_backup_command() {
        let dir = tempfile::tempdir().unwrap();
        let bin = tempfile::tempdir().unwrap();
        let fake = bin.path().join("pg_dump");
        std::fs::write(&fake, "#!/bin/sh\nexit 1\n").unwrap();
        Command::new("chmod").arg("+x").arg(&fake).status().unwrap();
        let backup = "pg_dump --file=x || exit 9";
        assert_eq!(sh(backup, dir.path(), bin.path()), 9, "unmutated, it fails");
        assert_eq!(
            sh(&ignoring_pg_dump_failure(backup), dir.path(), bin.path()),
            0
        );
    }

    #[test]
    fn skipped_retention_puts_back_what_the_command_removed_and_keeps_its_status() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.dump"), "old").unwrap();
        let backup = r#"rm "$BACKUP_DIR/old.dump"; echo new > "$BACKUP_DIR/new.dump"; exit 4"#;
        assert_eq!(sh(&skipping_retention(backup), dir.path(), dir.path()), 4);
        assert!(dir.path().join("old.dump").exists());
        assert!(dir.path().join("new.dump").exists());
    }

    #[test]
    fn the_monitor_always_exits_0_and_the_restore_does_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let monitor = format!("{}; exit 0", subshell("echo down; exit 1 # every minute"));
        assert_eq!(sh(&monitor, dir.path(), dir.path()), 0);
        assert_eq!(sh(RESTORES_NOTHING, dir.path(), dir.path()), 0);
    }
}
