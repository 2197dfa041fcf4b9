//! Long calls that Ctrl-C stops and that report their progress: the work runs on a thread of
//! its own while the calling thread checks Python's signals and passes the work's counters to
//! a progress callback; a signal sets the work's stop flag, and once the work has stopped (at
//! its next check, well within a second) the signal's exception (`KeyboardInterrupt`) is raised
//! in place of the result.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors::input_error;

/// How often the calling thread looks for signals.
const POLL: Duration = Duration::from_millis(50);

/// A long call's progress: `callback(stage, done, total)` is called with what `counts` reads
/// (e.g. `("reading", bytes read, bytes in all)`), every poll while the work runs.
pub(crate) struct Progress<'a> {
    pub callback: Py<PyAny>,
    pub counts: &'a (dyn Fn() -> (&'static str, u64, u64) + Sync),
}

/// `work()`, run so that a signal (Ctrl-C) sets `stop` (which `work` must watch) and is raised
/// when `work` returns, with its `progress` reported meanwhile (an error the callback raises
/// stops the work as a signal does). Signals are only seen on Python's main thread, as Python
/// handles them.
pub(crate) fn interruptible<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    progress: Option<Progress<'_>>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    let (done, finished) = channel::<()>();
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("omnitok-call".into())
            .spawn_scoped(scope, move || {
                let result = crate::threads::in_pool(work);
                // The receiver outlives the worker (both are in this scope).
                let _ = done.send(());
                result
            })
            .map_err(|e| input_error(format!("cannot start a thread: {e}")))?;
        let signal = py.detach(move || {
            let mut signal = None;
            loop {
                match finished.recv_timeout(POLL) {
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => return signal,
                    Err(RecvTimeoutError::Timeout) if signal.is_none() => {
                        let checked = Python::attach(|py| {
                            py.check_signals()?;
                            if let Some(progress) = &progress {
                                let (stage, done, total) = (progress.counts)();
                                progress.callback.call1(py, (stage, done, total))?;
                            }
                            Ok::<(), PyErr>(())
                        });
                        if let Err(error) = checked {
                            stop.store(true, Ordering::Relaxed);
                            signal = Some(error);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        });
        let result = match worker.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match signal {
            Some(error) => Err(error),
            None => Ok(result),
        }
    })
}
