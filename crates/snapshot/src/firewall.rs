//! The host firewall as captured from `iptables-save` (legacy and nft back-ends, IPv4 and IPv6)
//! and `nft -j list ruleset`, kept as the tools printed it (bounded) plus what dockaudit parsed
//! from it: chains with their policies and rule counts, the rules of `DOCKER-USER`, and the
//! nftables tables and base chains.
//!
//! Netfilter runs every base chain hooked at a point, whichever tool made it: a packet forwarded to
//! a container passes the legacy `FORWARD` chain, the iptables-nft one and every nftables chain on
//! the forward hook, and is dropped if any of them drops it. The helpers here follow that.

use serde::{Deserialize, Serialize};

use crate::Fact;

/// Captured firewall state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct FirewallCapture {
    /// One dump per `*-save` tool that was run (legacy and nft back-ends, IPv4 and IPv6).
    pub iptables: Vec<IptablesDump>,
    /// `nft -j list ruleset`.
    pub nftables: Fact<NftRuleset>,
    /// `net.ipv4.ip_forward`: whether the host routes packets between interfaces at all.
    pub ip_forward: Fact<bool>,
}

impl Default for FirewallCapture {
    fn default() -> Self {
        FirewallCapture {
            iptables: Vec::new(),
            nftables: Fact::Missing("not collected".into()),
            ip_forward: Fact::Missing("not collected".into()),
        }
    }
}

/// The output of one `iptables-save`-style tool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IptablesDump {
    /// The tool: `iptables-legacy-save`, `iptables-nft-save`, `ip6tables-save`…
    pub tool: String,
    /// `ipv4` or `ipv6`.
    pub family: String,
    /// `legacy` or `nf_tables` (from the tool's header line; empty when it printed nothing).
    pub backend: String,
    /// What it printed, parsed; or why it could not be run.
    pub dump: Fact<IptablesRuleset>,
}

/// An `iptables-save` dump.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct IptablesRuleset {
    /// The text as printed (bounded; packet counters included).
    pub raw: String,
    /// Whether `raw` was cut at the size bound (the chains below then describe the part read).
    pub truncated: bool,
    /// Every chain of every table.
    pub chains: Vec<IptablesChain>,
    /// The rules of the filter table's `DOCKER-USER` chain, as `-A DOCKER-USER …` lines.
    pub docker_user_rules: Vec<String>,
}

/// One chain of an `iptables-save` dump.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct IptablesChain {
    /// `filter`, `nat`, `mangle`, `raw`, `security`.
    pub table: String,
    /// `FORWARD`, `DOCKER`, `DOCKER-USER`…
    pub name: String,
    /// `ACCEPT` or `DROP` for built-in chains; `None` for user-defined ones.
    pub policy: Option<String>,
    /// Number of rules in it.
    pub rules: usize,
}

impl IptablesRuleset {
    /// The chain `name` of `table`.
    pub fn chain(&self, table: &str, name: &str) -> Option<&IptablesChain> {
        self.chains
            .iter()
            .find(|c| c.table == table && c.name == name)
    }

    /// Policy of the filter table's `FORWARD` chain, when the dump has one.
    pub fn forward_policy(&self) -> Option<&str> {
        self.chain("filter", "FORWARD")?.policy.as_deref()
    }

    /// Whether Docker's `DOCKER` chain exists (filter or nat): the daemon manages this back-end.
    pub fn has_docker_chain(&self) -> bool {
        self.chain("filter", "DOCKER").is_some() || self.chain("nat", "DOCKER").is_some()
    }

    /// The `DOCKER-USER` rules that filter something: all but a bare `-j RETURN`, which Docker
    /// itself adds and which lets everything through.
    pub fn docker_user_filters(&self) -> Vec<&str> {
        self.docker_user_rules
            .iter()
            .map(String::as_str)
            .filter(|r| r.trim() != "-A DOCKER-USER -j RETURN")
            .collect()
    }
}

/// `nft -j list ruleset`, parsed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NftRuleset {
    /// The JSON as printed (bounded).
    pub raw: String,
    /// Whether `raw` was cut at the size bound (then nothing below was parsed).
    pub truncated: bool,
    /// Every table.
    pub tables: Vec<NftTable>,
    /// Every chain.
    pub chains: Vec<NftChain>,
}

/// An nftables table.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct NftTable {
    /// `ip`, `ip6`, `inet`, `bridge`, `arp`, `netdev`.
    pub family: String,
    /// Table name.
    pub name: String,
    /// Who made it, as far as the name tells: `iptables-nft` (an iptables table in nftables
    /// clothes), `docker` (Docker's nftables back-end), `firewalld`, or `other`.
    pub owner: String,
}

/// An nftables chain.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct NftChain {
    /// Family of its table.
    pub family: String,
    /// Its table.
    pub table: String,
    /// Chain name.
    pub name: String,
    /// Hook for a base chain (`forward`, `input`, `prerouting`…); `None` for a regular chain.
    pub hook: Option<String>,
    /// Base chain type (`filter`, `nat`, `route`).
    pub chain_type: Option<String>,
    /// Priority of a base chain.
    pub priority: Option<i64>,
    /// Policy of a base chain (`accept`, `drop`).
    pub policy: Option<String>,
    /// Number of rules in it.
    pub rules: usize,
}

impl NftRuleset {
    /// Owner of the table a chain is in (see [`NftTable::owner`]).
    pub fn owner_of(&self, chain: &NftChain) -> &str {
        self.tables
            .iter()
            .find(|t| t.family == chain.family && t.name == chain.table)
            .map(|t| t.owner.as_str())
            .unwrap_or("other")
    }

    /// Filter base chains on the forward hook made by nftables users (not iptables-nft, not
    /// Docker, not firewalld), that drop or filter something: rules or a drop policy.
    pub fn user_forward_filters(&self) -> Vec<&NftChain> {
        self.chains
            .iter()
            .filter(|c| c.hook.as_deref() == Some("forward"))
            .filter(|c| c.chain_type.as_deref().unwrap_or("filter") == "filter")
            .filter(|c| self.owner_of(c) == "other")
            .filter(|c| c.rules > 0 || c.policy.as_deref() == Some("drop"))
            .collect()
    }
}

impl FirewallCapture {
    /// The dumps that were read, with their rulesets.
    pub fn dumps(&self) -> impl Iterator<Item = (&IptablesDump, &IptablesRuleset)> {
        self.iptables
            .iter()
            .filter_map(|d| d.dump.value().map(|r| (d, r)))
    }

    /// Why no iptables dump could be read, when none could (every tool failed or none exists).
    pub fn iptables_missing(&self) -> Option<String> {
        if self.dumps().next().is_some() {
            return None;
        }
        let reasons: Vec<String> = self
            .iptables
            .iter()
            .filter_map(|d| match &d.dump {
                Fact::Missing(why) => Some(format!("{}: {why}", d.tool)),
                Fact::Value(_) => None,
            })
            .collect();
        Some(if reasons.is_empty() {
            "no iptables tool was run".to_string()
        } else {
            reasons.join("; ")
        })
    }
}
