//! One module per subcommand.

pub mod bench;
pub mod commit;
pub mod generate;
pub mod prove;
pub mod run;
pub mod sql;
pub mod verify;
