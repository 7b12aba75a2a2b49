//! The Compose merge against the real `docker-compose config` (installed by .ci/run) on the same
//! projects: the public awesome-compose files and a project this test writes (override file,
//! `extends`, a profile, `.env` and `${VAR:-default}` interpolation, list and map environments,
//! anchors and merge keys). For every service the facts the rules read must be the same: image,
//! privileged, read_only, user, restart, capabilities, security options, environment keys (and
//! values that are not secrets: those are masked in dockaudit's model), mounts by target, ports,
//! logging driver, memory and CPU limits, health check test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use dockaudit_rules::source::{compose_mounts, compose_ports, first_set};
use dockaudit_source::compose::{self, ComposeProject, Service};
use dockaudit_source::discover;
use dockaudit_source::yaml::{self, Node};

/// The facts compared, as text, per key.
type Facts = BTreeMap<&'static str, String>;

fn scalar(n: Option<&Node>) -> String {
    n.and_then(Node::as_str).unwrap_or("").to_string()
}

/// docker-compose 1.29 prints a literal `$` escaped again as `$$`; the container gets one `$`.
fn unescape(s: String) -> String {
    s.replace("$$", "$")
}

fn set(items: impl IntoIterator<Item = String>) -> String {
    items
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(",")
}

/// Boolean-ish YAML scalars as `true`/`false`.
fn boolean(n: Option<&Node>) -> String {
    n.map(|n| n.is_true().to_string()).unwrap_or_default()
}

/// Numbers as docker-compose prints them (`"0.5"` and `0.5` alike).
fn number(s: &str) -> String {
    s.parse::<f64>()
        .map(|f| f.to_string())
        .unwrap_or_else(|_| s.to_string())
}

fn ours(project: &ComposeProject, s: &Service) -> Facts {
    let mut f = Facts::new();
    f.insert("image", scalar(s.get("image")));
    f.insert("privileged", boolean(s.get("privileged")));
    f.insert("read_only", boolean(s.get("read_only")));
    f.insert("user", scalar(s.get("user")));
    f.insert("restart", scalar(s.get("restart")));
    f.insert(
        "cap_add",
        set(s.list("cap_add").into_iter().map(|(c, _)| c.to_string())),
    );
    f.insert(
        "security_opt",
        set(s
            .list("security_opt")
            .into_iter()
            .map(|(c, _)| c.to_string())),
    );
    let masked: BTreeSet<&str> = s
        .secrets
        .iter()
        .filter(|m| m.field == "environment")
        .map(|m| m.key.as_str())
        .collect();
    f.insert(
        "environment",
        set(s.pairs(&["environment"]).into_iter().map(|(k, v, _)| {
            if masked.contains(k.as_str()) {
                format!("{k}=<secret>")
            } else {
                format!("{k}={}", v.unwrap_or_default())
            }
        })),
    );
    f.insert(
        "volumes",
        set(compose_mounts(project, s).into_iter().map(|mut m| {
            // docker-compose expands `~` with its own HOME; dockaudit leaves it as written.
            if let Some(rest) = m.source.strip_prefix('~') {
                m.source = format!("{}{rest}", std::env::var("HOME").unwrap_or_default());
            }
            format!(
                "{}<-{}{}",
                m.target,
                if m.kind == "bind" {
                    m.source
                } else {
                    format!("volume:{}", m.source)
                },
                if m.read_only { ":ro" } else { "" }
            )
        })),
    );
    f.insert(
        "ports",
        set(compose_ports(s).into_iter().map(|p| {
            format!(
                "{}:{}:{}",
                p.host_ip.unwrap_or_default(),
                p.published.unwrap_or_default(),
                p.target.trim_end_matches("/tcp")
            )
        })),
    );
    f.insert("logging", scalar(s.def.path(&["logging", "driver"])));
    f.insert(
        "memory",
        first_set(
            s,
            &[&["mem_limit"], &["deploy", "resources", "limits", "memory"]],
        )
        .map(|(v, _)| v.to_string())
        .unwrap_or_default(),
    );
    f.insert(
        "cpus",
        first_set(s, &[&["cpus"], &["deploy", "resources", "limits", "cpus"]])
            .map(|(v, _)| number(v))
            .unwrap_or_default(),
    );
    f.insert(
        "healthcheck",
        healthcheck(s.def.path(&["healthcheck", "test"])),
    );
    f
}

