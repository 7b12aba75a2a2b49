//! The workspace's declared `rust-version` is at least what every crate it builds with declares.
//!
//! No older toolchain can be installed here to build with, so this checks the declarations: a
//! dependency update that raises a dependency's `rust-version` above ours fails here, and the
//! choice (raise ours in Cargo.toml, or pin the dependency) is made on purpose.
#![forbid(unsafe_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// `1.85`, `1.85.0` as comparable numbers.
fn version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = text.split('.').map(|p| p.parse().unwrap_or(0)).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn declared_rust_version_covers_every_dependency_it_builds_with() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata (run `cargo fetch --locked` first: it reads every package's manifest, \
         other platforms' too): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let ours = members
        .iter()
        .map(|m| {
            packages[m]["rust_version"]
                .as_str()
                .expect("members declare rust-version")
        })
        .map(version)
        .max()
        .unwrap();
    // What building the workspace (not its tests) compiles: normal and build dependencies.
    let mut seen = BTreeSet::new();
    let mut stack = members.clone();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().into_iter().flatten() {
            let builds = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if builds {
                stack.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    let above: Vec<String> = seen
        .iter()
        .filter_map(|id| {
            let p = packages[id];
            let declared = p["rust_version"].as_str()?;
            (version(declared) > ours)
                .then(|| format!("{} {} needs {declared}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        above.is_empty(),
        "the workspace declares rust-version {ours:?}, but: {above:?}"
    );
}
