//! The source checks over real and written Dockerfiles and Compose files: every source check fails
//! somewhere and passes somewhere, findings point at the line that says it, secrets never reach the
//! report, inline `# dockaudit-ignore` comments suppress like `[[ignore]]` entries (and are reported
//! by META002 when they match nothing), and the registry of source checks is consistent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dockaudit_report::Report;
use dockaudit_rules::{
    find_rule, lint, AuditOptions, RuleSelection, SourceInput, Suppressions, RULES, SOURCE_CHECKS,
};
use dockaudit_source::compose::{self, ComposeProject};
use dockaudit_source::{discover, dockerfile, Dockerfile};

const PLANTED: &[&str] = &[
    "hunter2hunter2",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "s3cr3t-Passw0rd-value",
];

const DOCKERFILE: &str = r#"ARG BASE=debian
FROM ${BASE}
ARG GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789
ENV DB_PASSWORD=s3cr3t-Passw0rd-value MODE=prod
RUN apt-get update
RUN apt-get install -y curl && curl -fsSL https://example.com/i.sh | sh
# dockaudit-ignore DKF004: the vendor's build needs it
RUN sudo make install
# dockaudit-ignore DKF005: matches nothing below
RUN echo ok
WORKDIR app
ADD app.py /app/
ADD https://example.com/x.tgz /tmp/
COPY .env id_rsa /app/
COPY .git /app/.git
EXPOSE 22 80
RUN pip install flask
CMD python app.py
CMD ["python", "app.py"]
HEALTHCHECK NONE
USER root
"#;

const GOOD_DOCKERFILE: &str = r#"FROM python:3.13-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*
FROM python:3.13-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /app
COPY --from=build /usr/bin/gcc /usr/bin/gcc
COPY app.py /app/
RUN pip install --no-cache-dir flask && curl -fsSL https://example.com/x | tar xz
HEALTHCHECK CMD ["python", "-c", "print(1)"]
USER 10001
ENTRYPOINT ["python", "app.py"]
"#;

const COMPOSE: &str = r#"x-common: &common
  restart: always
  logging:
    driver: json-file
services:
  web:
    <<: *common
    image: nginx
    privileged: true
    user: root
    pid: host
    ipc: host
    uts: host
    userns_mode: host
    cgroup: host
    network_mode: host
    read_only: false
    devices: ["/dev/sda:/dev/sda"]
    ports:
      - "80:80"
      - "5432:5432"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - ./data/../../../../etc:/host-etc
    environment:
      DB_PASSWORD: hunter2hunter2
    cap_add: [SYS_ADMIN, CHOWN, NET_BIND_SERVICE]
    security_opt:
      - seccomp:unconfined
      - apparmor=unconfined
    healthcheck:
      disable: true
  logless:
    image: busybox:1.36
    logging:
      driver: none
  # dockaudit-ignore RES001: sized by the host's cgroup
  db:
    image: postgres:16@sha256:0000000000000000000000000000000000000000000000000000000000000000
    user: "999"
    read_only: true
    restart: on-failure:3
    security_opt: [no-new-privileges:true]
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M, pids: 100}
    logging:
      driver: json-file
      options: {max-size: 10m}
    healthcheck:
      test: ["CMD", "pg_isready"]
    ports:
      - "127.0.0.1:8080:8080"
    volumes:
      - ./data:/data
"#;

struct Fixture {
    _dir: TempDir,
    dockerfiles: Vec<Dockerfile>,
    compose: Vec<ComposeProject>,
    paths: BTreeMap<&'static str, String>,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture(tag: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!(
        "dockaudit-source-rules-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (sub, name, text) in [
        ("bad", "Dockerfile", DOCKERFILE),
        ("good", "Dockerfile", GOOD_DOCKERFILE),
        ("app", "compose.yaml", COMPOSE),
    ] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join(name), text).unwrap();
    }
    let real = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/source");
    let found = discover(&[dir.clone(), real]);
    let dockerfiles = found
        .dockerfiles
        .iter()
        .map(|p| {
            dockerfile::parse(
                &p.display().to_string(),
                &std::fs::read_to_string(p).unwrap(),
            )
            .unwrap()
        })
        .collect();
    let compose = found
        .compose
        .iter()
        .map(|files| compose::load(files, &BTreeMap::new()).unwrap())
        .collect();
    let mut paths = BTreeMap::new();
    paths.insert("bad", dir.join("bad/Dockerfile").display().to_string());
    paths.insert("good", dir.join("good/Dockerfile").display().to_string());
    paths.insert(
        "compose",
        dir.join("app/compose.yaml").display().to_string(),
    );
    Fixture {
        _dir: TempDir(dir),
        dockerfiles,
        compose,
        paths,
    }
}

