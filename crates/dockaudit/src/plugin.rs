//! Running as a Docker CLI plugin: installed as `docker-audit` in `~/.docker/cli-plugins/` (or
//! `$DOCKER_CONFIG/cli-plugins/`), the binary answers docker's metadata call and runs as
//! `docker audit …`.
//!
//! Docker first runs `docker-audit docker-cli-plugin-metadata` and expects one JSON object; then, for
//! `docker audit ARGS`, it runs `docker-audit audit ARGS`: the plugin's own name comes first. As
//! `audit` is also a dockaudit subcommand, that first argument is only dropped when the binary was
//! started under its plugin file name, so `dockaudit audit …` keeps its meaning.

use std::ffi::{OsStr, OsString};
use std::path::Path;

/// The docker subcommand the plugin adds (`docker audit`).
pub const PLUGIN_NAME: &str = "audit";
/// The file name docker looks for in `cli-plugins/`.
pub const PLUGIN_FILE: &str = "docker-audit";
/// The argument of docker's metadata call.
pub const METADATA_ARG: &str = "docker-cli-plugin-metadata";

/// What the process was started to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Docker's metadata call: print [`metadata`] and exit 0.
    Metadata,
    /// Run the command line `args` (its first element the program name); `plugin` when started
    /// by docker as `docker audit`.
    Run { args: Vec<OsString>, plugin: bool },
}

/// Decides from the process arguments (`std::env::args_os()`) how the binary was invoked.
pub fn invocation(mut args: Vec<OsString>) -> Invocation {
    if args.get(1).map(OsString::as_os_str) == Some(OsStr::new(METADATA_ARG)) {
        return Invocation::Metadata;
    }
    let as_plugin = args
        .first()
        .and_then(|p| Path::new(p).file_stem())
        .is_some_and(|stem| stem == PLUGIN_FILE);
    let plugin = as_plugin && args.get(1).map(OsString::as_os_str) == Some(OsStr::new(PLUGIN_NAME));
    if plugin {
        args.remove(1);
    }
    Invocation::Run { args, plugin }
}

/// The JSON object docker's metadata call expects (schema 0.1.0).
pub fn metadata() -> serde_json::Value {
    serde_json::json!({
        "SchemaVersion": "0.1.0",
        "Vendor": "dockaudit",
        "Version": env!("CARGO_PKG_VERSION"),
        "ShortDescription": "Audit a container host end to end and tell you what to fix",
        "URL": env!("CARGO_PKG_REPOSITORY"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_metadata_call_is_answered_under_any_name() {
        assert_eq!(
            invocation(args(&[
                "/home/u/.docker/cli-plugins/docker-audit",
                METADATA_ARG
            ])),
            Invocation::Metadata
        );
        assert_eq!(
            invocation(args(&["dockaudit", METADATA_ARG])),
            Invocation::Metadata
        );
        let m = metadata();
        assert_eq!(m["SchemaVersion"], "0.1.0");
        assert_eq!(m["Version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn the_plugin_name_is_dropped_only_under_the_plugin_file_name() {
        assert_eq!(
            invocation(args(&["/x/cli-plugins/docker-audit", "audit", "rules"])),
            Invocation::Run {
                args: args(&["/x/cli-plugins/docker-audit", "rules"]),
                plugin: true
            }
        );
        // `docker audit audit --snapshot s.json` is `dockaudit audit --snapshot s.json`.
        assert_eq!(
            invocation(args(&["docker-audit", "audit", "audit", "--snapshot", "s"])),
            Invocation::Run {
                args: args(&["docker-audit", "audit", "--snapshot", "s"]),
                plugin: true
            }
        );
        // As dockaudit, `audit` is the subcommand.
        assert_eq!(
            invocation(args(&["dockaudit", "audit", "--snapshot", "s"])),
            Invocation::Run {
                args: args(&["dockaudit", "audit", "--snapshot", "s"]),
                plugin: false
            }
        );
    }
}
