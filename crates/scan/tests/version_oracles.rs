//! The version comparators against the real tools: `dpkg --compare-versions` for dpkg, rpm's own
//! `rpm.vercmp` (rpm's Lua) for rpm, and apk-tools' test vectors for apk (no apk binary here).
//!
//! Pairs come from the real package databases in `tests/data` plus hand-picked tricky ones. Each
//! oracle runs once per batch (one shell for dpkg, one `rpm --eval` for rpm), never once per pair
//! from the test. A missing oracle fails the test with the command that installs it.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use dockaudit_scan::version::{apk, dpkg, rpm};

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

fn sign(o: Ordering) -> i32 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// Builds pairs from a list of real versions: neighbours, a fixed stride through the list, each
/// version against itself with typical changes (pre-release, rebuild, epoch, revision bumps).
fn pairs_from(versions: &[String], variants: &[fn(&str) -> String]) -> Vec<(String, String)> {
    let n = versions.len();
    let mut pairs = Vec::new();
    for i in 0..n {
        pairs.push((versions[i].clone(), versions[(i + 1) % n].clone()));
        pairs.push((versions[i].clone(), versions[(i * 37 + 11) % n].clone()));
    }
    for (i, v) in versions.iter().enumerate() {
        let variant = variants[i % variants.len()];
        pairs.push((v.clone(), variant(v)));
        pairs.push((variant(v), v.clone()));
    }
    pairs
}

fn require(tool: &str, probe: &[&str], install: &str) {
    match Command::new(tool).args(probe).stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(_) => {}
        Err(e) => panic!(
            "the {tool} oracle is not available ({e}). This test compares dockaudit's version order with \
             {tool}'s own; install it with `{install}` (CI's .ci/run installs it)."
        ),
    }
}

// ---------------------------------------------------------------- dpkg

const DPKG_TRICKY: &[(&str, &str)] = &[
    ("1.0~rc1", "1.0"),
    ("1.0~~", "1.0~"),
    ("1.0~~a", "1.0~~"),
    ("1.0", "1.0a"),
    ("1.0a", "1.0+"),
    ("1.0+", "1.0."),
    ("1.0-0", "1.0"),
    ("0:1.0", "1.0"),
    ("1:0.1", "9.9"),
    ("1.01", "1.1"),
    ("1.001", "1.1"),
    ("1.10", "1.9"),
    ("1.0-1", "1.0-1ubuntu1"),
    ("1.0-1ubuntu1", "1.0-1+deb9u1"),
    ("1.0-1+b1", "1.0-1"),
    ("1.0-1~bpo9+1", "1.0-1"),
    ("2.2.52-3build1", "2.2.52-3"),
    ("5.1.1alpha+20120614-2", "5.1.1-2"),
    ("8-20180414-1ubuntu2", "8.0-1"),
    ("1:2.31.1-0.4ubuntu3.1", "2.31.1-0.4ubuntu3.1"),
    ("1.2-3-4", "1.2-3"),
    ("1.2-3-4", "1.2.3-4"),
    ("1:1.0:2-1", "1:1.0:1-1"),
    ("a", "b"),
    ("1.0A", "1.0a"),
    ("1.0Z", "1.0a"),
    ("1.0.", "1.0"),
    ("1.0~", "1.0"),
    ("10", "9"),
    ("000", "0"),
    ("1.0-a", "1.0-A"),
    ("1.0+dfsg", "1.0"),
    ("1.0+dfsg-1", "1.0-1"),
    ("1.0+really0.9", "1.0"),
    ("2:1.0", "1:9.0"),
    ("4.4.18-2ubuntu1", "4.4.18-2ubuntu1.1"),
    ("1.1.1-1ubuntu2.1~18.04.5", "1.1.1-1ubuntu2.1~18.04.4"),
    ("1.1.1-1ubuntu2.1~18.04.5", "1.1.1-1ubuntu2.1"),
    ("12345678901234567890", "12345678901234567891"),
    ("1.0.0~alpha", "1.0.0~beta"),
    ("1.0.0~beta", "1.0.0~beta.2"),
    ("7.0.0-1", "7.0.0-01"),
];

