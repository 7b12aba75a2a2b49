//! From the image's final view ([`super::merge::Merged`]) to [`ImageContents`]: the OS and its
//! end-of-life dates, the installed packages, account facts, setuid/setgid files, secrets,
//! credential files, an SSH server, `.git` directories and package caches.
//!
//! Kept file contents are read here and dropped with the view: the result holds names, ids,
//! counts and masked forms, never a secret value or a password hash.

use std::collections::{BTreeMap, BTreeSet};

use dockaudit_snapshot::contents::{
    AccountFacts, CredentialFile, DuplicateId, EmptyPassword, ImageContents, InstalledPackage,
    OsRelease, PackageCache, SecretInFile, SpecialFile,
};
use dockaudit_snapshot::redact::{find_secrets, secret_name_reason};

use super::interest::{cache_of, extension, is_credential_name, KEYSTORE_EXTENSIONS, SSHD_PATHS};
use super::layer::Node;
use super::merge::Merged;
use super::path::file_name;
use crate::inventory::{self, Inventory, InventoryError, DATABASE_PATHS};
use crate::os::{detect_os, RELEASE_FILES};

/// Packages that are an SSH server.
const SSHD_PACKAGES: &[&str] = &[
    "openssh-server",
    "openssh-server-pam",
    "openssh-sshd",
    "dropbear",
    "dropbear-bin",
    "tinyssh",
];

/// Most problems listed per image; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// The scanner's name and version, recorded in every result (cached results of another scanner
/// are not reused).
/// The suffix names what the reader extracts (a cached result without application packages, or
/// without rpm module streams, is not reused).
pub const SCANNER: &str = concat!(
    "dockaudit-scan ",
    env!("CARGO_PKG_VERSION"),
    "+apps1+modules1"
);

/// Builds the contents from the merged view; `problems` are the reader's so far.
pub(crate) fn analyse(merged: &Merged<'_>, mut problems: Vec<String>) -> ImageContents {
    let mut contents = ImageContents {
        scanner: SCANNER.to_owned(),
        ..ImageContents::default()
    };
    os_and_eol(merged, &mut contents);
    packages(merged, &mut contents, &mut problems);
    contents.accounts = accounts(merged);
    for (path, facts) in merged.files() {
        if facts.mode & 0o6000 != 0 {
            contents.special_files.push(SpecialFile {
                path: path.to_owned(),
                mode: facts.mode & 0o7777,
                uid: facts.uid,
                gid: facts.gid,
            });
        }
        for s in &facts.secrets {
            contents.secrets.push(SecretInFile {
                path: path.to_owned(),
                line: s.line,
                key: s.key.clone(),
                reason: s.reason.clone(),
                masked: s.masked.clone(),
            });
        }
    }
    contents.app_packages = merged
        .files()
        .flat_map(|(_, facts)| facts.apps.iter().cloned())
        .collect();
    contents.app_packages.sort_by(|a, b| {
        (&a.path, &a.ecosystem, &a.name, &a.version).cmp(&(
            &b.path,
            &b.ecosystem,
            &b.name,
            &b.version,
        ))
    });
    credentials(merged, &mut contents);
    contents.sshd = SSHD_PATHS
        .iter()
        .filter(|p| merged.exists(p))
        .map(|p| format!("/{p}"))
        .chain(
            contents
                .packages
                .iter()
                .filter(|p| SSHD_PACKAGES.contains(&p.name.as_str()))
                .map(|p| format!("package {} {}", p.name, p.version)),
        )
        .collect();
    contents.git_dirs = merged
        .nodes
        .iter()
        .filter(|(_, n)| matches!(n, Node::Dir))
        .map(|(p, _)| p.clone())
        .collect();
    contents.package_caches = caches(merged);
    if problems.len() > MAX_PROBLEMS {
        let more = problems.len() - MAX_PROBLEMS;
        problems.truncate(MAX_PROBLEMS);
        problems.push(format!("{more} more problems not listed"));
    }
    contents.problems = problems;
    contents
}

fn os_and_eol(merged: &Merged<'_>, contents: &mut ImageContents) {
    let files: Vec<(&str, &[u8])> = RELEASE_FILES
        .iter()
        .filter_map(|p| Some((*p, merged.content(p)?)))
        .collect();
    match detect_os(&files) {
        Ok(os) => {
            contents.eol = crate::eol::facts(&os);
            contents.os = Some(OsRelease {
                id: os.id,
                version_id: os.version_id,
                codename: os.codename,
                pretty_name: os.pretty_name,
                source: os.source,
            });
        }
        Err(e) => contents.os_problem = Some(e.to_string()),
    }
}

