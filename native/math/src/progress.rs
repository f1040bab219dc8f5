//! Progress reports from long operations, for a CLI bar or engine counters.

/// A unit of work finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The work ahead: `total` partitions.
    Started { total: usize },
    /// Partition `index` is done.
    PartitionDone { index: u32 },
}

/// Receives [`Event`]s; called from worker threads.
pub trait Progress: Sync {
    fn report(&self, event: Event);
}

/// Ignores every event.
pub struct Silent;

impl Progress for Silent {
    fn report(&self, _: Event) {}
}
