//! Planted secrets and hostile text, end to end on the real Docker engine: this test builds its own
//! images (a `docker import` with a comment, a legacy `docker build` with labels, ENV, RUN, ONBUILD
//! and HEALTHCHECK lines, a `docker commit` with a message, an author and `--change`) and
//! containers (environment, labels, command arguments, a health check, and logs and processes
//! whose secrets are assembled at run time, so they are in the log but not in any argument),
//! together carrying over 40 planted values in every shape the masking supports. It then collects a
//! snapshot and audits in every format, and checks that no planted value appears anywhere, that
//! the snapshot's redactions name the keys, and that no output passes on the terminal control
//! characters a container planted in its variable names, labels and logs.
//!
//! Everything is labelled `dockaudit.test=1` and `dockaudit.planted=<prefix>` and removed by a
//! guard on success, failure and panic. Needs: a reachable Docker engine and busybox-static.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use common::docker::{
    busybox_rootfs_tar, docker, docker_import, docker_ok, text, unique_prefix, RemoveLabelled,
};
use serde_json::Value;

/// A generous bound so that a hung binary fails the test instead of hanging CI (not a timing check).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

/// `user:psv-…-basic-NN` for HTTP Basic credentials, base64-encoded by coreutils.
fn base64(plain: &str) -> String {
    let mut child = std::process::Command::new("base64")
        .arg("-w0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("base64 runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), plain.as_bytes())
        .expect("feed base64");
    let out = child.wait_with_output().expect("base64");
    text(&out.stdout).trim().to_string()
}

/// Hostile text a container can carry: an OSC 8 hyperlink, a screen clear, a carriage return.
const HOSTILE: &str = "\u{1b}]8;;http://evil.example/\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J\r\u{202e}";

/// What a run planted: the values that must appear nowhere, and the keys the redactions must name.
struct Planted {
    values: Vec<String>,
    /// (object kind, field, key) the snapshot's redactions must hold.
    keys: Vec<(&'static str, &'static str, String)>,
    image: String,
}

fn dockerfile_context(work: &Path, base: &str, values: &mut Vec<String>) -> std::path::PathBuf {
    let ctx = work.join("build");
    std::fs::create_dir_all(&ctx).expect("mkdir");
    let hash = "psvhtpasswdhash02abcdefghij";
    let bcrypt = "psvbcryptsalt04xxxxxxxxxpsvbcrypthash04yyyyyy";
    values.extend(
        [
            hash,
            "psv-label-json-03",
            bcrypt,
            "psv-env-java-05",
            "psv-env-token-06",
            "psvpemenvbody07",
            "psv-run-mysql-08",
            "psv-run-eq-09",
            "psv-onbuild-bearer-10",
            "psv-health-redis-11",
            "psv-run-curl-42",
        ]
        .map(str::to_string),
    );
    let dockerfile = format!(
        r#"FROM {base}
LABEL traefik.http.middlewares.auth.basicauth.users="admin:\$apr1\$psvsalt2\${hash}" \
      io.example.config="{{\"password\":\"psv-label-json-03\"}}" \
      io.example.bcrypt="bob:\$2y\$10\${bcrypt}"
ENV JAVA_OPTS="-Xmx1g -Ddb.password=psv-env-java-05" API_TOKEN=psv-env-token-06 \
    TLS_KEY_PEM="-----BEGIN RSA PRIVATE KEY-----\npsvpemenvbody07\n-----END RSA PRIVATE KEY-----"
RUN echo "mysql -uroot -ppsv-run-mysql-08 app" > /dev/null
RUN echo password=--password=psv-run-eq-09 > /dev/null
RUN echo curl -fsS -u deploy:psv-run-curl-42 http://localhost/ > /dev/null
ONBUILD RUN wget --header "Authorization: Bearer psv-onbuild-bearer-10" http://localhost/
HEALTHCHECK CMD ["sh", "-c", "exit 0; redis-cli -a psv-health-redis-11 ping"]
"#
    );
    std::fs::write(ctx.join("Dockerfile"), dockerfile).expect("write Dockerfile");
    ctx
}