fn run(f: &Fixture, with_inline: bool) -> Report {
    let mut suppressions = Suppressions::default();
    if with_inline {
        for df in &f.dockerfiles {
            for i in &df.ignores {
                suppressions.add_inline(&df.path, i, RULES).unwrap();
            }
        }
        for p in &f.compose {
            for (file, i) in &p.ignores {
                suppressions.add_inline(file, i, RULES).unwrap();
            }
        }
    }
    lint(
        &SourceInput {
            dockerfiles: &f.dockerfiles,
            compose: &f.compose,
        },
        RULES,
        &AuditOptions {
            selection: RuleSelection::default(),
            suppressions,
            ..AuditOptions::default()
        },
        "2026-06-01T00:00:00Z",
        Vec::new(),
    )
}

/// The lines `rule` reports in `path`.
fn lines(report: &Report, rule: &str, path: &str) -> Vec<usize> {
    let mut out: Vec<usize> = report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter_map(|f| {
            f.location
                .as_ref()
                .filter(|l| l.path == path)
                .map(|l| l.line)
        })
        .collect();
    out.sort_unstable();
    out
}

#[test]
fn every_source_check_fails_and_passes_somewhere() {
    let f = fixture("all");
    let report = run(&f, false);
    let mut problems = Vec::new();
    for check in SOURCE_CHECKS {
        let r = report.results.iter().find(|r| r.rule == check.id);
        match r {
            None => problems.push(format!("{} did not run", check.id)),
            Some(r) if r.failed == 0 => {
                problems.push(format!("{} has no failing fixture", check.id))
            }
            Some(r) if r.checked == r.failed => {
                problems.push(format!("{} has no passing fixture", check.id))
            }
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for finding in &report.findings {
        let at = finding
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("{} without a location", finding.rule));
        assert!(at.line >= 1 && at.column >= 1, "{finding:?}");
    }
}

#[test]
fn findings_point_at_the_line_that_says_it() {
    let f = fixture("lines");
    let report = run(&f, false);
    let bad = &f.paths["bad"];
    let expect: &[(&str, &[usize])] = &[
        ("DKF001", &[2]),
        ("IMG005", &[3, 4]),
        ("IMG003", &[5]),
        ("DKF002", &[6]),
        ("DKF003", &[6]),
        ("DKF009", &[6]),
        ("DKF004", &[8]),
        ("DKF006", &[11]),
        ("IMG004", &[12, 13]),
        ("IMG009", &[14]),
        ("IMG014", &[15]),
        ("DKF005", &[16]),
        ("IMG015", &[6, 17]),
        ("DKF008", &[18]),
        ("DKF007", &[19]),
        ("IMG002", &[20]),
        ("IMG001", &[21]),
    ];
    for (rule, want) in expect {
        assert_eq!(
            lines(&report, rule, bad),
            want.to_vec(),
            "{rule} in the bad Dockerfile"
        );
    }
    let good = &f.paths["good"];
    let on_good: Vec<&str> = report
        .findings
        .iter()
        .filter(|x| x.location.as_ref().is_some_and(|l| &l.path == good))
        .map(|x| x.rule.as_str())
        .collect();
    assert!(on_good.is_empty(), "the good Dockerfile: {on_good:?}");

    let c = &f.paths["compose"];
    let expect: &[(&str, &[usize])] = &[
        ("CTR001", &[9]),
        ("CTR002", &[10]),
        ("CTR007", &[11]),
        ("CTR008", &[12]),
        ("CTR009", &[13]),
        ("CTR010", &[14]),
        ("CTR020", &[15]),
        ("NET001", &[16]),
        ("CTR011", &[17, 33]),
        ("CTR012", &[18]),
        ("NET003", &[20, 21]),
        ("NET004", &[21]),
        ("NET002", &[20]),
        ("MNT001", &[23]),
        ("MNT002", &[24]),
        ("CTR017", &[26]),
        ("CTR005", &[27]),
        ("CTR013", &[29]),
        ("CTR003", &[30]),
        ("CTR015", &[31]),
        ("IMG006", &[8]),
        ("RES004", &[2]),
        ("LOG002", &[3]),
        ("LOG001", &[36]),
        ("CTR014", &[28, 33]),
        ("RES001", &[6, 33]),
    ];
    for (rule, want) in expect {
        assert_eq!(
            lines(&report, rule, c),
            want.to_vec(),
            "{rule} in compose.yaml"
        );
    }
    // The relative path that climbs out of the project is judged as the directory it names.
    let mnt = report
        .findings
        .iter()
        .find(|x| x.rule == "MNT002" && x.location.as_ref().is_some_and(|l| &l.path == c))
        .unwrap();
    assert_eq!(mnt.evidence["source"], "/etc", "{mnt:?}");
    // CHOWN and NET_BIND_SERVICE are defaults: only SYS_ADMIN is reported.
    let caps: Vec<&str> = report
        .findings
        .iter()
        .filter(|x| x.rule == "CTR005" && x.location.as_ref().is_some_and(|l| &l.path == c))
        .map(|x| x.message.as_str())
        .collect();
    assert_eq!(caps, vec!["cap_add SYS_ADMIN"]);
}

#[test]
fn no_planted_secret_reaches_any_format() {
    let f = fixture("secrets");
    let report = run(&f, true);
    let mut outputs = vec![serde_json::to_string(&report).unwrap()];
    let mut buf = Vec::new();
    dockaudit_report::emit::write_sarif(&report, &[], &mut buf).unwrap();
    outputs.push(String::from_utf8(buf).unwrap());
    let mut buf = Vec::new();
    dockaudit_report::emit::write_markdown(&report, &mut buf).unwrap();
    outputs.push(String::from_utf8(buf).unwrap());
    for out in &outputs {
        for secret in PLANTED {
            assert!(!out.contains(secret), "{secret} leaked");
        }
    }
    // The keys are named.
    assert!(report
        .findings
        .iter()
        .any(|x| x.rule == "CTR017" && x.message.contains("DB_PASSWORD")));
    assert!(report
        .findings
        .iter()
        .any(|x| x.rule == "IMG005" && x.message.contains("GITHUB_TOKEN")));
}

#[test]
fn inline_ignores_suppress_and_unused_ones_are_reported() {
    let f = fixture("inline");
    let report = run(&f, true);
    let bad = &f.paths["bad"];
    let sudo = report
        .findings
        .iter()
        .find(|x| x.rule == "DKF004" && x.location.as_ref().is_some_and(|l| &l.path == bad))
        .unwrap();
    let s = sudo
        .suppressed
        .as_ref()
        .expect("DKF004 suppressed by its comment");
    assert_eq!(s.source, "inline");
    assert_eq!(s.reason, "the vendor's build needs it");
    // The DKF005 comment sits above `RUN echo ok`, where nothing is reported; the compose comment
    // above `db:` accepts a RES001 that db (with its limits) does not have.
    let unused: Vec<(String, usize)> = report
        .findings
        .iter()
        .filter(|x| x.rule == "META002")
        .filter_map(|x| x.location.as_ref().map(|l| (l.path.clone(), l.line)))
        .collect();
    assert!(unused.contains(&(bad.clone(), 9)), "{unused:?}");
    assert!(
        unused.contains(&(f.paths["compose"].clone(), 37)),
        "{unused:?}"
    );
    // Suppressed findings do not count.
    let unsuppressed = run(&f, false);
    assert_eq!(report.summary.suppressed, 1);
    assert!(unsuppressed.summary.suppressed == 0);
}

#[test]
fn inline_ignores_need_a_known_rule_and_a_reason() {
    let df = dockerfile::parse(
        "D",
        "FROM x:1\n# dockaudit-ignore DKF004\nRUN sudo x\n# dockaudit-ignore NOPE01: why\nRUN a\n",
    )
    .unwrap();
    let mut s = Suppressions::default();
    let e = s.add_inline("D", &df.ignores[0], RULES).unwrap_err();
    assert!(e.to_string().contains("no reason"), "{e}");
    let e = s.add_inline("D", &df.ignores[1], RULES).unwrap_err();
    assert!(e.to_string().contains("unknown rule"), "{e}");
}

#[test]
fn source_checks_are_registered_once_in_id_order_for_existing_rules() {
    let ids: Vec<&str> = SOURCE_CHECKS.iter().map(|c| c.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "SOURCE_CHECKS out of order or duplicated");
    for id in &ids {
        assert!(
            find_rule(id).is_some(),
            "{id} has a source check but no rule"
        );
    }
    for rule in RULES.iter().filter(|r| r.judges_source_only()) {
        assert!(
            ids.contains(&rule.meta.id),
            "{} judges only source but has no source check",
            rule.meta.id
        );
    }
}

#[test]
fn audit_does_not_run_source_only_rules() {
    let report = dockaudit_rules::audit(
        &dockaudit_snapshot::Snapshot::default(),
        RULES,
        &AuditOptions::default(),
    );
    assert!(report.results.iter().all(|r| !r.rule.starts_with("DKF")));
}
