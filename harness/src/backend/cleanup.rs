//! What to tear down if the process is interrupted: every live server or container
//! registers an idempotent teardown here, and the binary's Ctrl-C handler runs them all.
//!
//! Normal teardown happens in each resource's `Drop`; a registration only covers the
//! moment between a signal and the process exit. A run that is SIGKILLed cannot clean
//! up at all: for that the native backend leaves an owner marker that the next run reaps.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

type Teardown = Box<dyn FnOnce() + Send>;

fn actions() -> &'static Mutex<BTreeMap<u64, (String, Teardown)>> {
    static ACTIONS: OnceLock<Mutex<BTreeMap<u64, (String, Teardown)>>> = OnceLock::new();
    ACTIONS.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// A registered teardown; dropping the registration removes it without running it.
#[derive(Debug)]
pub struct Registration(u64);

/// Registers `teardown` to run if the process is interrupted before the registration drops.
pub fn register(what: impl Into<String>, teardown: impl FnOnce() + Send + 'static) -> Registration {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    lock().insert(id, (what.into(), Box::new(teardown)));
    Registration(id)
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock().remove(&self.0);
    }
}

/// Runs every registered teardown, newest first, and returns what was torn down.
pub fn run_all() -> Vec<String> {
    let taken = std::mem::take(&mut *lock());
    taken
        .into_iter()
        .rev()
        .map(|(_, (what, teardown))| {
            teardown();
            what
        })
        .collect()
}

fn lock() -> std::sync::MutexGuard<'static, BTreeMap<u64, (String, Teardown)>> {
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
        drop(register("dropped", move || {
            flag.store(true, Ordering::SeqCst)
        }));
        let flag = live_ran.clone();
        let _live = register("live", move || flag.store(true, Ordering::SeqCst));
        let ran = run_all();
        assert!(ran.contains(&"live".to_owned()));
        assert!(!dropped_ran.load(Ordering::SeqCst));
        assert!(live_ran.load(Ordering::SeqCst));
    }
}
