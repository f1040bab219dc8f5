//! The aggregation settings (a node's fan-in and circuit size) and the bounds a flag or an
//! untrusted aggregated proof must keep: below both the aggregator and the artifact, which
//! each read them.

/// Aggregation settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Children per node (a power of two, at least 2).
    pub fan_in: usize,
    /// Size of every aggregation circuit: 2^k rows.
    pub k: u32,
}

/// Default aggregation circuit size: the smallest that holds two partition verifiers with
/// room for the statement at the shapes the tests and benchmarks use.
pub const DEFAULT_K: u32 = 21;
/// Default fan-in: each node verifies two proofs, which keeps a node's circuit at
/// [`DEFAULT_K`].
pub const DEFAULT_FAN_IN: usize = 2;

/// The largest aggregation circuit: a node at [`DEFAULT_K`] already takes 6–13 GB to prove,
/// and each step up doubles that, so a larger `k` (from a flag or an untrusted file) is
/// refused before any SRS or key is built for it.
pub const MAX_K: u32 = 22;
/// The widest node: fan-ins beyond this need circuits past [`MAX_K`].
pub const MAX_FAN_IN: usize = 16;

impl Settings {
    /// Refuses a `k` or fan-in no aggregation here can use, whether from a flag or a file.
    pub fn check(&self) -> std::result::Result<(), String> {
        if !(1..=MAX_K).contains(&self.k) {
            return Err(format!(
                "aggregation circuit size k = {} is outside 1..={MAX_K}",
                self.k
            ));
        }
        if self.fan_in < 2 || self.fan_in > MAX_FAN_IN || !self.fan_in.is_power_of_two() {
            return Err(format!(
                "fan-in {} is not a power of two from 2 to {MAX_FAN_IN}",
                self.fan_in
            ));
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            fan_in: DEFAULT_FAN_IN,
            k: DEFAULT_K,
        }
    }
}
