//! Rayon in forked processes. A process forked from one whose rayon pool had started (a
//! `datasets.map(num_proc=N)` or `multiprocessing` worker) inherits the pool without its
//! threads, and work sent there would wait forever; calls in such a process run on a pool of
//! its own instead.

use std::sync::{Arc, Mutex, OnceLock};

use pyo3::marker::Ungil;
use pyo3::prelude::*;
use rayon::ThreadPool;

/// The process that loaded the module, whose global pool is sound.
static LOADED_IN: OnceLock<u32> = OnceLock::new();

/// The pool of a forked process, with that process's ID.
static FORKED_POOL: Mutex<Option<(u32, Arc<ThreadPool>)>> = Mutex::new(None);

/// Records the process that loads the module.
pub(crate) fn init() {
    LOADED_IN.get_or_init(std::process::id);
}

/// `py.detach(work)`, with rayon's work on this process's own pool if it was forked.
pub(crate) fn detach<T: Ungil + Send, F: Ungil + Send + FnOnce() -> T>(
    py: Python<'_>,
    work: F,
) -> T {
    py.detach(|| in_pool(work))
}

/// `work()`, with rayon's work on this process's own pool if it was forked.
pub(crate) fn in_pool<T: Send, F: Send + FnOnce() -> T>(work: F) -> T {
    match forked_pool() {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// A pool for this process when it is not the one that loaded the module (built once per
/// process; `None` if it cannot be, and rayon's global pool is used as elsewhere).
fn forked_pool() -> Option<Arc<ThreadPool>> {
    let pid = std::process::id();
    if LOADED_IN.get().is_none_or(|&loaded| loaded == pid) {
        return None;
    }
    let mut slot = FORKED_POOL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match slot.as_ref() {
        Some((owner, pool)) if *owner == pid => Some(Arc::clone(pool)),
        _ => {
            let pool = Arc::new(rayon::ThreadPoolBuilder::new().build().ok()?);
            // A pool inherited from the parent has no threads to stop: forget it.
            if let Some(inherited) = slot.replace((pid, Arc::clone(&pool))) {
                std::mem::forget(inherited);
            }
            Some(pool)
        }
    }
}
