//! Ctrl-C and SIGTERM end a run early but cleanly: the binary watches for them on a thread of its
//! own and sets a flag; the coordinator then stops the users at once and writes every file for
//! the run so far, like Locust does on Ctrl-C. The library never installs signal handlers itself.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::signal::unix::{SignalKind, signal};

/// Starts watching for SIGINT and SIGTERM; the returned flag turns true at the first of them.
pub fn stop_on_signal() -> io::Result<Arc<AtomicBool>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    // Registered before returning, so a signal right after start-up is not missed.
    let (mut interrupt, mut terminate) = {
        let _context = runtime.enter();
        (
            signal(SignalKind::interrupt())?,
            signal(SignalKind::terminate())?,
        )
    };
    let flag = Arc::new(AtomicBool::new(false));
    let set = Arc::clone(&flag);
    std::thread::Builder::new()
        .name("loadgen-signals".to_owned())
        .spawn(move || {
            runtime.block_on(async {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
            });
            set.store(true, Ordering::Relaxed);
        })?;
    Ok(flag)
}
