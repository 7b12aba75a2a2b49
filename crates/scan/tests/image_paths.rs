//! Property tests of the tar path normaliser and symlink resolver: never a panic, and what they
//! return is always a clean path inside the image root.

use dockaudit_scan::image::path::{clamp, normalize, resolve_link};
use proptest::prelude::*;

/// A normalised path: no leading `/`, no empty, `.` or `..` component.
fn is_clean(p: &str) -> bool {
    p.is_empty()
        || (!p.starts_with('/') && p.split('/').all(|c| !c.is_empty() && c != "." && c != ".."))
}

/// Tar names built from the components that matter.
fn names() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"..".to_vec()),
            Just(b".".to_vec()),
            Just(Vec::new()),
            Just(b"etc".to_vec()),
            Just(b".wh..wh..opq".to_vec()),
            prop::collection::vec(any::<u8>(), 0..6),
        ],
        0..10,
    )
    .prop_map(|parts| parts.join(&b'/'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn normalised_names_are_clean_and_stable(name in names()) {
        if let Ok(p) = normalize(&name) {
            prop_assert!(is_clean(&p), "{p:?}");
            prop_assert_eq!(normalize(p.as_bytes()), Ok(p.clone()));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(name in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = normalize(&name);
    }

    #[test]
    fn escaping_means_climbing_above_the_root(name in names()) {
        // Escapes exactly when some prefix has more `..` than real components.
        let text = String::from_utf8_lossy(&name).into_owned();
        let mut depth: i64 = 0;
        let mut escapes = false;
        for c in text.split('/') {
            match c {
                "" | "." => {}
                ".." => { depth -= 1; if depth < 0 { escapes = true; break; } }
                _ => depth += 1,
            }
        }
        prop_assert_eq!(normalize(&name).is_err(), escapes);
    }

    #[test]
    fn links_resolve_inside_the_root(link in names(), target in names()) {
        let link = normalize(&link).unwrap_or_default();
        let target = String::from_utf8_lossy(&target).into_owned();
        let resolved = resolve_link(&link, &target);
        prop_assert!(is_clean(&resolved), "{resolved:?}");
        prop_assert!(is_clean(&clamp(&target)));
    }
}
