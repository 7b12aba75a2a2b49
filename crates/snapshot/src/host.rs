//! Facts about the engine's host, read under a host root (`--host-root`, default `/`): the daemon's
//! configuration from every source, the files CIS sections 1 and 3 name, audit rules, the kernel's
//! protections (AppArmor, SELinux, seccomp, cgroups, user namespaces).
//!
//! Every fact is a [`Fact`](crate::Fact): present, or missing with the reason (not root, remote
//! engine, rootless, no `/proc` access, tool not installed), so rules can skip instead of guessing.

use serde::{Deserialize, Serialize};

/// Everything read from the engine's host. Empty until the host collectors fill it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HostFacts {
    /// The directory the host was read under (`/`, or `/host` from inside a container).
    pub root: String,
}
