//! CPU time of the calling thread and of the whole process (all threads, exited ones included),
//! from `clock_gettime` (nanosecond resolution; `/proc/<pid>/schedstat` only moves at scheduler
//! ticks).

use std::time::Duration;

/// CPU time of the calling thread, or `None` where the platform has no thread CPU clock.
pub fn thread() -> Option<Duration> {
    cpu_time::ThreadTime::try_now()
        .ok()
        .map(|time| time.as_duration())
}

/// CPU time of this process, all its threads together, or `None` where the platform has none.
pub fn process() -> Option<Duration> {
    cpu_time::ProcessTime::try_now()
        .ok()
        .map(|time| time.as_duration())
}
