//! Connection failures a user meets on day one, each with a message that names the endpoint and
//! says what to do, and exit code 2.

use std::process::Command;

fn dockaudit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dockaudit"))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

/// A user outside the `docker` group gets the permission hint, not a generic error. Needs root (to
/// switch to `nobody`) and the standard socket; elsewhere it says why it did not run.
#[test]
fn socket_without_permission_explains_the_docker_group() {
    let socket = std::path::Path::new("/var/run/docker.sock");
    if !running_as_root() || !socket.exists() {
        eprintln!("not run: needs root and /var/run/docker.sock");
        return;
    }
    let out = Command::new("runuser")
        .args(["-u", "nobody", "--"])
        .arg(env!("CARGO_BIN_EXE_dockaudit"))
        .args(["audit", "--host", "unix:///var/run/docker.sock"])
        .output()
        .expect("runuser runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
    assert!(stderr.contains("unix:///var/run/docker.sock"), "{stderr}");
    assert!(stderr.contains("docker` group"), "{stderr}");
}

#[test]
fn unsupported_and_malformed_urls_exit_2_naming_the_url() {
    for url in ["ssh://admin@build-host", "ftp://x:21", "tcp://no-port"] {
        let out = dockaudit()
            .args(["audit", "--host", url])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.contains(url), "{url}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn docker_host_is_honoured_when_no_flag_is_given() {
    let out = dockaudit()
        .args(["audit"])
        .env("DOCKER_HOST", "unix:///nonexistent/dockaudit-test.sock")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("unix:///nonexistent/dockaudit-test.sock"),
        "{stderr}"
    );
}
