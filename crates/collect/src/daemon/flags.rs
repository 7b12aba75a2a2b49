//! dockerd's flags (Docker 20.10 to 28) and how each maps to a daemon.json key, and a parser for
//! a captured command line that follows pflag's rules (`--name=value`, `--name value`, `-Hvalue`,
//! `-H value`, bare booleans, repeated list flags, `--` ending the flags).

/// How a flag takes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `--icc`, `--icc=false`: never takes the next argument.
    Bool,
    /// One value; the last one given wins.
    Value,
    /// Repeatable; every value counts (`-H`, `--insecure-registry`, `--log-opt`).
    List,
}

/// One dockerd flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag {
    /// Long name without dashes.
    pub long: &'static str,
    /// One-letter short name, if any.
    pub short: Option<char>,
    /// The daemon.json key for the same setting.
    pub key: &'static str,
    /// How it takes its value.
    pub kind: Kind,
}

impl Flag {
    /// Whether daemon.json names this setting differently from the flag (dockerd's "named
    /// options": `--host` and `hosts`), which changes how dockerd matches flag and file.
    pub fn is_named(&self) -> bool {
        self.key != self.long
    }
}

const fn f(long: &'static str, key: &'static str, kind: Kind) -> Flag {
    Flag {
        long,
        short: None,
        key,
        kind,
    }
}

const fn s(long: &'static str, short: char, key: &'static str, kind: Kind) -> Flag {
    Flag {
        long,
        short: Some(short),
        key,
        kind,
    }
}

use Kind::{Bool, List, Value};

/// Every flag of dockerd 20.10 to 28 on Linux, hidden and deprecated ones included.
pub(crate) const FLAGS: &[Flag] = &[
    f("add-runtime", "runtimes", List),
    f("allow-direct-routing", "allow-direct-routing", Bool),
    f(
        "allow-nondistributable-artifacts",
        "allow-nondistributable-artifacts",
        List,
    ),
    f("api-cors-header", "api-cors-header", Value),
    f("authorization-plugin", "authorization-plugins", List),
    f("bip", "bip", Value),
    f("bip6", "bip6", Value),
    s("bridge", 'b', "bridge", Value),
    f("bridge-accept-fwmark", "bridge-accept-fwmark", Value),
    f("cdi-spec-dir", "cdi-spec-dirs", List),
    f("cgroup-parent", "cgroup-parent", Value),
    f("cluster-advertise", "cluster-advertise", Value),
    f("cluster-store", "cluster-store", Value),
    f("cluster-store-opt", "cluster-store-opts", List),
    f("config-file", "config-file", Value),
    f("containerd", "containerd", Value),
    f("containerd-namespace", "containerd-namespace", Value),
    f(
        "containerd-plugins-namespace",
        "containerd-plugins-namespace",
        Value,
    ),
    f("cpu-rt-period", "cpu-rt-period", Value),
    f("cpu-rt-runtime", "cpu-rt-runtime", Value),
    f("cri-containerd", "cri-containerd", Bool),
    f("data-root", "data-root", Value),
    s("debug", 'D', "debug", Bool),
    f("default-address-pool", "default-address-pools", List),
    f("default-cgroupns-mode", "default-cgroupns-mode", Value),
    f("default-gateway", "default-gateway", Value),
    f("default-gateway-v6", "default-gateway-v6", Value),
    f("default-ipc-mode", "default-ipc-mode", Value),
    f("default-network-opt", "default-network-opts", List),
    f("default-runtime", "default-runtime", Value),
    f("default-shm-size", "default-shm-size", Value),
    f("default-ulimit", "default-ulimits", List),
    f("disable-legacy-registry", "disable-legacy-registry", Bool),
    f("dns", "dns", List),
    f("dns-opt", "dns-opts", List),
    f("dns-search", "dns-search", List),
    f("exec-opt", "exec-opts", List),
    f("exec-root", "exec-root", Value),
    f("experimental", "experimental", Bool),
    f("feature", "features", List),
    f("firewall-backend", "firewall-backend", Value),
    f("fixed-cidr", "fixed-cidr", Value),
    f("fixed-cidr-v6", "fixed-cidr-v6", Value),
    s("graph", 'g', "graph", Value),
    s("group", 'G', "group", Value),
    s("help", 'h', "help", Bool),
    s("host", 'H', "hosts", List),
    f("host-gateway-ip", "host-gateway-ip", List),
    f("http-proxy", "http-proxy", Value),
    f("https-proxy", "https-proxy", Value),
    f("icc", "icc", Bool),
    f("init", "init", Bool),
    f("init-path", "init-path", Value),
    f("insecure-registry", "insecure-registries", List),
    f("ip", "ip", Value),
    f("ip-forward", "ip-forward", Bool),
    f("ip-forward-no-drop", "ip-forward-no-drop", Bool),
    f("ip-masq", "ip-masq", Bool),
    f("ip6tables", "ip6tables", Bool),
    f("iptables", "iptables", Bool),
    f("ipv6", "ipv6", Bool),
    f("label", "labels", List),
    f("live-restore", "live-restore", Bool),
    f("log-driver", "log-driver", Value),
    f("log-format", "log-format", Value),
    s("log-level", 'l', "log-level", Value),
    f("log-opt", "log-opts", List),
    f(
        "max-concurrent-downloads",
        "max-concurrent-downloads",
        Value,
    ),
    f("max-concurrent-uploads", "max-concurrent-uploads", Value),
    f("max-download-attempts", "max-download-attempts", Value),
    f("metrics-addr", "metrics-addr", Value),
    f("mtu", "mtu", Value),
    f(
        "network-control-plane-mtu",
        "network-control-plane-mtu",
        Value,
    ),
    f("no-new-privileges", "no-new-privileges", Bool),
    f("no-proxy", "no-proxy", Value),
    f("node-generic-resource", "node-generic-resources", List),
    f("oom-score-adjust", "oom-score-adjust", Value),
    s("pidfile", 'p', "pidfile", Value),
    f("raw-logs", "raw-logs", Bool),
    f("registry-mirror", "registry-mirrors", List),
    f("rootless", "rootless", Bool),
    f("seccomp-profile", "seccomp-profile", Value),
    f("selinux-enabled", "selinux-enabled", Bool),
    f("shutdown-timeout", "shutdown-timeout", Value),
    s("storage-driver", 's', "storage-driver", Value),
    f("storage-opt", "storage-opts", List),
    f(
        "swarm-default-advertise-addr",
        "swarm-default-advertise-addr",
        Value,
    ),
    f("tls", "tls", Bool),
    f("tlscacert", "tlscacert", Value),
    f("tlscert", "tlscert", Value),
    f("tlskey", "tlskey", Value),
    f("tlsverify", "tlsverify", Bool),
    f("userland-proxy", "userland-proxy", Bool),
    f("userland-proxy-path", "userland-proxy-path", Value),
    f("userns-remap", "userns-remap", Value),
    f("validate", "validate", Bool),
    s("version", 'v', "version", Bool),
];

