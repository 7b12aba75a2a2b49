//! The docker CLI and a static busybox, for live tests that build their own images.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{SystemTime, UNIX_EPOCH};

/// Bytes as text, lossily.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `docker ARGS...` on the machine's engine (DOCKER_HOST or the default socket).
pub fn docker(args: &[&str]) -> Output {
    std::process::Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker: {e}"))
}

/// `docker ARGS...`, trimmed stdout; panics when docker fails.
pub fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        text(&out.stderr)
    );
    text(&out.stdout).trim().to_string()
}

/// A prefix no other run uses: `TAG<pid><nanos>`.
pub fn unique_prefix(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{tag}{}{}", std::process::id(), nanos)
}

/// A static busybox (an imported rootfs has no libc).
pub fn busybox() -> PathBuf {
    let candidates = [
        std::env::var("BUSYBOX").unwrap_or_default(),
        "/bin/busybox".into(),
        "/usr/bin/busybox".into(),
    ];
    for c in candidates.iter().filter(|c| !c.is_empty()) {
        let ldd = std::process::Command::new("ldd").arg(c).output();
        if Path::new(c).exists() && ldd.map(|o| !o.status.success()).unwrap_or(true) {
            return PathBuf::from(c);
        }
    }
    panic!("no static busybox found (apt-get install busybox-static)");
}

/// A rootfs tar of busybox with `applets` linked in `/bin` and `files` (path, content), for
/// `docker import`.
pub fn busybox_rootfs_tar(work: &Path, applets: &[&str], files: &[(&str, &str)]) -> Vec<u8> {
    let rootfs = work.join("rootfs");
    std::fs::create_dir_all(rootfs.join("bin")).expect("mkdir");
    std::fs::copy(busybox(), rootfs.join("bin/busybox")).expect("copy busybox");
    for applet in applets {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).expect("link");
    }
    for (path, content) in files {
        let at = rootfs.join(path);
        std::fs::create_dir_all(at.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(at, content).expect("write");
    }
    let tar = std::process::Command::new("tar")
        .arg("-C")
        .arg(&rootfs)
        .args(["--numeric-owner", "-cf", "-", "."])
        .output()
        .expect("tar");
    assert!(tar.status.success(), "tar: {}", text(&tar.stderr));
    tar.stdout
}

/// `docker import ARGS... - TAG` of `tar`.
pub fn docker_import(tar: &[u8], args: &[&str], tag: &str) {
    let mut import = std::process::Command::new("docker")
        .arg("import")
        .args(args)
        .args(["-", tag])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("docker import");
    std::io::Write::write_all(&mut import.stdin.take().expect("stdin"), tar)
        .expect("feed docker import");
    assert!(import.wait().expect("docker import").success());
}

/// Removes the containers and images with `label` (`KEY=VALUE`) and the image `tags` when dropped,
/// so a live test cleans up on failure and panic too.
pub struct RemoveLabelled {
    /// The label every object of the test carries.
    pub label: String,
    /// Image tags to remove (an image may carry the label only through its parent).
    pub tags: Vec<String>,
}

impl Drop for RemoveLabelled {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label);
        for id in text(&docker(&["ps", "-aq", "--filter", &filter]).stdout).split_whitespace() {
            let _ = docker(&["rm", "-f", id]);
        }
        // Children before parents: retry in rounds.
        for _ in 0..4 {
            let mut ids: Vec<String> =
                text(&docker(&["images", "-aq", "--filter", &filter]).stdout)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
            ids.extend(self.tags.iter().cloned());
            let mut args = vec!["rmi", "-f"];
            args.extend(ids.iter().map(String::as_str));
            let _ = docker(&args);
        }
    }
}