#[test]
fn dpkg_order_matches_dpkg_compare_versions() {
    require("dpkg", &["--version"], "apt-get install -y dpkg");
    let tsv = read("dpkg/ubuntu-status-expected.tsv");
    let mut versions = BTreeSet::new();
    for line in tsv.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        versions.insert(cols[2].to_owned());
        versions.insert(cols[5].to_owned());
    }
    let versions: Vec<String> = versions.into_iter().collect();
    let variants: [fn(&str) -> String; 6] = [
        |v| format!("{v}~rc1"),
        |v| format!("{v}+b1"),
        |v| format!("1:{v}"),
        |v| format!("{v}.1"),
        |v| v.replacen('.', "", 1),
        |v| format!("{v}a"),
    ];
    let mut pairs = pairs_from(&versions, &variants);
    pairs.extend(
        DPKG_TRICKY
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string())),
    );

    // One shell for the whole batch; dpkg itself answers every pair.
    // dpkg exits 1 for "false" and 2 when it refuses a version: refusals are reported, not guessed.
    let script = r#"while IFS="$(printf '\t')" read -r a b; do
        dpkg --compare-versions "$a" lt "$b" 2>/dev/null; lt=$?
        if [ $lt -eq 0 ]; then echo -1; continue; fi
        dpkg --compare-versions "$a" eq "$b" 2>/dev/null; eq=$?
        if [ $lt -gt 1 ] || [ $eq -gt 1 ]; then echo refused;
        elif [ $eq -eq 0 ]; then echo 0; else echo 1; fi
    done"#;
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let answers = run_batch(Command::new("sh").args(["-c", script]), &input);
    assert_eq!(
        answers.len(),
        pairs.len(),
        "dpkg gave {} answers for {} pairs",
        answers.len(),
        pairs.len()
    );
    let mut wrong = Vec::new();
    for ((a, b), want) in pairs.iter().zip(&answers) {
        let got = sign(dpkg::compare(a, b));
        if got.to_string() != *want {
            wrong.push(format!("{a} vs {b}: dpkg says {want}, we say {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} pairs differ:\n{}",
        wrong.len(),
        pairs.len(),
        wrong.join("\n")
    );
    eprintln!(
        "dpkg: {} pairs agree with dpkg --compare-versions",
        pairs.len()
    );
}

fn run_batch(cmd: &mut Command, input: &str) -> Vec<String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the oracle");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writing pairs to the oracle");
    let out = child.wait_with_output().expect("running the oracle");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------- rpm

const RPM_TRICKY: &[(&str, &str)] = &[
    // rpm's own test suite (tests/rpmvercmp.at) and the tilde/caret documentation.
    ("1.0", "1.0"),
    ("1.0", "2.0"),
    ("2.0.1", "2.0.1a"),
    ("5.5p1", "5.5p2"),
    ("5.5p10", "5.5p1"),
    ("10xyz", "10.1xyz"),
    ("xyz10", "xyz10.1"),
    ("xyz.4", "8"),
    ("xyz.4", "2"),
    ("5.5p2", "5.6p1"),
    ("5.6p1", "6.5p1"),
    ("6.0.rc1", "6.0"),
    ("10b2", "10a1"),
    ("1.0aa", "1.0a"),
    ("10.0001", "10.1"),
    ("10.0001", "10.0039"),
    ("4.999.9", "5.0"),
    ("20101121", "20101122"),
    ("2_0", "2_0"),
    ("2.0", "2_0"),
    ("a", "a"),
    ("a+", "a+"),
    ("a+", "a_"),
    ("+a", "+a"),
    ("+a", "_a"),
    ("+_", "+_"),
    ("_+", "+_"),
    ("1.0~rc1", "1.0~rc1"),
    ("1.0~rc1", "1.0"),
    ("1.0~rc1", "1.0~rc2"),
    ("1.0~rc1~git123", "1.0~rc1"),
    ("1.0^", "1.0^"),
    ("1.0^", "1.0"),
    ("1.0", "1.0git1^"),
    ("1.0^git1", "1.0"),
    ("1.0^git1", "1.01"),
    ("1.0^20160101", "1.0.1"),
    ("1.0^20160101^git1", "1.0^20160101"),
    ("1.0^20160102", "1.0^20160101^git1"),
    ("1.0~rc1^git1", "1.0~rc1"),
    ("1.0^git1~pre", "1.0^git1"),
    ("1.0^git1", "1.0^git1~pre"),
    ("1.0", "1.0."),
    ("1.0^", "1.0."),
    // Epoch, release.
    ("1:1.0-1", "2.0-1"),
    ("0:1.0-1", "1.0-1"),
    ("1.0-1", "1.0"),
    ("1.0", "1.0-1"),
    ("2.0.0-1.cm2", "2.0.0-1.cm2.1"),
    ("1.2.3-4.el8", "1.2.3-4.el8_5"),
    ("1.2.3-4.el8_5.1", "1.2.3-4.el8_5"),
    ("3.0.6-1.cm2", "3.0.6-10.cm2"),
    ("a", "1"),
    ("1.a", "1a"),
    ("0001", "1"),
];

#[test]
fn rpm_order_matches_rpm_vercmp() {
    require("rpm", &["--version"], "apt-get install -y rpm");
    let tsv = read("rpm/cbl-mariner-2.0-expected.tsv");
    let mut versions = BTreeSet::new();
    for line in tsv.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        versions.insert(cols[1].to_owned());
        // The source rpm's version-release, without the epoch.
        if let Some(src) = cols[3].strip_suffix(".src.rpm") {
            let mut parts = src.rsplitn(3, '-');
            if let (Some(r), Some(v)) = (parts.next(), parts.next()) {
                versions.insert(format!("{v}-{r}"));
            }
        }
    }
    let versions: Vec<String> = versions.into_iter().collect();
    let variants: [fn(&str) -> String; 6] = [
        |v| format!("{v}~rc1"),
        |v| format!("{v}^git1"),
        |v| format!("1:{v}"),
        |v| format!("{v}.1"),
        |v| v.trim_start_matches("0:").to_owned(),
        |v| format!("{v}a"),
    ];
    let mut pairs = pairs_from(&versions, &variants);
    pairs.extend(
        RPM_TRICKY
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string())),
    );

    // One rpm process for the batch: rpm's Lua reads the pairs file and prints every answer.
    let dir =
        std::env::temp_dir().join(format!("dockaudit-scan-rpm-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("pairs.tsv");
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    std::fs::write(&file, input).expect("writing pairs");
    let lua = format!(
        "%{{lua: local out = {{}} \
         for line in io.lines(\"{}\") do \
           local a, b = line:match(\"^(.-)\\t(.*)$\") \
           out[#out + 1] = tostring(rpm.vercmp(a, b)) \
         end \
         print(table.concat(out, \" \")) }}",
        file.display()
    );
    let out = Command::new("rpm")
        .args(["--eval", &lua])
        .output()
        .expect("running rpm");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "rpm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        answers.len(),
        pairs.len(),
        "rpm gave {} answers for {} pairs",
        answers.len(),
        pairs.len()
    );
    let mut wrong = Vec::new();
    for ((a, b), want) in pairs.iter().zip(&answers) {
        let got = sign(rpm::compare(a, b));
        if got.to_string() != *want {
            wrong.push(format!("{a} vs {b}: rpm says {want}, we say {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} pairs differ:\n{}",
        wrong.len(),
        pairs.len(),
        wrong.join("\n")
    );
    eprintln!("rpm: {} pairs agree with rpm.vercmp", pairs.len());
}

// ---------------------------------------------------------------- apk

/// apk-tools' own vectors: `test/version.data` of alpinelinux/apk-tools (GPL-2.0-only, copied
/// unchanged into tests/data/apk/version.data; see tests/data/NOTICE.md). Each line is `a op b`
/// with op one of `<`, `=`, `>`; apk-tools runs them with `apk vertest`.
#[test]
fn apk_order_matches_apk_tools_vectors() {
    let vectors = read("apk/version.data");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in vectors.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [a, op, b] = parts[..] else {
            panic!("unexpected vector line {line:?}");
        };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("unexpected operator in {line:?}"),
        };
        for (x, y, w) in [(a, b, want), (b, a, want.reverse())] {
            if apk::compare(x, y) != w {
                wrong.push(format!(
                    "{x} vs {y}: apk-tools says {w:?}, we say {:?}",
                    apk::compare(x, y)
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} comparisons read");
    assert!(
        wrong.is_empty(),
        "{} of {checked} differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!("apk: {checked} comparisons agree with apk-tools' vectors");
}