/// The flag with this long name.
pub(crate) fn by_long(name: &str) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.long == name)
}

/// The flag with this one-letter name.
pub(crate) fn by_short(c: char) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.short == Some(c))
}

/// The flag that sets daemon.json key `key`.
pub(crate) fn by_key(key: &str) -> Option<&'static Flag> {
    FLAGS.iter().find(|f| f.key == key)
}

/// One flag as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlagUse {
    /// The flag, when dockerd has it; `None` for a flag dockaudit does not know.
    pub flag: Option<&'static Flag>,
    /// The daemon.json key it sets (the flag's own name when unknown).
    pub key: String,
    /// As written: `--icc=false`, `-H tcp://0.0.0.0:2375`.
    pub text: String,
    /// Its value: `true` for a bare boolean.
    pub value: String,
}

/// The flags of a dockerd command line (`args[0]` is the program).
pub(crate) fn parse(args: &[String]) -> Vec<FlagUse> {
    let mut out = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let flag = by_long(name);
            let takes_next = match flag {
                Some(f) => f.kind != Kind::Bool,
                // An unknown flag: take the next argument as its value unless it is a flag.
                None => args.get(i).is_some_and(|next| !next.starts_with('-')),
            };
            let (value, text) = match inline {
                Some(v) => (v, arg.clone()),
                None if takes_next => match args.get(i) {
                    Some(next) => {
                        i += 1;
                        (next.clone(), format!("{arg} {next}"))
                    }
                    None => (String::new(), arg.clone()),
                },
                None => ("true".to_string(), arg.clone()),
            };
            out.push(FlagUse {
                flag,
                key: flag.map_or(name, |f| f.key).to_string(),
                text,
                value,
            });
            continue;
        }
        let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) else {
            continue; // dockerd takes no positional arguments
        };
        // `-D`, `-Dl debug`, `-Htcp://…`, `-H=tcp://…`, `-l=debug`.
        for (offset, c) in shorts.char_indices() {
            let flag = by_short(c);
            let rest = &shorts[offset + c.len_utf8()..];
            match flag {
                Some(f) if f.kind == Kind::Bool => {
                    if let Some(v) = rest.strip_prefix('=') {
                        out.push(use_of(f, format!("-{c}={v}"), v.to_string()));
                        break;
                    }
                    out.push(use_of(f, format!("-{c}"), "true".into()));
                }
                Some(f) => {
                    let (value, text) = if !rest.is_empty() {
                        let v = rest.strip_prefix('=').unwrap_or(rest);
                        (v.to_string(), format!("-{c} {v}"))
                    } else if let Some(next) = args.get(i) {
                        i += 1;
                        (next.clone(), format!("-{c} {next}"))
                    } else {
                        (String::new(), format!("-{c}"))
                    };
                    out.push(use_of(f, text, value));
                    break;
                }
                None => {
                    // Unknown short flag: keep it under its letter and stop reading this group.
                    out.push(FlagUse {
                        flag: None,
                        key: c.to_string(),
                        text: format!("-{shorts}"),
                        value: rest.to_string(),
                    });
                    break;
                }
            }
        }
    }
    out
}

