//! Maven version order: Maven's `ComparableVersion` (the order `mvn` and OSV's Maven ecosystem
//! use). A version is split into a list at `.`, `-` and letter/digit transitions; a `-` (and a
//! transition) opens a nested list. Numbers compare as numbers; qualifiers in the order
//! `alpha` < `beta` < `milestone` < `rc` = `cr` < `snapshot` < `` = `ga` = `final` = `release` < `sp`,
//! with unknown qualifiers after `sp` in text order; `a1`, `b1`, `m1` are `alpha-1`, `beta-1`,
//! `milestone-1`; trailing zeros and release qualifiers are dropped from each list (`1.0` = `1`).

use std::cmp::Ordering;

use super::cmp_digit_runs;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// A number without leading zeros.
    Int(String),
    /// A qualifier's comparable form (`0`…`6`, or `7-` + the text).
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: &[&str] = &["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let mut v = value;
    if followed_by_digit && v.len() == 1 {
        v = match v {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        };
    }
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(comparable_qualifier(v))
}

fn parse_item(text: &str, is_digit: bool) -> Item {
    if is_digit {
        let t = text.trim_start_matches('0');
        Item::Int(t.to_owned())
    } else {
        string_item(text, false)
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => v.is_empty(),
        Item::Str(q) => q == RELEASE,
        Item::List(l) => l.is_empty(),
    }
}

/// Parses a version into Maven's item tree.
fn parse(version: &str) -> Item {
    let v = version.trim().to_ascii_lowercase();
    let bytes = v.as_bytes();
    // A path of indices from the root to the current list.
    let mut root: Vec<Item> = Vec::new();
    let mut path: Vec<usize> = Vec::new();
    fn current<'a>(root: &'a mut Vec<Item>, path: &[usize]) -> &'a mut Vec<Item> {
        let mut list = root;
        for &i in path {
            list = match &mut list[i] {
                Item::List(l) => l,
                _ => unreachable!("paths lead through lists only"),
            };
        }
        list
    }
    let open = |root: &mut Vec<Item>, path: &mut Vec<usize>| {
        let list = current(root, path);
        list.push(Item::List(Vec::new()));
        path.push(list.len() - 1);
    };
    let mut is_digit = false;
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'.' || c == b'-' {
            let item = if i == start {
                Item::Int(String::new())
            } else {
                parse_item(&v[start..i], is_digit)
            };
            current(&mut root, &path).push(item);
            start = i + 1;
            if c == b'-' {
                open(&mut root, &mut path);
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                current(&mut root, &path).push(string_item(&v[start..i], true));
                start = i;
                open(&mut root, &mut path);
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                current(&mut root, &path).push(parse_item(&v[start..i], true));
                start = i;
                open(&mut root, &mut path);
            }
            is_digit = false;
        }
    }
    if bytes.len() > start {
        current(&mut root, &path).push(parse_item(&v[start..], is_digit));
    }
    normalize(Item::List(root))
}

/// Drops trailing null items of every list, innermost first (Maven normalises each list as it
/// closes).
fn normalize(item: Item) -> Item {
    match item {
        Item::List(items) => {
            let mut items: Vec<Item> = items.into_iter().map(normalize).collect();
            // As Maven's ListItem.normalize: from the end, null items go, a non-null sub-list is
            // stepped over (`1.0-1` = `1-1`), anything else stops.
            let mut i = items.len();
            while i > 0 {
                i -= 1;
                if is_null(&items[i]) {
                    items.remove(i);
                } else if !matches!(items[i], Item::List(_)) {
                    break;
                }
            }
            Item::List(items)
        }
        other => other,
    }
}

/// `a` compared with `b`; `None` for `b` is Maven's `null` (a missing item).
fn cmp_item(a: &Item, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (Item::Int(x), None) => {
            if x.is_empty() {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Int(x), Some(Item::Int(y))) => cmp_digit_runs(x.as_bytes(), y.as_bytes()),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(x), None) => x.as_str().cmp(RELEASE),
        (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::Str(x), Some(Item::Str(y))) => x.cmp(y),
        (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
        (Item::List(l), None) => match l.first() {
            None => Ordering::Equal,
            Some(first) => cmp_item(first, None),
        },
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(l), Some(Item::List(r))) => {
            for i in 0..l.len().max(r.len()) {
                let o = match (l.get(i), r.get(i)) {
                    (None, None) => Ordering::Equal,
                    (None, Some(y)) => cmp_item(y, None).reverse(),
                    (Some(x), y) => cmp_item(x, y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }
    }
}

/// Compares two Maven versions; never fails (every string is a Maven version).
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp_item(&parse(a), Some(&parse(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn maven_order() {
        // From Maven's ComparableVersionTest (VERSIONS_QUALIFIER and VERSIONS_NUMBER), in order.
        let qualifiers = [
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ];
        let numbers = [
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ];
        for list in [&qualifiers[..], &numbers[..]] {
            for (i, a) in list.iter().enumerate() {
                for b in &list[i + 1..] {
                    assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
                }
            }
        }
        for (a, b) in [
            ("1", "1.0.0"),
            ("1-ga", "1"),
            ("1-final", "1.0"),
            ("1cr1", "1rc1"),
            ("1a1", "1-alpha-1"),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} = {b}");
        }
        assert_eq!(compare("2.13.2.1", "2.13.2"), Ordering::Greater);
        assert_eq!(compare("2.12.6.1", "2.13.0"), Ordering::Less);
    }

    // Maven's own order is not transitive on arbitrary strings (a list compared with a missing
    // item looks at its first item only: `a` < `--a` = `` < `a`), so the laws are checked on
    // versions as projects write them.
    const VERSION: &str = "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([.-]?(alpha|beta|a|b|m|rc|cr|sp|snapshot|ga|final|jre|android)[.-]?[0-9]{0,2})?";

    proptest! {
        #[test]
        fn total_order(a in VERSION, b in VERSION, c in VERSION) {
            prop_assert_eq!(compare(&a, &a), Ordering::Equal);
            prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            if compare(&a, &b) != Ordering::Greater && compare(&b, &c) != Ordering::Greater {
                prop_assert_ne!(compare(&a, &c), Ordering::Greater);
            }
        }
    }
}
