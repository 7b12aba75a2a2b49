//! The Docker daemon's configuration, reconciled from every source: the engine's `/info`,
//! `daemon.json` (default, `--config-file`, or the rootless one), and the running `dockerd`'s
//! command line from `/proc` when the daemon is local.

use serde::{Deserialize, Serialize};

/// The daemon's configuration as dockaudit reconciled it. Empty until the daemon collector fills it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DaemonConfig {}
