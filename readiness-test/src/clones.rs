//! Copies of one template made ahead: a handout takes one that is ready, and a task on
//! the provider's runtime makes the next while the test runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use harness::schema::template::{Database, TemplateError, TemplatePool};
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// What a refill waits after a failed copy before trying again, so that a server in
/// trouble is not asked in a tight loop; the handout that needs one copies it itself.
const RETRY_AFTER: Duration = Duration::from_millis(200);

/// Copies made at once. Each `CREATE DATABASE … FILE_COPY` waits for a checkpoint, and
/// concurrent ones share theirs: on a 2-core machine with the data on tmpfs, 20 copies one
/// at a time took 300 ms, 2 × 20 at once 327 ms, 4 × 20 at once 567 ms.
const COPIES_AT_ONCE: usize = 2;

/// The copies of one template that are ready, and the wish for more.
#[derive(Debug)]
pub(crate) struct Clones {
    template: String,
    /// How many copies are kept ready; 0 copies on demand only.
    target: usize,
    ready: Mutex<VecDeque<Database>>,
    wanted: Notify,
}

impl Clones {
    /// The copies of `template`, `target` of them kept ready by a task spawned on the
    /// current runtime (the provider's), which lives as long as that runtime.
    pub fn start(templates: Arc<TemplatePool>, template: String, target: usize) -> Arc<Clones> {
        let clones = Arc::new(Clones {
            template,
            target,
            ready: Mutex::new(VecDeque::with_capacity(target)),
            wanted: Notify::new(),
        });
        if target > 0 {
            tokio::spawn(clones.clone().refill(templates));
        }
        clones
    }

    /// A copy of the template: one made ahead when there is one, else made now.
    pub async fn take(&self, templates: &TemplatePool) -> Result<Database, TemplateError> {
        let ready = self.lock().pop_front();
        self.wanted.notify_one();
        match ready {
            Some(db) => Ok(db),
            None => templates.clone_of(&self.template, "test").await,
        }
    }

    /// Keeps `target` copies ready, making up to [`COPIES_AT_ONCE`] at a time, and sleeps
    /// while there are enough.
    async fn refill(self: Arc<Self>, templates: Arc<TemplatePool>) {
        let mut copying = JoinSet::new();
        loop {
            while self.lock().len() + copying.len() < self.target && copying.len() < COPIES_AT_ONCE
            {
                let (templates, template) = (templates.clone(), self.template.clone());
                copying.spawn(async move { templates.clone_of(&template, "test").await });
            }
            if copying.is_empty() {
                self.wanted.notified().await;
                continue;
            }
            tokio::select! {
                done = copying.join_next() => match done {
                    Some(Ok(Ok(db))) => self.lock().push_back(db),
                    Some(Ok(Err(e))) => {
                        tracing::warn!("failed to copy {} ahead: {e}", self.template);
                        tokio::time::sleep(RETRY_AFTER).await;
                    }
                    Some(Err(_)) | None => {}
                },
                _ = self.wanted.notified() => {}
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Database>> {
        self.ready.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How many copies to keep ready: one per test thread (`RUST_TEST_THREADS`, else the
/// machine's parallelism, which is libtest's own default) and one more, so that every
/// thread finds one while the next is being made.
pub(crate) fn default_target() -> usize {
    let threads = std::env::var("RUST_TEST_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        });
    threads + 1
}
