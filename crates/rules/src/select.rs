//! Choosing rules: `--select` and `--ignore` values name a rule id (`CTR001`), an id prefix (`CTR`,
//! `CTR00`), a rule name (`privileged-container`), a category (`mounts`) or a CIS control
//! (`5.5`, `cis:5.5`, or a section `cis:5`). An unknown value is an error, never silently nothing.

use dockaudit_report::Category;

use crate::{Rule, SelectError};

/// One `--select`/`--ignore` value, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selector {
    IdPrefix(String),
    Name(String),
    Category(Category),
    Cis(String),
}

impl Selector {
    fn matches(&self, rule: &Rule) -> bool {
        let meta = &rule.meta;
        match self {
            Selector::IdPrefix(p) => meta.id.starts_with(p.as_str()),
            Selector::Name(n) => meta.name == n,
            Selector::Category(c) => meta.category == *c,
            Selector::Cis(id) => meta.cis.iter().any(|c| cis_matches(c, id)),
        }
    }
}

/// `5` matches `5.5`, `5.5` matches `5.5` but not `5.50`.
fn cis_matches(control: &str, wanted: &str) -> bool {
    control == wanted
        || control
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with('.'))
}

fn parse(value: &str, rules: &[Rule]) -> Result<Selector, SelectError> {
    let v = value.trim();
    let unknown = || SelectError::UnknownSelector(value.to_string());
    if v.is_empty() {
        return Err(unknown());
    }
    if let Some(cis) = v.strip_prefix("cis:").or_else(|| v.strip_prefix("CIS:")) {
        let sel = Selector::Cis(cis.to_string());
        return if rules.iter().any(|r| sel.matches(r)) {
            Ok(sel)
        } else {
            Err(unknown())
        };
    }
    if let Some(category) = Category::parse(v) {
        return Ok(Selector::Category(category));
    }
    let candidates = [
        Selector::IdPrefix(v.to_ascii_uppercase()),
        Selector::Name(v.to_ascii_lowercase()),
        Selector::Cis(v.to_string()),
    ];
    candidates
        .into_iter()
        .find(|sel| rules.iter().any(|r| sel.matches(r)))
        .ok_or_else(unknown)
}

/// Which rules run.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    select: Vec<Selector>,
    ignore: Vec<Selector>,
}

impl RuleSelection {
    /// Parses `--select` and `--ignore` values against the rules that exist.
    pub fn new(select: &[String], ignore: &[String], rules: &[Rule]) -> Result<Self, SelectError> {
        Ok(RuleSelection {
            select: select
                .iter()
                .map(|s| parse(s, rules))
                .collect::<Result<_, _>>()?,
            ignore: ignore
                .iter()
                .map(|s| parse(s, rules))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Whether `rule` runs. `--select` narrows the rules that judge the host; the rules that judge
    /// the ignore entries themselves (META) run whenever there are entries, unless `--ignore` names
    /// them, so an expired or unused ignore is reported whatever else was selected.
    pub fn includes(&self, rule: &Rule) -> bool {
        (rule.judges_ignores()
            || self.select.is_empty()
            || self.select.iter().any(|s| s.matches(rule)))
            && !self.ignore.iter().any(|s| s.matches(rule))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::RULES;

    /// The host rules selected (the META rules are `meta_selected`'s).
    fn selected(select: &[&str], ignore: &[&str]) -> Vec<&'static str> {
        included(select, ignore)
            .into_iter()
            .filter(|id| !id.starts_with("META"))
            .collect()
    }

    fn meta_selected(select: &[&str], ignore: &[&str]) -> Vec<&'static str> {
        included(select, ignore)
            .into_iter()
            .filter(|id| id.starts_with("META"))
            .collect()
    }

    fn included(select: &[&str], ignore: &[&str]) -> Vec<&'static str> {
        let s: Vec<String> = select.iter().map(|s| s.to_string()).collect();
        let i: Vec<String> = ignore.iter().map(|s| s.to_string()).collect();
        let sel = RuleSelection::new(&s, &i, RULES).expect("valid selection");
        RULES
            .iter()
            .filter(|r| sel.includes(r))
            .map(|r| r.meta.id)
            .collect()
    }

    #[test]
    fn the_rules_about_ignores_run_whatever_is_selected_unless_ignored() {
        let both = vec!["META001", "META002"];
        assert_eq!(meta_selected(&[], &[]), both);
        assert_eq!(meta_selected(&["CTR001"], &[]), both);
        assert_eq!(meta_selected(&["CTR001"], &["META002"]), vec!["META001"]);
        assert_eq!(
            meta_selected(&[], &["unused-ignore", "META001"]),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn selects_by_id_prefix_name_category_and_cis() {
        assert_eq!(selected(&["CTR001"], &[]), vec!["CTR001"]);
        assert_eq!(selected(&["privileged-container"], &[]), vec!["CTR001"]);
        assert_eq!(selected(&["cis:5.5"], &[]), vec!["CTR001"]);
        assert_eq!(selected(&["5.5"], &[]), vec!["CTR001"]);
        let ctr = selected(&["ctr"], &[]);
        assert!(ctr.len() > 1 && ctr.iter().all(|id| id.starts_with("CTR")));
        let mounts = selected(&["mounts"], &[]);
        assert!(!mounts.is_empty() && mounts.iter().all(|id| id.starts_with("MNT")));
    }

    #[test]
    fn ignore_wins_over_select() {
        let ids = selected(&["CTR"], &["CTR001"]);
        assert!(!ids.contains(&"CTR001"));
        assert!(!ids.is_empty());
    }

    #[test]
    fn unknown_values_are_errors() {
        for bad in ["XYZ999", "no-such-rule", "cis:99.9", ""] {
            let err = RuleSelection::new(&[bad.to_string()], &[], RULES).unwrap_err();
            assert!(matches!(err, SelectError::UnknownSelector(_)), "{bad}");
        }
    }
}