fn packages(merged: &Merged<'_>, contents: &mut ImageContents, problems: &mut Vec<String>) {
    let mut read = |path: &str, result: Result<Inventory, InventoryError>| match result {
        Ok(inv) => {
            contents.package_databases.push(path.to_owned());
            for p in inv.problems.iter().take(20) {
                problems.push(p.to_string());
            }
            contents
                .packages
                .extend(inv.packages.into_iter().map(|p| InstalledPackage {
                    name: p.name,
                    version: p.version,
                    arch: p.arch,
                    source_name: p.source_name,
                    source_version: p.source_version,
                    format: p.format.as_str().to_owned(),
                    module: p.module,
                }));
        }
        Err(e) => problems.push(format!("package database {e}")),
    };
    if let Some(bytes) = merged.content("var/lib/dpkg/status") {
        read(
            "var/lib/dpkg/status",
            inventory::dpkg::parse_dpkg_status(bytes, "var/lib/dpkg/status"),
        );
    }
    let status_d: Vec<String> = merged
        .nodes
        .range("var/lib/dpkg/status.d/".to_owned()..)
        .take_while(|(p, _)| p.starts_with("var/lib/dpkg/status.d/"))
        .map(|(p, _)| p.clone())
        .collect();
    for path in status_d {
        if let Some(bytes) = merged.content(&path) {
            read(
                &path,
                inventory::dpkg::parse_dpkg_status_d_entry(bytes, &path),
            );
        }
    }
    if let Some(bytes) = merged.content("lib/apk/db/installed") {
        read(
            "lib/apk/db/installed",
            inventory::apk::parse_apk_installed(bytes, "lib/apk/db/installed"),
        );
    }
    // One rpm database: the first present in the order rpm itself prefers (a legacy `Packages`
    // left beside `rpmdb.sqlite` after a conversion is stale).
    let rpm_paths = [
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
        "var/lib/rpm/Packages.db",
        "usr/lib/sysimage/rpm/Packages",
        "var/lib/rpm/Packages",
    ];
    debug_assert!(rpm_paths.iter().all(|p| DATABASE_PATHS.contains(p)));
    if let Some((path, bytes)) = rpm_paths
        .iter()
        .find_map(|p| Some((*p, merged.content(p)?)))
    {
        read(path, inventory::rpm::parse_rpmdb(bytes, path));
    }
}

fn accounts(merged: &Merged<'_>) -> AccountFacts {
    let text = |p: &str| merged.content(p).map(String::from_utf8_lossy);
    let passwd = text("etc/passwd");
    let shadow = text("etc/shadow");
    let group = text("etc/group");
    let mut facts = AccountFacts {
        passwd: passwd.is_some(),
        shadow: shadow.is_some(),
        group: group.is_some(),
        ..AccountFacts::default()
    };
    let fields = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split(':').map(str::to_owned).collect())
            .collect()
    };
    let shadow_rows = shadow.as_deref().map(fields).unwrap_or_default();
    let in_shadow: BTreeSet<&str> = shadow_rows.iter().map(|r| r[0].as_str()).collect();
    for row in &shadow_rows {
        if row.len() >= 2 && row[1].is_empty() {
            facts.empty_passwords.push(EmptyPassword {
                user: row[0].clone(),
                file: "etc/shadow".into(),
            });
        }
    }
    let passwd_rows = passwd.as_deref().map(fields).unwrap_or_default();
    for row in &passwd_rows {
        // An empty field in /etc/passwd means no password, unless /etc/shadow has the account.
        if row.len() >= 2 && row[1].is_empty() && !in_shadow.contains(row[0].as_str()) {
            facts.empty_passwords.push(EmptyPassword {
                user: row[0].clone(),
                file: "etc/passwd".into(),
            });
        }
    }
    facts.duplicate_uids = duplicates(&passwd_rows, 2);
    facts.duplicate_gids = duplicates(&fields(group.as_deref().unwrap_or("")), 2);
    facts
}

/// Ids (column `col`) that more than one row has, with the rows' names.
fn duplicates(rows: &[Vec<String>], col: usize) -> Vec<DuplicateId> {
    let mut by_id: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for row in rows {
        if let Some(id) = row.get(col).and_then(|v| v.trim().parse::<u32>().ok()) {
            let names = by_id.entry(id).or_default();
            if !names.contains(&row[0]) {
                names.push(row[0].clone());
            }
        }
    }
    by_id
        .into_iter()
        .filter(|(_, names)| names.len() > 1)
        .map(|(id, names)| DuplicateId { id, names })
        .collect()
}

