//! Runtime findings linked to the Compose file that created the container: a project started with
//! the real `docker-compose` (installed by .ci/run) from a locally imported busybox image; `audit`
//! reads the project's files from the containers' labels and puts each container finding at the
//! line that set it (CTR001 at `privileged: true`), or at the service's name for a rule with no
//! source form; a `# dockaudit-ignore` comment in the file accepts the runtime finding at its line.
//! Everything the test creates carries `dockaudit.test=1` and is removed on drop.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::docker::{busybox_rootfs_tar, docker_import, text, unique_prefix, RemoveLabelled};
use serde_json::Value;

/// `docker-compose -p PROJECT down` (containers, the project network) on drop, then the image.
struct ComposeDown {
    project: String,
    file: PathBuf,
    _images: RemoveLabelled,
}

impl Drop for ComposeDown {
    fn drop(&mut self) {
        let _ = compose(
            &self.project,
            &self.file,
            &["down", "--remove-orphans", "-t", "1"],
        );
    }
}

fn compose(project: &str, file: &Path, args: &[&str]) -> std::process::Output {
    Command::new("docker-compose")
        .arg("-p")
        .arg(project)
        .arg("-f")
        .arg(file)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker-compose ({e}): .ci/run installs it"))
}

#[test]
fn container_findings_point_at_the_compose_line() {
    let prefix = unique_prefix("lint");
    let project = format!("dockauditlint{}", &prefix[4..]).to_ascii_lowercase();
    let work = tempfile::tempdir().unwrap();
    let image = format!("dockaudit-test-{prefix}-compose:1");
    let label = format!("dockaudit.compose-test={prefix}");
    let tar = busybox_rootfs_tar(work.path(), &["sh", "sleep"], &[]);
    let images = RemoveLabelled {
        label: label.clone(),
        tags: vec![image.clone()],
    };
    docker_import(
        &tar,
        &[
            "--change",
            "LABEL dockaudit.test=1",
            "--change",
            &format!("LABEL {label}"),
            "--change",
            "CMD [\"sleep\", \"3600\"]",
        ],
        &image,
    );
    let file = work.path().join("compose.yaml");
    std::fs::write(
        &file,
        format!(
            "services:\n  web:\n    image: {image}\n    labels:\n      dockaudit.test: \"1\"\n      {}: \"1\"\n    privileged: true\n    stop_grace_period: 1s\n  # dockaudit-ignore RES001: sized by the host's cgroup\n  calm:\n    image: {image}\n    read_only: true\n    labels:\n      dockaudit.test: \"1\"\n    stop_grace_period: 1s\nnetworks:\n  default:\n    labels:\n      dockaudit.test: \"1\"\n",
            label.replace('=', ".")
        ),
    )
    .unwrap();
    let guard = ComposeDown {
        project: project.clone(),
        file: file.clone(),
        _images: images,
    };
    // Created, not started: this machine's runtime cannot start a privileged container, and dockaudit
    // audits created containers as it does running ones.
    let up = compose(&project, &file, &["up", "--no-start"]);
    assert!(
        up.status.success(),
        "docker-compose up: {}",
        text(&up.stderr)
    );

    let out = Command::new(env!("CARGO_BIN_EXE_dockaudit"))
        .args([
            "audit",
            "--no-image-scan",
            "--no-logs",
            "--fail-on",
            "never",
            "-f",
            "json",
        ])
        .arg("--label")
        .arg(format!("com.docker.compose.project={project}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let on = |service: &str| -> Vec<&Value> {
        findings
            .iter()
            .filter(|f| {
                f["target"]["kind"] == "container"
                    && f["target"]["name"].as_str().is_some_and(|n| {
                        n.contains(&format!("_{service}_")) || n.contains(&format!("-{service}-"))
                    })
            })
            .collect()
    };
    let web = on("web");
    assert!(
        !web.is_empty(),
        "no finding on the web container: {findings:?}"
    );
    let ctr001 = web
        .iter()
        .find(|f| f["rule"] == "CTR001")
        .expect("CTR001 on web");
    let path = file.display().to_string();
    assert_eq!(ctr001["location"]["path"], path.as_str(), "{ctr001}");
    assert_eq!(
        ctr001["location"]["line"], 7,
        "privileged: true is on line 7: {ctr001}"
    );
    // A rule with no source form (or no finding in the file) points at the service's name.
    for f in &web {
        assert_eq!(f["location"]["path"], path.as_str(), "{f}");
        let line = f["location"]["line"].as_u64().unwrap();
        assert!(line == 2 || line == 7 || line == 3, "{f}");
    }
    let calm = on("calm");
    assert!(!calm.is_empty());
    // The comment above `calm:` accepts the runtime RES001 finding located at that line.
    let res001 = calm
        .iter()
        .find(|f| f["rule"] == "RES001")
        .expect("RES001 on calm");
    assert_eq!(res001["location"]["line"], 10, "{res001}");
    assert_eq!(res001["suppressed"]["source"], "inline", "{res001}");
    assert_eq!(res001["suppressed"]["reason"], "sized by the host's cgroup");
    assert!(
        calm.iter().all(|f| f["rule"] != "CTR011"),
        "calm is read_only"
    );
    assert!(calm.iter().all(|f| f["location"]["path"] == path.as_str()));
    drop(guard);
}
