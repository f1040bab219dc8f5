//! Which processor runs the prover: the CPU, or an NVIDIA GPU in builds with the `cuda`
//! feature.
//!
//! The choice changes how fast a proof is made, never what it proves: both backends take the
//! same proving key and circuit and write the same transcript, so one key store and one
//! verifier serve CPU and GPU workers alike. That is why a missing GPU is not an error: a
//! request for CUDA on a host without one falls back to the CPU with a warning, and the
//! bundle records which device proved each partition (for benchmarks; the statement is the
//! same).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// What the user asked for (`--device`, or `ZKMR_DEVICE` for the JNI library and SQL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceChoice {
    Cpu,
    Cuda,
    /// The GPU when this build has CUDA and the host a usable GPU, else the CPU.
    #[default]
    Auto,
}

impl FromStr for DeviceChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            "auto" => Ok(Self::Auto),
            other => Err(format!("device \"{other}\" is not one of cpu, cuda, auto")),
        }
    }
}

impl DeviceChoice {
    /// The choice in `ZKMR_DEVICE`, [`DeviceChoice::Auto`] when unset. An unreadable value
    /// is reported and treated as unset rather than failing a task that cannot be told.
    pub fn from_env() -> Self {
        match std::env::var("ZKMR_DEVICE") {
            Ok(value) => value.parse().unwrap_or_else(|e| {
                tracing::warn!("ZKMR_DEVICE: {e}; choosing the device automatically");
                Self::Auto
            }),
            Err(_) => Self::Auto,
        }
    }
}

/// The processor a proof is made on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    Cpu,
    Cuda,
}

impl Device {
    /// The name the bundle records for partitions proved here.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        }
    }

    /// Resolves `choice` against this build and this host. The host is probed once per
    /// process; the warning for a fallback is logged each time CUDA is asked for explicitly.
    pub fn select(choice: DeviceChoice) -> Self {
        match (choice, gpu_status()) {
            (DeviceChoice::Cpu, _) => Self::Cpu,
            (_, Ok(())) => Self::Cuda,
            (DeviceChoice::Cuda, Err(why)) => {
                tracing::warn!("no CUDA device: {why}; proving on the CPU");
                Self::Cpu
            }
            (DeviceChoice::Auto, Err(why)) => {
                tracing::debug!("proving on the CPU: {why}");
                Self::Cpu
            }
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether this process can prove on a GPU, and if not, why.
fn gpu_status() -> Result<(), &'static str> {
    static STATUS: OnceLock<Result<(), String>> = OnceLock::new();
    STATUS
        .get_or_init(probe)
        .as_ref()
        .map(|_| ())
        .map_err(String::as_str)
}

#[cfg(not(feature = "cuda"))]
fn probe() -> Result<(), String> {
    Err("this build of zkmr has no CUDA support (scripts/build-cuda.sh builds one)".into())
}

/// Asks the driver directly, before anything allocates on the device: the GPU kernels are
/// built for compute capability 9.0 (H100, H200), so an older GPU counts as none.
#[cfg(feature = "cuda")]
fn probe() -> Result<(), String> {
    use std::os::raw::{c_int, c_uint};

    /// `CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR` in `cuda.h`.
    const COMPUTE_CAPABILITY_MAJOR: c_int = 75;
    const REQUIRED_MAJOR: c_int = 9;

    // Declared here with plain integer results: the driver may return codes (such as
    // CUDA_ERROR_STUB_LIBRARY) that an older binding's Rust enum has no variant for.
    #[link(name = "cuda")]
    extern "C" {
        fn cuInit(flags: c_uint) -> c_int;
        fn cuDeviceGetCount(count: *mut c_int) -> c_int;
        fn cuDeviceGetAttribute(value: *mut c_int, attribute: c_int, device: c_int) -> c_int;
    }

    // SAFETY: plain driver API calls with valid out-pointers; cuInit may be called repeatedly.
    unsafe {
        match cuInit(0) {
            0 => {}
            34 => return Err("the CUDA driver library is a stub (no NVIDIA driver)".into()),
            100 => return Err("the CUDA driver found no device".into()),
            code => return Err(format!("the CUDA driver failed to start (error {code})")),
        }
        let mut count = 0;
        if cuDeviceGetCount(&mut count) != 0 || count == 0 {
            return Err("the CUDA driver found no device".into());
        }
        let mut major = 0;
        if cuDeviceGetAttribute(&mut major, COMPUTE_CAPABILITY_MAJOR, 0) != 0 {
            return Err("the CUDA driver could not read device 0".into());
        }
        if major < REQUIRED_MAJOR {
            return Err(format!(
                "device 0 has compute capability {major}.x; the kernels need {REQUIRED_MAJOR}.0"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_case_insensitively_and_reject_others() {
        assert_eq!("CPU".parse(), Ok(DeviceChoice::Cpu));
        assert_eq!("cuda".parse(), Ok(DeviceChoice::Cuda));
        assert_eq!(" auto ".parse(), Ok(DeviceChoice::Auto));
        let err = "tpu".parse::<DeviceChoice>().unwrap_err();
        assert!(err.contains("\"tpu\""), "{err}");
    }

    #[test]
    fn cpu_is_always_honoured() {
        assert_eq!(Device::select(DeviceChoice::Cpu), Device::Cpu);
    }

    #[cfg(not(feature = "cuda"))]
    #[test]
    fn without_cuda_every_choice_falls_back_to_the_cpu() {
        assert_eq!(Device::select(DeviceChoice::Cuda), Device::Cpu);
        assert_eq!(Device::select(DeviceChoice::Auto), Device::Cpu);
        assert!(gpu_status().unwrap_err().contains("no CUDA support"));
    }
}
