//! Tearing the test binary's server down when the process ends: at exit (all tests done,
//! passed or failed: libtest exits through `exit`, which runs `atexit` handlers), and on
//! SIGINT or SIGTERM (Ctrl-C, a test runner's timeout), after which the process exits
//! 130 or 143.
//!
//! The provider lives in a static, whose `Drop` never runs; so the teardown takes it out
//! and drops it (the server goes with it: a native server is shut down and its directory
//! removed, a container removed, a url server's `readiness_<run>_*` databases dropped),
//! then runs every teardown still registered with the harness and removes this process's
//! scratch directories, as `readiness` does on Ctrl-C. A SIGKILLed test binary cannot
//! clean up: its native server is reaped by the next run that starts one.

use std::sync::Once;

use harness::backend::{cleanup, native::scratch};
use tokio::signal::unix::{signal, SignalKind};

use crate::Provider;

/// Installs the exit handler and the signal listener, once per process.
pub(crate) fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        // SAFETY: `at_exit` is an `extern "C"` function without arguments that never
        // unwinds (it catches panics), as `atexit` requires.
        let registered = unsafe { libc::atexit(at_exit) };
        if registered != 0 {
            tracing::warn!("readiness-test: failed to register the exit teardown");
        }
        let listener = std::thread::Builder::new()
            .name("readiness-test-signals".into())
            .spawn(listen_for_signals);
        if let Err(e) = listener {
            tracing::warn!("readiness-test: failed to listen for Ctrl-C: {e}");
        }
    });
}

/// Tears down the test binary's server and everything the harness registered; nothing
/// is handed out afterwards. Safe to call more than once.
pub fn teardown() {
    let provider = Provider::take_global();
    let kept = provider.as_ref().is_some_and(|p| p.is_kept());
    if let Some(provider) = provider {
        // on a thread of its own: this one may be inside a runtime, which cannot wait
        // for another's tasks
        let _ = std::thread::spawn(move || drop(provider)).join();
    }
    if !kept {
        cleanup::run_all();
        scratch::reap_own();
    }
}

extern "C" fn at_exit() {
    // a panic must not unwind into C
    let _ = std::panic::catch_unwind(teardown);
}

/// Waits for SIGINT or SIGTERM on a runtime of its own, then tears down and exits.
fn listen_for_signals() {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let code = runtime.block_on(async {
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return None;
        };
        tokio::select! {
            _ = interrupt.recv() => Some(130),
            _ = terminate.recv() => Some(143),
        }
    });
    drop(runtime);
    let Some(code) = code else {
        return;
    };
    eprintln!("readiness-test: interrupted: tearing down the test server");
    teardown();
    std::process::exit(code);
}
