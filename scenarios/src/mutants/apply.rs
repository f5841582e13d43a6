//! A mutant made real: the subject it runs on (a scratch copy when a file changes) and the
//! run options that carry its migrations change.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context as _};
use harness::backend::native::scratch::ScratchDir;
use harness::run::scenario::RunOptions;
use harness::subject::Subject;

use super::{Change, CommandSlot, ManifestEdit, Mutant};

/// The mutated subject and options.
#[derive(Debug)]
pub struct Applied {
    pub subject: Subject,
    pub options: RunOptions,
    /// The subject's scratch copy, if a file changed: removed when dropped, so it must
    /// outlive the run.
    pub scratch: Option<ScratchDir>,
}

impl Mutant {
    /// Loads the subject at `dir` with this mutant's change, for a run with `options`.
    pub fn apply(&self, dir: &Path, options: RunOptions) -> anyhow::Result<Applied> {
        let load = |dir: &Path| Subject::load(dir).context("failed to load the subject");
        match &self.change {
            Change::Migrations(mutation) => Ok(Applied {
                subject: load(dir)?,
                options: options.with_mutation(mutation.clone()),
                scratch: None,
            }),
            Change::File { path, content } => {
                let scratch = ScratchDir::create("mutant", None)
                    .context("failed to create a scratch directory for the mutant")?;
                let copy = scratch.path().join("subject");
                copy_subject(dir, &copy)?;
                let file = copy.join(path);
                std::fs::write(&file, content)
                    .with_context(|| format!("failed to write {}", file.display()))?;
                Ok(Applied {
                    subject: load(&copy)?,
                    options,
                    scratch: Some(scratch),
                })
            }
            Change::Manifest(edit) => {
                let mut subject = load(dir)?;
                edit_manifest(&mut subject, edit)?;
                Ok(Applied {
                    subject,
                    options,
                    scratch: None,
                })
            }
        }
    }
}

fn edit_manifest(subject: &mut Subject, edit: &ManifestEdit) -> anyhow::Result<()> {
    let manifest = &mut subject.manifest;
    match edit {
        ManifestEdit::Command { slot, mutated, .. } => {
            let slot = match (slot, manifest.backup.as_mut()) {
                (CommandSlot::Monitor, _) => &mut manifest.monitoring.command,
                (CommandSlot::Backup, Some(backup)) => &mut backup.backup_command,
                (CommandSlot::Restore, Some(backup)) => &mut backup.restore_command,
                (_, None) => bail!("the manifest has no [backup] to mutate"),
            };
            *slot = Some(mutated.clone());
        }
        ManifestEdit::SqlFlowWithoutTransaction(index) => {
            let Some(flow) = manifest.flows.sql.get_mut(*index) else {
                bail!("the manifest has no flows.sql[{index}]");
            };
            flow.without_transaction = true;
        }
    }
    Ok(())
}

/// `cp -a`: the copy keeps modes (scripts stay executable) and symbolic links.
fn copy_subject(from: &Path, to: &Path) -> anyhow::Result<()> {
    let output = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .output()
        .context("failed to run cp")?;
    if !output.status.success() {
        bail!(
            "failed to copy the subject {} for a mutant: {}",
            from.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}