/// The shell script of the running container: logs and a process whose secrets are put together
/// from `$x` at run time, so no argument holds them whole.
const SCRIPT: &str = r#"x=psv
printf '{"password":"%s-log-json-26"}\n' "$x"
printf '"db_pass": "%s-log-dbpass-27"\n' "$x"
printf 'GET / HTTP/1.1 Authorization: Bearer %s-log-bearer-28\n' "$x"
printf 'Authorization: Basic %s%s\n' "$b1" "$b2"
printf -- '-----BEGIN RSA PRIVATE KEY-----\n%spembodyline30\nMIIB%spembodyline31\n-----END RSA PRIVATE KEY-----\n' "$x" "$x"
printf 'mysql -uroot -p%s-log-mysql-32 app\n' "$x"
printf 'password=--password=%s-log-eq-33\n' "$x"
printf '{"msg":"{\\"password\\":\\"%s-log-nested-34\\"}"}\n' "$x"
printf 'JAVA_OPTS=-Dapi_key=%s-log-javaopt-35\n' "$x"
printf 'hostile: \033]8;;http://evil.example/\007click\033]8;;\007 \033[2J\rPASSED\n'
exec sh -c "sleep 600; : --password=$x-top-36"
"#;

/// Builds the images and starts the containers; returns what was planted.
fn plant(prefix: &str, guard: &mut RemoveLabelled, work: &Path) -> Planted {
    let label = format!("dockaudit.planted={prefix}");
    let base = format!("dockaudit-test-{prefix}-base:1");
    let built = format!("dockaudit-test-{prefix}-built:1");
    let image = format!("dockaudit-test-{prefix}-committed:1");
    guard.tags = vec![image.clone(), built.clone(), base.clone()];
    let mut values: Vec<String> = vec!["psv-import-comment-01".into()];

    let tar = busybox_rootfs_tar(work, &["sh", "echo", "printf", "sleep", "true"], &[]);
    docker_import(
        &tar,
        &[
            "-m",
            "imported with --password=psv-import-comment-01",
            "--change",
            "LABEL dockaudit.test=1",
            "--change",
            &format!("LABEL {label}"),
        ],
        &base,
    );
    let ctx = dockerfile_context(work, &base, &mut values);
    let out = std::process::Command::new("docker")
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "--rm", "--force-rm", "-t", &built])
        .arg(&ctx)
        .output()
        .expect("docker build");
    assert!(out.status.success(), "docker build: {}", text(&out.stderr));

    // docker commit: a message, an author, a change, and the container's command as history.
    let committed_from = format!("{prefix}-commit-src");
    docker_ok(&[
        "create",
        "--name",
        &committed_from,
        "--label",
        "dockaudit.test=1",
        "--label",
        &label,
        &built,
        "sh",
        "-c",
        "echo mysql -ppsv-commit-cmd-14",
    ]);
    docker_ok(&[
        "commit",
        "-m",
        "deploy --password=psv-commit-comment-12",
        "-a",
        "ops token=psv-author-15",
        "-c",
        "ENV SECRET_KEY=psv-commit-env-13",
        &committed_from,
        &image,
    ]);
    docker_ok(&["rm", &committed_from]);
    values.extend(
        [
            "psv-commit-comment-12",
            "psv-commit-env-13",
            "psv-commit-cmd-14",
            "psv-author-15",
        ]
        .map(str::to_string),
    );

    // The running container.
    let env_basic = base64("user:psv-ctr-label-basic-20");
    let log_basic = base64("user:psv-log-basic-29");
    let (b1, b2) = log_basic.split_at(log_basic.len() / 2);
    let evil_label = format!("io.example.{HOSTILE}.token");
    let evil_env = format!("EVIL{HOSTILE}X_PASSWORD=psv-ctr-evil-env-23");
    let running = format!("{prefix}-running");
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &running,
        "--label",
        "dockaudit.test=1",
        "--label",
        &label,
        "-e",
        "DB_PASSWORD=psv-ctr-env-16",
        "-e",
        "HTTP_AUTHORIZATION=Bearer psv-ctr-env-auth-17",
        "-e",
        r#"CONN={"db_pass": "psv-ctr-env-json-18"}"#,
        "-e",
        "PRIVATE_PEM=-----BEGIN PRIVATE KEY-----\npsvpemenvbody19\n-----END PRIVATE KEY-----\n",
        "-e",
        &format!("b1={b1}"),
        "-e",
        &format!("b2={b2}"),
        "-e",
        &evil_env,
        "--label",
        &format!("io.example.auth=Authorization: Basic {env_basic}"),
        "--label",
        "io.example.htpasswd=alice:$apr1$psvsalt1$psvctrlabelhash21zzzzzz",
        "--label",
        &format!("{evil_label}=psv-ctr-evil-label-22"),
        "--entrypoint",
        "sh",
        &image,
        "-c",
        SCRIPT,
        "mysql",
        "-uroot",
        "-ppsv-ctr-args-25",
        "--password=psv-ctr-args-24",
        "--password",
        "psv-ctr-args-41",
    ]);
    values.extend(
        [
            "psv-ctr-env-16",
            "psv-ctr-env-auth-17",
            "psv-ctr-env-json-18",
            "psvpemenvbody19",
            &env_basic,
            "psvctrlabelhash21zzzzzz",
            "psv-ctr-evil-label-22",
            "psv-ctr-evil-env-23",
            "psv-ctr-args-24",
            "psv-ctr-args-25",
            "psv-log-json-26",
            "psv-log-dbpass-27",
            "psv-log-bearer-28",
            &log_basic,
            "psvpembodyline30",
            "MIIBpsvpembodyline31",
            "psv-log-mysql-32",
            "psv-log-eq-33",
            "psv-log-nested-34",
            "psv-log-javaopt-35",
            "psv-top-36",
            "psv-ctr-args-41",
        ]
        .map(str::to_string),
    );

    // A created container whose program is mysql: `Path` + `Args` at the top of the inspect.
    docker_ok(&[
        "create",
        "--name",
        &format!("{prefix}-created"),
        "--label",
        "dockaudit.test=1",
        "--label",
        &label,
        "--label",
        "com.example.cmd=mysqldump -ppsv-ctr-label-mysql-38",
        "-e",
        "JAVA_TOOL_OPTIONS=-Dspring.datasource.password=psv-env-spring-39",
        "--health-cmd",
        "wget --header 'Authorization: Bearer psv-health-bearer-40' http://localhost/",
        "--entrypoint",
        "mysql",
        &image,
        "-uroot",
        "-ppsv-path-args-37",
    ]);
    values.extend(
        [
            "psv-path-args-37",
            "psv-ctr-label-mysql-38",
            "psv-env-spring-39",
            "psv-health-bearer-40",
        ]
        .map(str::to_string),
    );

    let keys = vec![
        ("container", "Config.Env", "DB_PASSWORD".to_string()),
        ("container", "Config.Env", "HTTP_AUTHORIZATION".to_string()),
        ("container", "Config.Env", "CONN".to_string()),
        ("container", "Config.Env", "PRIVATE_PEM".to_string()),
        ("container", "Config.Env", "JAVA_TOOL_OPTIONS".to_string()),
        (
            "container",
            "Config.Env",
            evil_env.split('=').next().unwrap().to_string(),
        ),
        ("container", "Config.Labels", "io.example.auth".to_string()),
        (
            "container",
            "Config.Labels",
            "io.example.htpasswd".to_string(),
        ),
        ("container", "Config.Labels", "com.example.cmd".to_string()),
        ("container", "Config.Labels", evil_label),
        ("container", "Args", "p".to_string()),
        ("container", "Args", "password".to_string()),
        ("container", "logs", "password".to_string()),
        ("container", "logs", "db_pass".to_string()),
        ("container", "logs", "Authorization header".to_string()),
        ("container", "logs", "private key".to_string()),
        ("container", "logs", "p".to_string()),
        ("container", "logs", "api_key".to_string()),
        ("container", "top", "password".to_string()),
        ("image", "Config.Env", "JAVA_OPTS".to_string()),
        ("image", "Config.Env", "API_TOKEN".to_string()),
        ("image", "Config.Env", "TLS_KEY_PEM".to_string()),
        ("image", "Config.Env", "SECRET_KEY".to_string()),
        (
            "image",
            "Config.Labels",
            "traefik.http.middlewares.auth.basicauth.users".to_string(),
        ),
        ("image", "Config.Labels", "io.example.config".to_string()),
        ("image", "Config.Labels", "io.example.bcrypt".to_string()),
        (
            "image",
            "Config.OnBuild",
            "Authorization header".to_string(),
        ),
        ("image", "history", "p".to_string()),
        ("image", "history", "password".to_string()),
        ("image", "Comment", "password".to_string()),
        ("image", "Author", "token".to_string()),
    ];
    Planted {
        values,
        keys,
        image,
    }
}

