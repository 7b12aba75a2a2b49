//! A Podman API service of a test's own: Debian's `podman system service` on a unix socket under
//! a temporary directory, with its own storage root, run root, volume path, containers.conf and
//! CNI network directory (a bridge named after the test, no port-mapping, firewall or masquerade
//! plugins, so it adds no iptables rule). Dropping it removes every container, image and volume it
//! holds, stops the service, deletes its bridge and unmounts what it mounted, panics included.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// What to install when podman is missing (Debian package names).
pub const INSTALL_HINT: &str = "install Debian's podman as root: `apt-get install -y --no-install-recommends podman` (it brings conmon, containernetworking-plugins and golang-github-containers-common; .ci/run installs it)";

/// The podman binary on PATH, if there is one.
pub fn podman_binary() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("podman"))
            .find(|p| p.is_file())
    })
}

/// A running Podman service; everything it made is removed on drop.
pub struct PodmanService {
    dir: tempfile::TempDir,
    podman: PathBuf,
    child: Option<Child>,
    bridge: String,
}

impl PodmanService {
    /// Starts `podman system service` and waits until its API answers `/_ping`.
    pub fn start(podman: &Path) -> PodmanService {
        // Short path: conmon's attach socket under the run root must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("dpm")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let d = dir.path().to_path_buf();
        let id = std::process::id();
        // Unique per test process, at most 15 characters (an interface name).
        let bridge = format!("dpm{}", id % 1_000_000_000);
        // The guard exists before anything needs cleaning up, so a failure below still cleans up.
        let mut service = PodmanService {
            dir,
            podman: podman.to_path_buf(),
            child: None,
            bridge: bridge.clone(),
        };
        for sub in ["root", "run", "tmp", "net", "vol"] {
            std::fs::create_dir_all(d.join(sub)).expect("mkdir");
        }
        // Podman raises nofile and nproc to its own defaults, above this sandbox's hard limits
        // (runc then fails with "error setting rlimit"); the host's journald may be absent.
        std::fs::write(
            d.join("containers.conf"),
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n\
             [engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
        )
        .expect("containers.conf");
        // The default network `podman`, on a bridge and subnet of this test's own. Only the
        // bridge plugin: no portmap, firewall or ipMasq, so no iptables rule is added (published
        // ports are still recorded, which is what the audit reads).
        let subnet = id % 250 + 2;
        std::fs::write(
            d.join("net/podman.conflist"),
            format!(
                r#"{{ "cniVersion": "0.4.0", "name": "podman",
  "plugins": [ {{ "type": "bridge", "bridge": "{bridge}", "isGateway": true, "ipMasq": false,
    "ipam": {{ "type": "host-local", "routes": [{{ "dst": "0.0.0.0/0" }}],
      "ranges": [[{{ "subnet": "10.214.{subnet}.0/24", "gateway": "10.214.{subnet}.1" }}]] }} }} ] }}
"#
            ),
        )
        .expect("conflist");

        let log = std::fs::File::create(d.join("service.log")).expect("log");
        let child = service
            .podman_command()
            .args(["system", "service", "--time=0"])
            .arg(service.url())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("podman system service starts");
        service.child = Some(child);

        let deadline = Instant::now() + Duration::from_secs(60);
        while !service.ping() {
            if let Some(Ok(Some(status))) = service.child.as_mut().map(|c| c.try_wait()) {
                let log = std::fs::read_to_string(d.join("service.log")).unwrap_or_default();
                panic!("podman system service exited ({status}):\n{log}");
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(d.join("service.log")).unwrap_or_default();
                panic!("podman system service did not answer within 60 s:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        service
    }

    /// `podman` with this service's storage, run root, network and configuration.
    pub fn podman_command(&self) -> Command {
        let d = self.dir.path();
        let mut cmd = Command::new(&self.podman);
        cmd.env("CONTAINERS_CONF", d.join("containers.conf"))
            .arg("--root")
            .arg(d.join("root"))
            .arg("--runroot")
            .arg(d.join("run"))
            .arg("--tmpdir")
            .arg(d.join("tmp"))
            .arg("--network-config-dir")
            .arg(d.join("net"))
            .arg("--volumepath")
            .arg(d.join("vol"));
        cmd
    }

    /// The docker CLI pointed at this service (Podman's Docker-compatible API).
    pub fn docker(&self, args: &[&str]) -> Output {
        let out = Command::new("docker")
            .arg("-H")
            .arg(self.url())
            .args(args)
            .env("DOCKER_CLI_HINTS", "false")
            .output()
            .expect("the docker CLI runs");
        assert!(
            out.status.success(),
            "docker {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `unix:///tmp/dpm…/podman.sock`.
    pub fn url(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("podman.sock")
    }

    /// A path inside the service's directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn ping(&self) -> bool {
        super::test_daemon::ping_unix(&self.socket())
    }
}

impl Drop for PodmanService {
    fn drop(&mut self) {
        // Everything in this storage is the test's own: remove it all, through podman, so conmon
        // processes, network namespaces and overlay mounts go with the containers.
        for args in [
            &["rm", "--all", "--force", "--time", "0"][..],
            &["rmi", "--all", "--force"][..],
            &["volume", "rm", "--all", "--force"][..],
        ] {
            let _ = self
                .podman_command()
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        if let Some(child) = &mut self.child {
            super::test_daemon::stop_gracefully(child);
        }
        // The CNI bridge plugin leaves its bridge behind.
        let _ = Command::new("ip")
            .args(["link", "delete", &self.bridge])
            .stderr(Stdio::null())
            .status();
        // What podman mounted under its directory must go before the directory can.
        super::test_daemon::unmount_under(self.dir.path());
    }
}
