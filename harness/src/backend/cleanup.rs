//! What to tear down if the process is interrupted: every live server or container
//! registers an idempotent teardown here, and the binary's Ctrl-C handler runs them all.
//!
//! Normal teardown happens in each resource's `Drop`; a registration only covers the
//! moment between a signal and the process exit. Once the teardown has begun, nothing new
//! registers, so nothing new is made. A run that is SIGKILLed cannot clean
//! up at all: for that the native backend leaves an owner marker that the next run reaps.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

type Teardown = Box<dyn FnOnce() + Send>;

/// The live registrations, and whether the teardown has begun.
#[derive(Default)]
struct Actions {
    live: BTreeMap<u64, (String, Teardown)>,
    tearing_down: bool,
}

fn actions() -> &'static Mutex<Actions> {
    static ACTIONS: OnceLock<Mutex<Actions>> = OnceLock::new();
    ACTIONS.get_or_init(|| Mutex::new(Actions::default()))
}

/// The process is being torn down: nothing new may start, since nothing would remove it.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the run is being interrupted: nothing new is started")]
pub struct Interrupted;

/// A registered teardown; dropping the registration removes it without running it.
#[derive(Debug)]
pub struct Registration(u64);

/// Registers `teardown` to run if the process is interrupted before the registration drops;
/// refused once the teardown has begun (the resource must then not be made: a server
/// another task starts after Ctrl-C would outlive the process).
pub fn register(
    what: impl Into<String>,
    teardown: impl FnOnce() + Send + 'static,
) -> Result<Registration, Interrupted> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut actions = lock();
    if actions.tearing_down {
        return Err(Interrupted);
    }
    actions.live.insert(id, (what.into(), Box::new(teardown)));
    Ok(Registration(id))
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock().live.remove(&self.0);
    }
}

/// Runs every registered teardown, newest first, and returns what was torn down; from
/// then on nothing new registers.
pub fn run_all() -> Vec<String> {
    let taken = {
        let mut actions = lock();
        actions.tearing_down = true;
        std::mem::take(&mut actions.live)
    };
    taken
        .into_iter()
        .rev()
        .map(|(_, (what, teardown))| {
            teardown();
            what
        })
        .collect()
}

fn lock() -> std::sync::MutexGuard<'static, Actions> {
    actions().lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[test]
    fn dropped_registrations_do_not_run_and_live_ones_do() {
        let dropped_ran = Arc::new(AtomicBool::new(false));
        let live_ran = Arc::new(AtomicBool::new(false));
        let flag = dropped_ran.clone();
        drop(register("dropped", move || flag.store(true, Ordering::SeqCst)).unwrap());
        let flag = live_ran.clone();
        let _live = register("live", move || flag.store(true, Ordering::SeqCst)).unwrap();
        let ran = run_all();
        assert!(ran.contains(&"live".to_owned()));
        assert!(!dropped_ran.load(Ordering::SeqCst));
        assert!(live_ran.load(Ordering::SeqCst));
        // once the teardown has begun, nothing new registers
        assert!(register("late", || {}).is_err());
        lock().tearing_down = false;
    }
}
