//! The application ecosystems' version orders against the real implementations: Python's
//! `packaging` (what pip uses) for PEP 440, Ruby's own `Gem::Version` for RubyGems, and npm's
//! `node-semver` (Debian's `node-semver`) for npm SemVer.
//!
//! Each corpus is hand-picked tricky versions plus versions generated from a fixed seed out of each
//! syntax's parts (every spelling of pre-, post- and dev-releases, prerelease identifiers, letters
//! in gem versions); every pair is compared by the oracle in one process and by dockaudit. A missing
//! oracle fails the test with the command that installs it (`.ci/run` installs them).

use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};

use dockaudit_scan::version::ecosystem::compare;

/// A small deterministic generator (a 64-bit LCG): the corpus is the same on every run.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }
}

fn sign(o: Ordering) -> i32 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

/// Runs `program args` with every pair on stdin (`a\tb` lines); it prints -1, 0 or 1 per line.
fn oracle(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
    install: &str,
    pairs: &[(String, String)],
) -> Vec<i32> {
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("the {program} oracle is not available ({e}); install it with `{install}` (.ci/run does)")
        });
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("oracle output");
    let written = writer.join().expect("writer");
    assert!(
        out.status.success(),
        "the {program} oracle failed (install it with `{install}`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    written.expect("writing pairs");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| l.trim().parse().expect("a sign"))
        .collect()
}

fn all_pairs(corpus: &[String]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for a in corpus {
        for b in corpus {
            pairs.push((a.clone(), b.clone()));
        }
    }
    pairs
}

