//! Which of the engine's object lists each rule reads, so that a rule whose list the engine did not
//! give (`Snapshot::lists_failed`) is skipped with the reason instead of passing over an empty
//! list: "no containers" and "the container list failed" must never read the same.
//!
//! The engine consults [`lists_read`] before running any rule, so no rule has to remember. The
//! answer comes from the rule's family (`CTR` reads containers), with the few rules that read other
//! lists named here; a test runs every rule with each list it does not declare emptied and fails
//! if its outcome changes, so a new rule that reads a list its family does not imply cannot be
//! forgotten.

use dockaudit_snapshot::{ObjectList, Snapshot};

use crate::rule::RuleMeta;

use ObjectList::{Containers, Images, Networks, Volumes};

/// The object lists `rule`'s outcome depends on.
pub fn lists_read(rule: &RuleMeta) -> &'static [ObjectList] {
    match rule.id {
        // The lifecycle rules each judge one list against the containers that use it.
        "LCY001" | "LCY002" => &[Containers, Images],
        "LCY003" => &[Containers],
        "LCY004" => &[Containers, Volumes],
        "LCY005" => &[Containers, Networks],
        // The default bridge network's options.
        "DMN002" => &[Networks],
        // A container's environment is compared with its image's.
        "CTR017" => &[Containers, Images],
        // A mount of a local volume created with `o=bind,device=…` is a host path (or socket).
        "MNT001" | "MNT002" => &[Containers, Volumes],
        id => by_family(id),
    }
}

/// What a rule family reads: the family says what a rule judges better than the category (the
/// container rules about AppArmor or seccomp are in `protections`, beside host rules).
fn by_family(id: &str) -> &'static [ObjectList] {
    let family = id.trim_end_matches(|c: char| c.is_ascii_digit());
    match family {
        "CTR" | "NET" | "MNT" | "LOG" | "RES" => &[Containers],
        // The images the containers run.
        "IMG" | "VLN" => &[Containers, Images],
        "DMN" | "HST" | "META" => &[],
        // A family this table does not know yet (or LCY): everything, so it skips rather than
        // passes; the test in tests/inputs.rs asks for an exact entry.
        _ => &[Containers, Images, Networks, Volumes],
    }
}

/// Why `rule` cannot be judged on `snapshot`: the first list it reads that the engine did not
/// give, in words; `None` when it has all its lists.
pub fn missing_list(rule: &RuleMeta, snapshot: &Snapshot) -> Option<String> {
    lists_read(rule).iter().find_map(|list| {
        let why = snapshot.lists_failed.get(list)?;
        Some(format!(
            "the engine's {} list could not be read ({}): {why}",
            singular(*list),
            list.request()
        ))
    })
}

fn singular(list: ObjectList) -> &'static str {
    match list {
        Containers => "container",
        Images => "image",
        Networks => "network",
        Volumes => "volume",
    }
}
