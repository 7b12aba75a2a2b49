//! Order laws of the three comparators on arbitrary strings and on version-like strings:
//! reflexive, antisymmetric, transitive (checked by sorting and then comparing every pair), never a
//! panic; the parsed types order as `compare` does.

use std::cmp::Ordering;

use dockaudit_scan::version::{apk, dpkg, rpm};
use proptest::prelude::*;

type Cmp = fn(&str, &str) -> Ordering;

const SCHEMES: [(&str, Cmp); 3] = [
    ("dpkg", dpkg::compare),
    ("rpm", rpm::compare),
    ("apk", apk::compare),
];

/// Strings made of the characters versions are made of, so that comparisons go deep.
fn version_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-z.~^+_:-]{0,14}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([a-z])?(_(alpha|beta|pre|rc|p|git)[0-9]{0,2})?(~[0-9a-f]{1,4})?(-r[0-9]{1,2})?",
        "([0-9]{1,2}:)?[0-9]{1,3}(\\.[0-9a-z]{1,3}){0,3}([~^+][a-z0-9]{1,4})?(-[0-9a-z.~+]{1,6})?",
    ]
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![version_like(), any::<String>(), "\\PC{0,12}"]
}

fn check_laws(name: &str, cmp: Cmp, items: &mut [String]) -> Result<(), TestCaseError> {
    for a in items.iter() {
        prop_assert_eq!(
            cmp(a, a),
            Ordering::Equal,
            "{}: {:?} is not equal to itself",
            name,
            a
        );
        for b in items.iter() {
            prop_assert_eq!(
                cmp(a, b),
                cmp(b, a).reverse(),
                "{}: not antisymmetric on {:?} {:?}",
                name,
                a,
                b
            );
        }
    }
    // Transitivity: after sorting, every earlier element is <= every later one.
    items.sort_by(|a, b| cmp(a, b));
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            prop_assert_ne!(
                cmp(&items[i], &items[j]),
                Ordering::Greater,
                "{}: not transitive, sorted {:?}",
                name,
                items
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn order_laws_on_version_like_strings(mut items in prop::collection::vec(version_like(), 2..10)) {
        for (name, cmp) in SCHEMES {
            check_laws(name, cmp, &mut items)?;
        }
    }

    #[test]
    fn order_laws_on_any_text(mut items in prop::collection::vec(any_text(), 2..8)) {
        for (name, cmp) in SCHEMES {
            check_laws(name, cmp, &mut items)?;
        }
    }

    #[test]
    fn parsers_never_panic_and_agree_with_compare(a in any_text(), b in any_text()) {
        if let (Ok(x), Ok(y)) = (dpkg::DpkgVersion::parse(&a), dpkg::DpkgVersion::parse(&b)) {
            prop_assert_eq!(x.cmp(&y), dpkg::compare(&a, &b));
        }
        let _ = dpkg::DpkgVersion::parse_with_warning(&a);
        if let (Ok(x), Ok(y)) = (rpm::RpmVersion::parse(&a), rpm::RpmVersion::parse(&b)) {
            prop_assert_eq!(x.cmp(&y), rpm::compare(&a, &b));
        }
        if let (Ok(x), Ok(y)) = (apk::ApkVersion::parse(&a), apk::ApkVersion::parse(&b)) {
            prop_assert_eq!(x.cmp(&y), apk::compare(&a, &b));
        }
    }
}
