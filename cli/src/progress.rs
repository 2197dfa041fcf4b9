//! Running a long job while another thread reports its progress.

use std::sync::atomic::{AtomicBool, Ordering};

/// Runs `work`; unless `quiet`, `show(done)` runs beside it on its own thread until `done` is
/// set, which happens as soon as `work` returns.
pub fn while_showing<T>(
    quiet: bool,
    show: impl FnOnce(&AtomicBool) + Send,
    work: impl FnOnce() -> T,
) -> T {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        if !quiet {
            scope.spawn(|| show(&done));
        }
        let out = work();
        done.store(true, Ordering::Relaxed);
        out
    })
}
