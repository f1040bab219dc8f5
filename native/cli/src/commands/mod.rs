//! One module per subcommand.

#[cfg(feature = "halo2")]
pub mod aggregate;
pub mod bench;
#[cfg(feature = "halo2")]
pub mod bench_aggregate;
pub mod chain;
pub mod commit;
pub mod generate;
#[cfg(not(all(feature = "halo2", feature = "sql")))]
pub mod left_out;
pub mod open;
pub mod prove;
pub mod run;
#[cfg(feature = "sql")]
pub mod sql;
pub mod verify;
