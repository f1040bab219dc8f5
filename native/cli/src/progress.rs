//! A terminal progress bar over partitions, on stderr: drawn when stderr is a terminal and
//! hidden otherwise, so `--json` output on stdout, logs and pipes never carry it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use zkmr_core::progress::{Event, Progress};

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(label: &'static str) -> Self {
        Self::counting(label, "partitions")
    }

    /// A bar counting `unit`s (a chain counts steps, up to its spec's bound).
    pub fn counting(label: &'static str, unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{prefix:>8}} [{{bar:40}}] {{pos}}/{{len}} {unit} {{elapsed}}"
            ))
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(label);
        Self { bar }
    }

    /// Starts counting again, for the next piece of work shown on the same bar (the SQL
    /// statements of one `zkmr sql` run).
    #[cfg(feature = "sql")]
    pub fn restart(&self) {
        self.bar.reset();
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn report(&self, event: Event) {
        match event {
            // Each job starts the count again (a batch proved in chunks is one job a chunk).
            Event::Started { total } => {
                self.bar.set_position(0);
                self.bar.set_length(total as u64);
            }
            Event::PartitionDone { .. } => self.bar.inc(1),
        }
    }
}
