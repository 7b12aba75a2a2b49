//! Fitting in: the Docker CLI plugin through the real docker CLI, shell completions, the man page,
//! and `audit --quiet`.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

fn scenario() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules/tests/fixtures/scenario.json")
}

fn dockaudit() -> Command {
    let mut cmd = Command::cargo_bin("dockaudit").unwrap();
    cmd.env_remove("FORCE_COLOR").env("NO_COLOR", "1");
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The docker CLI, or `None` (and a note) where it is not installed; CI installs it.
fn docker_cli() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("docker"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the docker CLI is not installed"
        );
        eprintln!("skipped: no docker CLI on PATH");
    }
    found
}

/// A DOCKER_CONFIG directory with the built binary installed as the `docker-audit` plugin.
fn plugin_config() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("cli-plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::copy(
        assert_cmd::cargo::cargo_bin("dockaudit"),
        plugins.join("docker-audit"),
    )
    .unwrap();
    dir
}

fn docker(docker: &Path, config: &Path) -> Command {
    let mut cmd = Command::new(docker);
    cmd.env("DOCKER_CONFIG", config)
        .env_remove("FORCE_COLOR")
        .env("NO_COLOR", "1");
    cmd
}

#[test]
fn answers_the_plugin_metadata_call() {
    let out = stdout_of(dockaudit().arg("docker-cli-plugin-metadata"));
    let meta: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(meta["SchemaVersion"], "0.1.0");
    assert_eq!(meta["Vendor"], "dockaudit");
    assert_eq!(meta["Version"], env!("CARGO_PKG_VERSION"));
    assert!(meta["ShortDescription"].as_str().unwrap().len() > 10);
    assert!(meta["URL"].as_str().unwrap().starts_with("http"));
}

#[test]
fn runs_as_docker_audit_through_the_real_docker_cli() {
    let Some(cli) = docker_cli() else { return };
    let config = plugin_config();

    // docker lists it among its commands, with the metadata's description.
    let help = stdout_of(docker(&cli, config.path()).arg("--help"));
    assert!(
        help.lines()
            .any(|l| l.trim_start().starts_with("audit*") && l.contains("tell you what to fix")),
        "{help}"
    );

    let help = stdout_of(docker(&cli, config.path()).args(["audit", "--help"]));
    assert!(help.contains("Usage: docker audit <COMMAND>"), "{help}");
    for sub in ["audit", "rules", "explain", "completions"] {
        assert!(
            help.lines()
                .any(|l| l.trim_start().starts_with(&format!("{sub} "))),
            "{sub}: {help}"
        );
    }

    let rules = stdout_of(docker(&cli, config.path()).args(["audit", "rules", "--format", "json"]));
    let rules: Vec<serde_json::Value> = serde_json::from_str(&rules).unwrap();
    assert_eq!(rules.len(), dockaudit_rules::RULES.len());
    assert_eq!(rules[0]["id"], dockaudit_rules::RULES[0].meta.id);

    // `docker audit audit …` is `dockaudit audit …`, exit code included.
    let out = docker(&cli, config.path())
        .args([
            "audit",
            "audit",
            "--quiet",
            "--fail-on",
            "critical",
            "--snapshot",
        ])
        .arg(scenario())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Summary: "));
}

#[test]
fn completion_scripts_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(dockaudit().args(["completions", shell]));
        for sub in [
            "audit", "baseline", "collect", "rules", "explain", "image", "man",
        ] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(script.contains("fail-on"), "{shell}");
    }
    let out = dockaudit()
        .args(["completions", "powershell"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_bash_completion_script_is_valid_bash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dockaudit.bash");
    std::fs::write(&path, stdout_of(dockaudit().args(["completions", "bash"]))).unwrap();
    let check = StdCommand::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // And it registers itself when sourced.
    let sourced = StdCommand::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p dockaudit",
            path.display()
        ))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&sourced.stdout).contains("dockaudit"),
        "{}",
        String::from_utf8_lossy(&sourced.stderr)
    );
}

#[test]
fn the_man_page_is_roff_from_the_cli_definition() {
    let page = stdout_of(dockaudit().arg("man"));
    assert!(page.contains(".TH dockaudit 1"));
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
    assert!(page.contains(".SH SUBCOMMANDS"));
    for sub in [
        "audit",
        "baseline",
        "collect",
        "rules",
        "explain",
        "completions",
    ] {
        assert!(page.contains(&format!("dockaudit\\-{sub}")), "{sub}");
    }
}

#[test]
fn quiet_prints_only_the_summary_and_keeps_the_exit_code() {
    let out = dockaudit()
        .args(["audit", "--quiet", "--snapshot"])
        .arg(scenario())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("Summary: "));
    assert!(lines[1].starts_with("Score: "));

    let out = dockaudit()
        .args(["audit", "-q", "--fail-on", "never", "--snapshot"])
        .arg(scenario())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let out = dockaudit()
        .args(["audit", "--quiet", "--verbose", "--snapshot"])
        .arg(scenario())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Runs `dockaudit ARGS` on a pseudo-terminal (util-linux `script`), against the machine's engine;
/// returns what the terminal showed (stdout and stderr together).
fn on_a_terminal(args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_dockaudit");
    let out = StdCommand::new("script")
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .env_remove("FORCE_COLOR")
        .output()
        .expect("util-linux `script` runs (Debian: bsdutils)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_spinner_shows_while_collecting_on_a_terminal_only() {
    let quick = "audit --select CTR001 --fail-on never --no-image-scan --no-logs";
    let shown = on_a_terminal(quick);
    assert!(shown.contains("collecting from "), "{shown}");
    // Not in JSON mode, even on a terminal.
    let json = on_a_terminal(&format!("{quick} --format json"));
    assert!(!json.contains("collecting from "), "{json}");
    // Not when stderr is not a terminal.
    let out = dockaudit()
        .args(quick.split(' '))
        .output()
        .expect("dockaudit runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("collecting from "), "{stderr}");
}
