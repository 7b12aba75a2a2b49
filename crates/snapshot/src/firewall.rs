//! The host firewall as captured from `iptables-save` (legacy and nft back-ends) and
//! `nft -j list ruleset`, kept as the tools printed it plus what dockaudit parsed from it.

use serde::{Deserialize, Serialize};

/// Captured firewall state. Empty until the firewall collector fills it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct FirewallCapture {}
