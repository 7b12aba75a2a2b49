//! What several of the feed tests share: rpm's own version comparison, the oracle their matches are
//! checked against.

use std::process::Command;

/// rpm's own answers to `vercmp(a, b)` for every pair, in one rpm process.
pub fn rpm_vercmp(pairs: &[(String, String)]) -> Vec<i32> {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("pairs.tsv");
    let input: String = pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect();
    std::fs::write(&file, input).unwrap();
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
        .unwrap_or_else(|e| {
            panic!("rpm is not available ({e}): this test compares with rpm's own version order; `apt-get install -y rpm` (.ci/run installs it)")
        });
    assert!(
        out.status.success(),
        "rpm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<i32> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().expect("rpm printed a number"))
        .collect();
    assert_eq!(answers.len(), pairs.len());
    answers
}
