//! One module per subcommand, each with a `run` taking its parsed arguments and returning the exit
//! code.

pub mod audit;
pub mod baseline;
pub mod collect;
pub mod completions;
pub mod db;
pub mod explain;
pub mod image;
pub mod lint;
pub mod man;
pub mod merge;
pub mod prune;
pub mod rules;
pub mod sbom;
pub mod watch;