fn check(ecosystem: &str, pairs: &[(String, String)], expected: &[i32]) {
    assert_eq!(
        pairs.len(),
        expected.len(),
        "the oracle answered every pair"
    );
    let wrong: Vec<String> = pairs
        .iter()
        .zip(expected)
        .filter(|((a, b), want)| sign(compare(ecosystem, a, b)) != **want)
        .map(|((a, b), want)| {
            format!(
                "{a} vs {b}: oracle {want}, dockaudit {}",
                sign(compare(ecosystem, a, b))
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} {ecosystem} pairs differ from the oracle, e.g.:\n{}",
        wrong.len(),
        pairs.len(),
        wrong
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn pep440_matches_python_packaging() {
    let mut corpus: Vec<String> = [
        "1.0",
        "1.0.0",
        "1",
        "1.0.post1",
        "1.0-1",
        "1.0.dev1",
        "1.0a1",
        "1.0alpha1",
        "1.0b2",
        "1.0c1",
        "1.0rc1",
        "1.0pre1",
        "1.0preview1",
        "1.0.rev2",
        "1.0r",
        "1!0.5",
        "0!1.0",
        "1.0+local.7",
        "1.0+local.abc",
        "1.0+5",
        "1.0a1.post2.dev3",
        "1.0.DEV",
        "V1.0",
        "2.32.2",
        "2.31.0",
        "2.3.0",
        "1.26.18",
        "2.0.7",
        "3.2.14",
        "4.0.6",
        "5.4",
        "3.1.3",
        "1.0a",
        "1.0.post",
        "1.0-r4",
        "1.0_a_1",
        "1.01",
        "1.0.0.0.0.1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut g = Seeded(440);
    for _ in 0..120 {
        let mut v = String::new();
        if g.next(6) == 0 {
            v.push_str(&format!("{}!", g.next(3)));
        }
        let parts = 1 + g.next(4);
        let release: Vec<String> = (0..parts)
            .map(|_| g.pick(&["0", "1", "2", "10", "00"]).to_owned())
            .collect();
        v.push_str(&release.join("."));
        if g.next(2) == 0 {
            v.push_str(g.pick(&["", ".", "-", "_"]));
            v.push_str(g.pick(&["a", "b", "rc", "c", "alpha", "beta", "pre", "preview"]));
            v.push_str(g.pick(&["", "0", "1", "2", "11"]));
        }
        if g.next(3) == 0 {
            v.push_str(g.pick(&[".post", "-", "post", ".rev", "-r", "_post"]));
            v.push_str(g.pick(&["1", "2", "0"]));
        }
        if g.next(3) == 0 {
            v.push_str(g.pick(&[".dev", "dev", "-dev", "_dev"]));
            v.push_str(g.pick(&["", "1", "3"]));
        }
        if g.next(5) == 0 {
            v.push('+');
            v.push_str(g.pick(&["ubuntu1", "1", "abc.2", "2.abc", "a-b"]));
        }
        corpus.push(v);
    }
    corpus.sort();
    corpus.dedup();
    let pairs = all_pairs(&corpus);
    let script = "import sys\nfrom packaging.version import Version\nfor line in sys.stdin:\n    a, b = line.rstrip('\\n').split('\\t')\n    x, y = Version(a), Version(b)\n    print(-1 if x < y else (1 if x > y else 0))\n";
    let expected = oracle(
        "python3",
        &["-c", script],
        &[],
        "pip install packaging",
        &pairs,
    );
    check("PyPI", &pairs, &expected);
}

#[test]
fn rubygems_matches_gem_version() {
    let mut corpus: Vec<String> = [
        "1.0",
        "1.0.0",
        "1",
        "1.0.a",
        "1.0.a1",
        "1.0.b",
        "1.0.pre",
        "1.0.rc1",
        "1.0.0.pre.1",
        "1.0-rc1",
        "1.0-1",
        "6.1.7.1",
        "6.1.7",
        "7.0.4.1",
        "5.2.8.15",
        "1.13.4",
        "1.13.3",
        "2.0.0.beta.2",
        "2.0.0.beta.10",
        "1.a.2",
        "0.9",
        "01.2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut g = Seeded(7);
    for _ in 0..120 {
        let n = 1 + g.next(4);
        let parts: Vec<&str> = (0..n)
            .map(|_| g.pick(&["0", "1", "2", "10", "3"]))
            .collect();
        let mut v = parts.join(".");
        if g.next(2) == 0 {
            v.push_str(g.pick(&[".", "-"]));
            v.push_str(g.pick(&["a", "b", "pre", "rc", "beta", "alpha"]));
            if g.next(2) == 0 {
                v.push_str(g.pick(&["1", ".1", ".2", "0", ".0"]));
            }
        }
        corpus.push(v);
    }
    corpus.sort();
    corpus.dedup();
    let pairs = all_pairs(&corpus);
    let script = "STDIN.each_line { |l| a, b = l.chomp.split(\"\\t\"); puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }";
    let expected = oracle("ruby", &["-e", script], &[], "apt-get install ruby", &pairs);
    check("RubyGems", &pairs, &expected);
}

#[test]
fn npm_semver_matches_node_semver() {
    let mut corpus: Vec<String> = [
        "1.0.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "2.0.0",
        "4.17.21",
        "4.17.20",
        "1.2.6",
        "0.2.4",
        "1.2.3-0",
        "1.2.3-00a",
        "1.2.3--",
        "1.2.3-a-b",
        "1.2.3+build.1",
        "10.0.0",
        "9.99.99",
        "1.2.3-1",
        "1.2.3-10",
        "1.2.3-2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut g = Seeded(3);
    for _ in 0..120 {
        let mut v = format!(
            "{}.{}.{}",
            g.pick(&["0", "1", "2", "10"]),
            g.pick(&["0", "1", "9", "10"]),
            g.pick(&["0", "1", "3", "21"])
        );
        if g.next(2) == 0 {
            let ids = 1 + g.next(3);
            let ids: Vec<&str> = (0..ids)
                .map(|_| g.pick(&["alpha", "beta", "rc", "0", "1", "2", "11", "x-y", "A"]))
                .collect();
            v.push('-');
            v.push_str(&ids.join("."));
        }
        if g.next(6) == 0 {
            v.push_str("+build.7");
        }
        corpus.push(v);
    }
    corpus.sort();
    corpus.dedup();
    let pairs = all_pairs(&corpus);
    let script = "const semver = require('semver'); const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean); const out = lines.map(l => { const [a, b] = l.split('\\t'); return semver.compare(a, b); }); process.stdout.write(out.join('\\n') + '\\n');";
    let expected = oracle(
        "node",
        &["-e", script],
        &[("NODE_PATH", "/usr/share/nodejs")],
        "apt-get install node-semver",
        &pairs,
    );
    check("npm", &pairs, &expected);
}
