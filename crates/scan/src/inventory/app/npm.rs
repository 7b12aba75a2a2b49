//! Node.js packages (npm): every `package.json` with a string `name` and `version`, wherever it is
//! (`node_modules/` trees, nested and scoped, global module directories, Debian's
//! `/usr/share/nodejs`, an application's own manifest), as syft and trivy read images.

use dockaudit_snapshot::contents::AppPackage;

use super::package;

/// The package a `package.json` describes; none when it has no name or no version (a workspace
/// root, a test fixture). A file that is not JSON is an error naming it.
pub fn parse_package_json(path: &str, bytes: &[u8]) -> Result<Vec<AppPackage>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("{path}: not valid JSON: {e}"))?;
    let field = |k: &str| {
        value
            .get(k)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    Ok(match (field("name"), field("version")) {
        (Some(name), Some(version)) => vec![package("npm", name, version, path)],
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_version_or_nothing() {
        let p = parse_package_json(
            "app/node_modules/@scope/x/package.json",
            br#"{"name":"@scope/x","version":"1.0.0-beta.1"}"#,
        )
        .unwrap();
        assert_eq!(p[0].purl, "pkg:npm/%40scope/x@1.0.0-beta.1");
        assert!(parse_package_json("p", br#"{"name":"x"}"#)
            .unwrap()
            .is_empty());
        assert!(parse_package_json("p", br#"{"name":"x","version":1}"#)
            .unwrap()
            .is_empty());
        let err = parse_package_json("app/package.json", b"{").unwrap_err();
        assert!(err.starts_with("app/package.json: not valid JSON"), "{err}");
    }
}
