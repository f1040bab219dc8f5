//! One module per subcommand.

pub mod aggregate;
pub mod bench;
pub mod bench_aggregate;
pub mod chain;
pub mod commit;
pub mod generate;
pub mod open;
pub mod prove;
pub mod run;
pub mod sql;
pub mod verify;
