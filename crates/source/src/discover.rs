//! Finding the files to lint under the paths given: Compose projects (a main file and its override)
//! and Dockerfiles. Directories are walked (symlinks not followed; `.git`, `node_modules`, `vendor`
//! and `target` not entered; 20 levels and 100 000 entries at most).

use std::path::{Path, PathBuf};

/// Compose main files, in the order Compose prefers them.
pub const COMPOSE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// What was found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Compose projects: each a main file and its override files, in merge order.
    pub compose: Vec<Vec<PathBuf>>,
    /// Dockerfiles.
    pub dockerfiles: Vec<PathBuf>,
    /// Paths that could not be read, and why.
    pub unreadable: Vec<(PathBuf, String)>,
}

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Containerfile`, `*.Dockerfile`,
/// `Dockerfile.*` (`Dockerfile.dev`).
pub fn is_dockerfile_name(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("Dockerfile.")
}

/// Whether a file name is a Compose file's (main or override).
pub fn is_compose_name(name: &str) -> bool {
    COMPOSE_NAMES.contains(&name)
        || ["compose", "docker-compose"].iter().any(|stem| {
            name.strip_prefix(stem)
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|r| r.ends_with(".yaml") || r.ends_with(".yml"))
        })
}

/// The override files Compose merges over a main file in `dir`.
fn overrides(dir: &Path, main: &str) -> Vec<PathBuf> {
    let stem = main.rsplit_once('.').map_or(main, |(s, _)| s);
    ["yaml", "yml"]
        .iter()
        .map(|ext| dir.join(format!("{stem}.override.{ext}")))
        .filter(|p| p.is_file())
        .take(1)
        .collect()
}

const SKIP_DIRS: &[&str] = &[".git", "node_modules", "vendor", "target", ".venv"];
const MAX_DEPTH: usize = 20;
const MAX_ENTRIES: usize = 100_000;

/// Finds Compose projects and Dockerfiles under `paths` (files are taken as they are: a Compose
/// file given by name is linted alone, without its override, as `docker compose -f` does).
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut out = Discovered::default();
    let mut budget = MAX_ENTRIES;
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => out.unreadable.push((p.clone(), e.to_string())),
            Ok(m) if m.is_dir() => walk(p, 0, &mut out, &mut budget),
            Ok(_) => {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if is_dockerfile_name(name) && !is_compose_name(name) {
                    out.dockerfiles.push(p.clone());
                } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                    out.compose.push(vec![p.clone()]);
                } else {
                    // Named explicitly: trust the user that it is a Dockerfile.
                    out.dockerfiles.push(p.clone());
                }
            }
        }
    }
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Discovered, budget: &mut usize) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.unreadable.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    let mut names: Vec<(String, std::fs::FileType)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.file_name().into_string().ok()?, e.file_type().ok()?)))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    *budget = budget.saturating_sub(names.len());
    if let Some(main) = COMPOSE_NAMES
        .iter()
        .find(|c| names.iter().any(|(n, t)| n == *c && t.is_file()))
    {
        let mut files = vec![dir.join(main)];
        files.extend(overrides(dir, main));
        out.compose.push(files);
    }
    for (name, t) in &names {
        if t.is_file() && is_dockerfile_name(name) {
            out.dockerfiles.push(dir.join(name));
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for (name, t) in &names {
        if t.is_dir() && !SKIP_DIRS.contains(&name.as_str()) && *budget > 0 {
            walk(&dir.join(name), depth + 1, out, budget);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in [
            "Dockerfile",
            "Containerfile",
            "api.Dockerfile",
            "Dockerfile.dev",
        ] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        assert!(!is_dockerfile_name("Dockerfiles"));
        assert!(is_compose_name("compose.override.yaml"));
        assert!(is_compose_name("docker-compose.prod.yml"));
        assert!(!is_compose_name("compose.json"));
    }

    #[test]
    fn finds_projects_with_overrides_and_dockerfiles() {
        let d = std::env::temp_dir().join(format!("dockaudit-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("app/.git")).unwrap();
        std::fs::write(d.join("compose.yaml"), "services: {}\n").unwrap();
        std::fs::write(d.join("docker-compose.yml"), "services: {}\n").unwrap();
        std::fs::write(d.join("compose.override.yml"), "services: {}\n").unwrap();
        std::fs::write(d.join("app/Dockerfile"), "FROM x\n").unwrap();
        std::fs::write(d.join("app/.git/Dockerfile"), "FROM x\n").unwrap();
        let found = discover(std::slice::from_ref(&d));
        assert_eq!(
            found.compose,
            vec![vec![d.join("compose.yaml"), d.join("compose.override.yml")]]
        );
        assert_eq!(found.dockerfiles, vec![d.join("app/Dockerfile")]);
        std::fs::remove_dir_all(&d).unwrap();
    }
}
