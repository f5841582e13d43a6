//! Ctrl-C and SIGTERM: tear down every server the run started, then exit 130.

use tokio::signal::unix::{signal, SignalKind};

pub fn install() {
    tokio::spawn(async {
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        // a teardown may wait for the engine to answer a request another task made: this
        // worker's queued tasks go to another thread meanwhile
        let torn_down = tokio::task::block_in_place(|| {
            let torn_down = harness::backend::cleanup::run_all();
            // a scratch directory made just before its teardown was registered
            harness::backend::native::scratch::reap_own();
            torn_down
        });
        eprintln!("\ninterrupted: tore down {} server(s)", torn_down.len());
        std::process::exit(i32::from(crate::exit::INTERRUPTED));
    });
}