fn credentials(merged: &Merged<'_>, contents: &mut ImageContents) {
    for (path, node) in &merged.nodes {
        let keystore = KEYSTORE_EXTENSIONS.contains(&extension(path).as_str());
        if !is_credential_name(path) && !keystore {
            continue;
        }
        if !matches!(node, Node::File(_) | Node::Hardlink(..)) {
            continue;
        }
        if keystore {
            contents.credential_files.push(CredentialFile {
                path: path.clone(),
                kind: "keystore (PKCS#12 or Java)".into(),
                detail: "a key and certificate container; its password is often the default or in the image too".into(),
            });
            continue;
        }
        let Some(bytes) = merged.content(path) else {
            continue;
        };
        let text = String::from_utf8_lossy(bytes);
        // The secret scan of kept files happens here (the reader keeps them instead of scanning).
        for s in find_secrets(&text).into_iter().take(20) {
            contents.secrets.push(SecretInFile {
                path: path.clone(),
                line: s.line,
                key: s.key,
                reason: s.reason,
                masked: s.masked,
            });
        }
        if let Some((kind, detail)) = credential_kind(path, &text) {
            contents.credential_files.push(CredentialFile {
                path: path.clone(),
                kind: kind.to_owned(),
                detail,
            });
        }
    }
    contents
        .secrets
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
}

/// What a credential-named file holds, when it does hold credentials.
fn credential_kind(path: &str, text: &str) -> Option<(&'static str, String)> {
    let name = file_name(path);
    let assignments = || {
        text.lines().filter_map(|l| {
            let l = l.trim().trim_start_matches("export ");
            let (k, v) = l.split_once('=')?;
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'');
            (!l.starts_with('#') && !v.is_empty() && !v.starts_with('$')).then_some((k.trim(), v))
        })
    };
    match name {
        n if n.starts_with("id_") => text.contains("PRIVATE KEY").then(|| {
            let protected = text.contains("ENCRYPTED") || text.contains("aes256-ctr");
            (
                "SSH private key",
                if protected {
                    "passphrase-protected private key".to_owned()
                } else {
                    "private key without a passphrase".to_owned()
                },
            )
        }),
        "credentials" => {
            let profiles: Vec<&str> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
                .collect();
            text.contains("aws_secret_access_key").then(|| {
                (
                    "AWS credentials",
                    format!("profiles: {}", profiles.join(", ")),
                )
            })
        }
        "config.json" => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            let auths = json.get("auths")?.as_object()?;
            let registries: Vec<&str> = auths
                .iter()
                .filter(|(_, v)| {
                    ["auth", "identitytoken", "password", "registrytoken"]
                        .iter()
                        .any(|k| {
                            v.get(k)
                                .and_then(|x| x.as_str())
                                .is_some_and(|x| !x.is_empty())
                        })
                })
                .map(|(k, _)| k.as_str())
                .collect();
            (!registries.is_empty()).then(|| {
                (
                    "Docker registry credentials",
                    format!("logins for {}", registries.join(", ")),
                )
            })
        }
        ".npmrc" => {
            let keys: Vec<&str> = assignments()
                .filter(|(k, _)| {
                    k.ends_with("_authToken") || k.ends_with("_auth") || k.ends_with("_password")
                })
                .map(|(k, _)| k)
                .collect();
            (!keys.is_empty()).then(|| ("npm registry token", format!("keys: {}", keys.join(", "))))
        }
        ".pypirc" => {
            let has = text.lines().any(|l| {
                let l = l.trim();
                l.starts_with("password")
                    && l.split_once(['=', ':'])
                        .is_some_and(|(_, v)| !v.trim().is_empty())
            });
            has.then(|| {
                (
                    "PyPI credentials",
                    "a password for a package index".to_owned(),
                )
            })
        }
        ".git-credentials" => text
            .lines()
            .any(|l| l.contains("://") && l.contains('@'))
            .then(|| {
                (
                    "git credentials",
                    "stored git logins (URLs with passwords or tokens)".to_owned(),
                )
            }),
        ".netrc" | "_netrc" => text.contains("password").then(|| {
            (
                "netrc credentials",
                "machine logins with passwords".to_owned(),
            )
        }),
        ".pgpass" => text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .then(|| {
                (
                    "PostgreSQL password file",
                    "stored database passwords".to_owned(),
                )
            }),
        n if n == ".env" || n.starts_with(".env.") => {
            let keys: Vec<&str> = assignments()
                .filter(|(k, _)| secret_name_reason(k).is_some())
                .map(|(k, _)| k)
                .collect();
            (!keys.is_empty()).then(|| {
                (
                    "dotenv file with secrets",
                    format!("variables: {}", keys.join(", ")),
                )
            })
        }
        _ => None,
    }
}

fn caches(merged: &Merged<'_>) -> Vec<PackageCache> {
    let mut by_dir: BTreeMap<String, PackageCache> = BTreeMap::new();
    for (path, facts) in merged.files() {
        let Some((dir, manager)) = cache_of(path) else {
            continue;
        };
        let c = by_dir.entry(dir.clone()).or_insert_with(|| PackageCache {
            path: dir,
            manager: manager.to_owned(),
            ..PackageCache::default()
        });
        c.files += 1;
        c.bytes += facts.size;
    }
    by_dir.into_values().collect()
}
