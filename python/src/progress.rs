//! Progress reports from the core's worker threads to a Python callable `(done, total)`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;
use zkmr_core::progress::{Event, Progress};

/// Calls `callback(done, total)` as partitions finish. Each call takes the GIL, which the
/// caller released for the work. An exception from the callback (a `KeyboardInterrupt`, say)
/// cannot stop the core midway; it is kept and raised once the work returns.
pub struct Callback {
    callback: Option<Py<PyAny>>,
    total: AtomicUsize,
    done: AtomicUsize,
    raised: Mutex<Option<PyErr>>,
}

impl Callback {
    pub fn new(callback: Option<Py<PyAny>>) -> Self {
        Self {
            callback,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            raised: Mutex::new(None),
        }
    }

    /// The first exception the callback raised, if any.
    pub fn raised(self) -> PyResult<()> {
        match self.raised.into_inner() {
            Ok(Some(err)) => Err(err),
            _ => Ok(()),
        }
    }
}

impl Progress for Callback {
    fn report(&self, event: Event) {
        let Some(callback) = &self.callback else {
            return;
        };
        let (done, total) = match event {
            Event::Started { total } => {
                self.total.store(total, Ordering::SeqCst);
                self.done.store(0, Ordering::SeqCst);
                (0, total)
            }
            Event::PartitionDone { .. } => (
                self.done.fetch_add(1, Ordering::SeqCst) + 1,
                self.total.load(Ordering::SeqCst),
            ),
        };
        Python::attach(|py| {
            if let Err(err) = callback.call1(py, (done, total)) {
                if let Ok(mut raised) = self.raised.lock() {
                    raised.get_or_insert(err);
                }
            }
        });
    }
}
