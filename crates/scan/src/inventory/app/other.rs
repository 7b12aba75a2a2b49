//! Ruby, PHP and .NET packages, from the one metadata file each package manager leaves:
//! RubyGems' installed specifications (`specifications/NAME-VERSION.gemspec`, Ruby source whose
//! `name` and `version` assignments are read, not run), Composer's `vendor/composer/installed.json`
//! (both its 1.x list and its 2.x `{"packages": [...]}`), and .NET's `*.deps.json` (its
//! `libraries` of `type` `package`, keyed `Name/Version`).

use dockaudit_snapshot::contents::AppPackage;

use super::package;

/// The gem an installed specification describes; `None` when it names no name or no version.
pub fn parse_gemspec(path: &str, bytes: &[u8]) -> Option<AppPackage> {
    let text = String::from_utf8_lossy(bytes);
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        let line = line.trim();
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        let slot = match lhs.trim().rsplit_once('.') {
            Some((_, "name")) => &mut name,
            Some((_, "version")) => &mut version,
            _ => continue,
        };
        if slot.is_none() {
            *slot = ruby_literal(rhs.trim());
        }
    }
    Some(package("RubyGems", &name?, &version?, path))
}

/// The string of a Ruby literal: `"x"`, `'x'`, `%q{x}`, `"x".freeze`,
/// `Gem::Version.new("x")`.
fn ruby_literal(rhs: &str) -> Option<String> {
    let rhs = rhs.strip_prefix("Gem::Version.new(").unwrap_or(rhs);
    let (open, close) = if let Some(r) = rhs.strip_prefix("%q") {
        let open = r.chars().next()?;
        let close = match open {
            '{' => '}',
            '(' => ')',
            '[' => ']',
            '<' => '>',
            c => c,
        };
        return r[open.len_utf8()..]
            .split(close)
            .next()
            .map(str::to_owned)
            .filter(|s| !s.is_empty());
    } else {
        let q = rhs.chars().next()?;
        (q, q)
    };
    if open != '"' && open != '\'' {
        return None;
    }
    rhs[1..]
        .split(close)
        .next()
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// The packages of a Composer `installed.json`.
pub fn parse_composer_installed(path: &str, bytes: &[u8]) -> Result<Vec<AppPackage>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("{path}: not valid JSON: {e}"))?;
    let list = value
        .get("packages")
        .unwrap_or(&value)
        .as_array()
        .ok_or_else(|| format!("{path}: no list of packages"))?;
    Ok(list
        .iter()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let version = p.get("version")?.as_str()?;
            Some(package("Packagist", name, version, path))
        })
        .collect())
}

/// The NuGet packages of a `*.deps.json`.
pub fn parse_deps_json(path: &str, bytes: &[u8]) -> Result<Vec<AppPackage>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("{path}: not valid JSON: {e}"))?;
    let Some(libraries) = value.get("libraries").and_then(|l| l.as_object()) else {
        return Ok(Vec::new());
    };
    Ok(libraries
        .iter()
        .filter(|(_, lib)| lib.get("type").and_then(|t| t.as_str()) == Some("package"))
        .filter_map(|(key, _)| {
            let (name, version) = key.split_once('/')?;
            Some(package("NuGet", name, version, path))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemspec_literals() {
        let spec = b"# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\n  s.required_rubygems_version = Gem::Requirement.new(\">= 1.3.2\")\nend\n";
        let p = parse_gemspec(
            "var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec",
            spec,
        )
        .unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("rake", "13.0.6"));
        let old = b"s.name = %q{json}\ns.version = Gem::Version.new('2.6.1')\n";
        let p = parse_gemspec("x", old).unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("json", "2.6.1"));
        assert!(parse_gemspec("x", b"s.name = name_var\n").is_none());
    }

    #[test]
    fn composer_both_layouts_and_deps_json() {
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"2.9.1"}],"dev":true}"#;
        let v1 = br#"[{"name":"psr/log","version":"1.1.4"},{"name":"no-version"}]"#;
        assert_eq!(
            parse_composer_installed("a", v2).unwrap()[0].name,
            "monolog/monolog"
        );
        assert_eq!(parse_composer_installed("a", v1).unwrap().len(), 1);
        assert!(parse_composer_installed("a", b"{}").is_err());
        let deps = br#"{"libraries":{"web/1.0.0":{"type":"project"},"Newtonsoft.Json/13.0.1":{"type":"package"}}}"#;
        let got = parse_deps_json("app/web.deps.json", deps).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].purl, "pkg:nuget/Newtonsoft.Json@13.0.1");
    }
}
