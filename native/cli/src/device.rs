//! `--device`: which processor proves (see [`zkmr_core::device`]).

use zkmr_core::device::{Device, DeviceChoice};

#[derive(clap::Args, Clone, Copy, Debug)]
pub struct DeviceArg {
    /// Prover: cpu, cuda, or auto (the GPU when this build has CUDA and the host a usable
    /// GPU). Asked for cuda without one, zkmr warns and proves on the CPU.
    #[arg(
        long = "device",
        value_name = "cpu|cuda|auto",
        default_value = "auto",
        env = "ZKMR_DEVICE",
        value_parser = str::parse::<DeviceChoice>
    )]
    pub choice: DeviceChoice,
}

impl DeviceArg {
    pub fn select(self) -> Device {
        Device::select(self.choice)
    }
}