fn use_of(flag: &'static Flag, text: String, value: String) -> FlagUse {
    FlagUse {
        flag: Some(flag),
        key: flag.key.to_string(),
        text,
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_string).collect()
    }

    fn uses(line: &str) -> Vec<(String, String, String)> {
        parse(&args(line))
            .into_iter()
            .map(|u| (u.key, u.value, u.text))
            .collect()
    }

    #[test]
    fn long_flags_in_every_form() {
        assert_eq!(
            uses("dockerd --icc=false --live-restore --log-level debug --data-root=/d"),
            vec![
                ("icc".into(), "false".into(), "--icc=false".into()),
                (
                    "live-restore".into(),
                    "true".into(),
                    "--live-restore".into()
                ),
                (
                    "log-level".into(),
                    "debug".into(),
                    "--log-level debug".into()
                ),
                ("data-root".into(), "/d".into(), "--data-root=/d".into()),
            ]
        );
    }

    #[test]
    fn short_flags_and_groups() {
        let got =
            uses("dockerd -H fd:// -Htcp://0.0.0.0:2375 -H=unix:///x.sock -Dl warn -s overlay2");
        let keys: Vec<(&str, &str)> = got
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("hosts", "fd://"),
                ("hosts", "tcp://0.0.0.0:2375"),
                ("hosts", "unix:///x.sock"),
                ("debug", "true"),
                ("log-level", "warn"),
                ("storage-driver", "overlay2"),
            ]
        );
    }

    #[test]
    fn named_options_map_to_their_file_keys() {
        let got = uses("dockerd --insecure-registry r:5000 --default-ulimit nofile=1024:2048 --authorization-plugin=authz");
        let keys: Vec<&str> = got.iter().map(|(k, _, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "insecure-registries",
                "default-ulimits",
                "authorization-plugins"
            ]
        );
        assert!(by_long("host").expect("flag").is_named());
        assert!(!by_long("icc").expect("flag").is_named());
    }

    #[test]
    fn unknown_flags_and_the_end_of_flags() {
        let got = uses("dockerd --future-flag v --other -- --icc=false");
        assert_eq!(
            got,
            vec![
                ("future-flag".into(), "v".into(), "--future-flag v".into()),
                ("other".into(), "true".into(), "--other".into()),
            ]
        );
        // A value flag at the very end has an empty value rather than a panic.
        assert_eq!(uses("dockerd --data-root")[0].1, "");
        assert_eq!(uses("dockerd -H")[0].1, "");
        assert!(uses("dockerd - x").is_empty());
    }

    #[test]
    fn every_key_has_one_flag() {
        for flag in FLAGS {
            assert_eq!(by_key(flag.key).map(|f| f.long), Some(flag.long));
        }
    }
}