fn healthcheck(n: Option<&Node>) -> String {
    match n {
        Some(n) if n.as_str().is_some() => scalar(Some(n)),
        Some(n) => n
            .as_seq()
            .iter()
            .map(|i| scalar(Some(i)))
            .collect::<Vec<_>>()
            .join(" "),
        None => String::new(),
    }
}

/// The same facts from `docker-compose config`'s normalised YAML.
fn theirs(service: &Node, secret_keys: &BTreeSet<String>) -> Facts {
    let mut f = Facts::new();
    f.insert("image", scalar(service.get("image")));
    f.insert("privileged", boolean(service.get("privileged")));
    f.insert("read_only", boolean(service.get("read_only")));
    f.insert("user", scalar(service.get("user")));
    f.insert("restart", scalar(service.get("restart")));
    let list = |k: &str| {
        set(service
            .get(k)
            .map(|n| {
                n.as_seq()
                    .iter()
                    .map(|i| scalar(Some(i)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default())
    };
    f.insert("cap_add", list("cap_add"));
    f.insert("security_opt", list("security_opt"));
    f.insert(
        "environment",
        set(service
            .get("environment")
            .map(|e| {
                e.as_map()
                    .iter()
                    .map(|(k, _, v)| {
                        if secret_keys.contains(k) {
                            format!("{k}=<secret>")
                        } else {
                            format!("{k}={}", scalar(Some(v)))
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()),
    );
    f.insert(
        "volumes",
        set(service
            .get("volumes")
            .map(|v| {
                v.as_seq()
                    .iter()
                    .filter_map(|i| {
                        if let Some(s) = i.as_str() {
                            let parts: Vec<&str> = s.split(':').collect();
                            let (src, dst, mode) = match parts.as_slice() {
                                [d] => ("", *d, ""),
                                [s, d] => (*s, *d, ""),
                                [s, d, m, ..] => (*s, *d, *m),
                                [] => return None,
                            };
                            let src = if src.starts_with('/') {
                                src.to_string()
                            } else {
                                format!("volume:{src}")
                            };
                            Some(format!(
                                "{dst}<-{src}{}",
                                if mode.split(',').any(|m| m == "ro") {
                                    ":ro"
                                } else {
                                    ""
                                }
                            ))
                        } else {
                            let kind = scalar(i.get("type"));
                            let src = scalar(i.get("source"));
                            let src = if kind == "bind" {
                                src
                            } else {
                                format!("volume:{src}")
                            };
                            Some(format!(
                                "{}<-{src}{}",
                                scalar(i.get("target")),
                                if i.get("read_only").is_some_and(|r| r.is_true()) {
                                    ":ro"
                                } else {
                                    ""
                                }
                            ))
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()),
    );
    f.insert(
        "ports",
        set(service
            .get("ports")
            .map(|p| {
                p.as_seq()
                    .iter()
                    .map(|i| {
                        if let Some(s) = i.as_str() {
                            let parts: Vec<&str> = s.split(':').collect();
                            match parts.as_slice() {
                                [t] => format!("::{}", t.trim_end_matches("/tcp")),
                                [p, t] => format!(":{p}:{}", t.trim_end_matches("/tcp")),
                                [ip, p, t] => format!("{ip}:{p}:{}", t.trim_end_matches("/tcp")),
                                _ => s.to_string(),
                            }
                        } else {
                            let proto = scalar(i.get("protocol"));
                            let proto = if proto.is_empty() || proto == "tcp" {
                                String::new()
                            } else {
                                format!("/{proto}")
                            };
                            format!(
                                "{}:{}:{}{proto}",
                                scalar(i.get("host_ip")),
                                scalar(i.get("published")),
                                scalar(i.get("target"))
                            )
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()),
    );
    f.insert("logging", scalar(service.path(&["logging", "driver"])));
    let limit = |k: &str| {
        service
            .path(&["deploy", "resources", "limits", k])
            .or_else(|| service.get(if k == "memory" { "mem_limit" } else { "cpus" }))
    };
    f.insert("memory", scalar(limit("memory")));
    f.insert(
        "cpus",
        limit("cpus")
            .and_then(Node::as_str)
            .map(number)
            .unwrap_or_default(),
    );
    f.insert(
        "healthcheck",
        unescape(healthcheck(service.path(&["healthcheck", "test"]))),
    );
    f
}

/// `docker-compose config` of a project, with every profile its services name; `None` when the
/// tool rejects the project (docker-compose 1.29 does not know every newer key).
fn oracle(project: &ComposeProject) -> Option<Node> {
    let mut cmd = Command::new("docker-compose");
    cmd.current_dir(&project.working_dir);
    for f in &project.files {
        cmd.arg("-f").arg(f);
    }
    let profiles: BTreeSet<&String> = project.services.iter().flat_map(|s| &s.profiles).collect();
    for p in profiles {
        cmd.arg("--profile").arg(p);
    }
    cmd.arg("config");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker-compose ({e}): .ci/run installs it"));
    if !out.status.success() {
        eprintln!(
            "docker-compose rejects {}: {}",
            project.main_file(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    Some(
        yaml::parse(
            "docker-compose config",
            &String::from_utf8(out.stdout).unwrap(),
        )
        .unwrap(),
    )
}

fn write_project(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        r#"x-common: &common
  restart: on-failure:3
  logging:
    driver: json-file
services:
  web:
    <<: *common
    image: nginx:${NGINX_TAG:-1.27}
    privileged: true
    user: "0:0"
    ports:
      - "80:80"
      - "127.0.0.1:8080:8080"
      - target: 443
        published: 8443
        protocol: tcp
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - /etc:/host-etc:ro
      - ./data:/data
      - cache:/cache
    environment:
      DB_PASSWORD: hunter2hunter2
      MODE: prod
    cap_add: [SYS_ADMIN, CHOWN]
    security_opt:
      - seccomp:unconfined
    mem_limit: 256m
  db:
    image: postgres:16
    user: "999"
    read_only: true
    security_opt: [no-new-privileges:true]
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
    healthcheck:
      test: ["CMD", "pg_isready"]
    environment:
      - POSTGRES_DB=app
      - POSTGRES_PASSWORD_FILE=/run/secrets/pg
volumes:
  cache: {}
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("compose.override.yaml"),
        r#"services:
  web:
    environment:
      - MODE=dev
    volumes:
      - ./other:/data
    cap_add: [NET_ADMIN]
    restart: unless-stopped
  extra:
    extends: db
    profiles: [debug]
    image: postgres:${PGTAG:-15}
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]
  base:
    extends:
      file: base.yaml
      service: common
"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("base.yaml"),
        "services:\n  common:\n    image: busybox:1.36\n    read_only: true\n    cap_add: [NET_RAW]\n",
    )
    .unwrap();
    std::fs::write(dir.join(".env"), "# the tag\nPGTAG=14\nNGINX_TAG=1.27.1\n").unwrap();
}

#[test]
fn merged_services_match_docker_compose_config() {
    let written = std::env::temp_dir().join(format!("dockaudit-oracle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&written);
    write_project(&written);
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/source/awesome-compose");
    let found = discover(&[written.clone(), fixtures]);
    // Interpolation sees only the project's .env (the test's own environment is not Compose's).
    let env = BTreeMap::new();
    let mut compared = 0;
    let mut services = 0;
    let mut problems = Vec::new();
    for files in &found.compose {
        let project = compose::load(files, &env).unwrap_or_else(|e| panic!("{e}"));
        let Some(config) = oracle(&project) else {
            continue;
        };
        compared += 1;
        let theirs_services = config.get("services").expect("services");
        let ours_names: BTreeSet<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
        let theirs_names: BTreeSet<&str> = theirs_services
            .as_map()
            .iter()
            .map(|(k, ..)| k.as_str())
            .collect();
        if ours_names != theirs_names {
            problems.push(format!(
                "{}: services {ours_names:?} vs {theirs_names:?}",
                project.main_file()
            ));
            continue;
        }
        for s in &project.services {
            services += 1;
            let secret_keys: BTreeSet<String> = s.secrets.iter().map(|m| m.key.clone()).collect();
            let a = ours(&project, s);
            let b = theirs(theirs_services.get(&s.name).unwrap(), &secret_keys);
            for (k, v) in &a {
                if b[k] != *v {
                    problems.push(format!(
                        "{} {}: {k}: dockaudit `{v}`, docker-compose `{}`",
                        project.main_file(),
                        s.name,
                        b[k]
                    ));
                }
            }
        }
    }
    std::fs::remove_dir_all(&written).unwrap();
    eprintln!("compared {compared} projects, {services} services");
    assert!(compared >= 20, "only {compared} projects compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
