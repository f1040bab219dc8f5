//! One module per subcommand.

pub mod bench;
pub mod commit;
pub mod prove;
pub mod run;
pub mod verify;