fn dockaudit() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dockaudit"));
    cmd.timeout(COMMAND_TIMEOUT).env("NO_COLOR", "1");
    cmd
}

/// Terminal control characters other than newline and tab, and the bidirectional controls that
/// reorder text on screen, with some context.
fn controls_in(output: &str) -> Vec<String> {
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
    output
        .char_indices()
        .filter(|(_, c)| (c.is_control() && *c != '\n' && *c != '\t') || bidi(*c))
        .take(5)
        .map(|(i, c)| {
            let before: String = output[..i].chars().rev().take(30).collect();
            format!("{c:?} after {:?}", before.chars().rev().collect::<String>())
        })
        .collect()
}

#[test]
fn no_planted_secret_or_control_character_reaches_a_snapshot_or_a_report() {
    let prefix = unique_prefix("ps");
    let label = format!("dockaudit.planted={prefix}");
    let mut guard = RemoveLabelled {
        label: label.clone(),
        tags: Vec::new(),
    };
    let work = tempfile::tempdir().expect("tmp");
    let planted = plant(&prefix, &mut guard, work.path());
    assert!(planted.values.len() >= 40, "{}", planted.values.len());
    // Logs and processes are read from a running container: wait until its log is written.
    let running = format!("{prefix}-running");
    let mut logged = String::new();
    for _ in 0..100 {
        logged = text(&docker(&["logs", &running]).stdout);
        if logged.contains("hostile") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        logged.contains("psv-log-json-26"),
        "the log holds the planted values: {logged}"
    );

    let mut outputs: Vec<(String, String)> = Vec::new();
    let snapshot = work.path().join("snapshot.json");
    let collect = dockaudit()
        .args([
            "collect",
            "--no-sizes",
            "--no-image-scan",
            "--label",
            &label,
            "-o",
        ])
        .arg(&snapshot)
        .output()
        .expect("dockaudit collect runs");
    assert!(
        collect.status.success(),
        "collect: {}",
        text(&collect.stderr)
    );
    let snapshot_text = std::fs::read_to_string(&snapshot).expect("the snapshot is written");
    outputs.push(("the snapshot".into(), snapshot_text.clone()));
    outputs.push(("collect's stderr".into(), text(&collect.stderr)));

    let formats = ["json", "sarif", "junit", "markdown", "html"];
    let mut audit = dockaudit();
    audit.args([
        "audit",
        "--no-sizes",
        "--label",
        &label,
        "--fail-on",
        "never",
        "-f",
        "terminal",
    ]);
    for f in formats {
        audit
            .arg("-f")
            .arg(format!("{f}={}", work.path().join(f).display()));
    }
    let out = audit.output().expect("dockaudit audit runs");
    assert!(out.status.success(), "audit: {}", text(&out.stderr));
    outputs.push(("the terminal report".into(), text(&out.stdout)));
    outputs.push(("audit's stderr".into(), text(&out.stderr)));
    for f in formats {
        let report = std::fs::read_to_string(work.path().join(f)).expect("report written");
        outputs.push((format!("the {f} report"), report));
    }
    let offline = dockaudit()
        .args([
            "audit",
            "--fail-on",
            "never",
            "-f",
            "markdown",
            "--snapshot",
        ])
        .arg(&snapshot)
        .output()
        .expect("dockaudit audit --snapshot runs");
    outputs.push((
        "the markdown report of the snapshot".into(),
        text(&offline.stdout),
    ));
    let image = dockaudit()
        .args(["image", &planted.image])
        .output()
        .expect("dockaudit image runs");
    outputs.push(("dockaudit image".into(), text(&image.stdout)));

    let mut failures = Vec::new();
    for (what, output) in &outputs {
        for v in &planted.values {
            if output.contains(v.as_str()) {
                failures.push(format!("{what} contains the planted value {v}"));
            }
        }
        let controls = controls_in(output);
        if !controls.is_empty() {
            failures.push(format!("{what} passes on control characters: {controls:?}"));
        }
    }

    // The hostile names reached the reports (escaped in JSON, shown as pictures elsewhere).
    let json_report = &outputs
        .iter()
        .find(|(w, _)| w == "the json report")
        .unwrap()
        .1;
    if !json_report.contains("\\u001b]8;;http://evil.example/") {
        failures.push("the hostile variable name is not in the JSON report".into());
    }
    let markdown = &outputs
        .iter()
        .find(|(w, _)| w == "the markdown report")
        .unwrap()
        .1;
    if !markdown.contains("␛") || !markdown.contains("evil.example/␇click") {
        failures.push("the markdown report does not show the escape sequence".into());
    }

    // The redactions name every key where a value was masked.
    let snap: Value = serde_json::from_str(&snapshot_text).expect("the snapshot is JSON");
    let recorded: BTreeSet<(String, String, String)> = snap["redactions"]
        .as_array()
        .expect("redactions")
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("object_kind"), s("field"), s("key"))
        })
        .collect();
    for (kind, field, key) in &planted.keys {
        let wanted = (kind.to_string(), field.to_string(), key.clone());
        if !recorded.contains(&wanted) {
            failures.push(format!("no redaction of {wanted:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}\nredactions: {recorded:#?}",
        failures.len(),
        failures.join("\n")
    );
}
