//! Applying layers in order: each layer first deletes from what is below it (whiteouts, opaque
//! directories, and any path it has an entry for), then adds its own records. The result is the
//! image's final view of the paths the analysers asked about.
//!
//! A whiteout `.wh.NAME` deletes `NAME` and everything under it from lower layers; an opaque
//! marker `.wh..wh..opq` in a directory hides all the lower layers' entries below it. An entry
//! of any kind at a path replaces a lower file there, and a non-directory entry hides a lower
//! directory's contents (the per-layer path hashes tell, so an uninteresting upper entry
//! still hides an interesting lower one).

use std::collections::BTreeMap;

use super::layer::{FileFacts, LayerExtract, Node};
use super::path::{self, ancestors, path_hash};

/// Most symlink hops followed when resolving a path.
const MAX_LINK_HOPS: usize = 16;

/// The image's final view of the recorded paths.
#[derive(Debug, Default)]
pub(crate) struct Merged<'a> {
    /// Path → what is there.
    pub nodes: BTreeMap<String, &'a Node>,
}

/// Removes `root` and everything below it.
fn remove_tree(nodes: &mut BTreeMap<String, &Node>, root: &str) {
    nodes.remove(root);
    remove_below(nodes, root);
}

/// Removes everything below `dir` (not `dir` itself).
fn remove_below(nodes: &mut BTreeMap<String, &Node>, dir: &str) {
    if dir.is_empty() {
        nodes.clear();
        return;
    }
    let prefix = format!("{dir}/");
    let doomed: Vec<String> = nodes
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        nodes.remove(&k);
    }
}

/// Applies `layers`, lowest first.
pub(crate) fn merge<'a>(layers: &[&'a LayerExtract]) -> Merged<'a> {
    let mut nodes: BTreeMap<String, &'a Node> = BTreeMap::new();
    for layer in layers {
        for w in &layer.whiteouts {
            remove_tree(&mut nodes, w);
        }
        for dir in &layer.opaque {
            remove_below(&mut nodes, dir);
        }
        if !nodes.is_empty() {
            nodes.retain(|p, node| {
                let h = path_hash(p);
                let replaced = match node {
                    Node::Dir => layer.non_dirs.contains(&h),
                    _ => layer.paths.contains(&h),
                };
                !replaced && !ancestors(p).any(|a| layer.non_dirs.contains(&path_hash(a)))
            });
        }
        for r in &layer.records {
            nodes.insert(r.path.clone(), &r.node);
        }
    }
    Merged { nodes }
}

impl<'a> Merged<'a> {
    /// The node at `path` after following symlinks (within the root), if recorded.
    pub fn resolve(&self, path: &str) -> Option<(String, &'a Node)> {
        let mut current = path.to_owned();
        for _ in 0..MAX_LINK_HOPS {
            let node = *self.nodes.get(&current)?;
            match node {
                Node::Symlink(target) => current = path::resolve_link(&current, target),
                _ => return Some((current, node)),
            }
        }
        None
    }

    /// The content of the file at `path`, following symlinks and hard links.
    pub fn content(&self, path: &str) -> Option<&'a [u8]> {
        let mut current = path.to_owned();
        for _ in 0..MAX_LINK_HOPS {
            let (_, node) = self.resolve(&current)?;
            match node {
                Node::File(f) => return f.content.as_deref(),
                Node::Hardlink(target, _) => current = target.clone(),
                _ => return None,
            }
        }
        None
    }

    /// Every recorded regular file (or hard link) with its facts.
    pub fn files(&self) -> impl Iterator<Item = (&str, &'a FileFacts)> + '_ {
        self.nodes.iter().filter_map(|(p, n)| match n {
            Node::File(f) | Node::Hardlink(_, f) => Some((p.as_str(), f)),
            _ => None,
        })
    }

    /// Whether anything is recorded at `path` (a link counts, resolved or not).
    pub fn exists(&self, path: &str) -> bool {
        self.nodes.contains_key(path)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::image::layer::Record;

    fn file(content: &str) -> Node {
        Node::File(FileFacts {
            content: Some(content.as_bytes().to_vec()),
            ..FileFacts::default()
        })
    }

    fn layer(
        records: Vec<(&str, Node)>,
        whiteouts: &[&str],
        opaque: &[&str],
        other_paths: &[&str],
    ) -> LayerExtract {
        let mut paths = HashSet::new();
        let mut non_dirs = HashSet::new();
        for (p, n) in &records {
            paths.insert(path_hash(p));
            if !matches!(n, Node::Dir) {
                non_dirs.insert(path_hash(p));
            }
        }
        for p in other_paths {
            paths.insert(path_hash(p));
            non_dirs.insert(path_hash(p));
        }
        LayerExtract {
            records: records
                .into_iter()
                .map(|(p, node)| Record {
                    path: p.to_owned(),
                    node,
                })
                .collect(),
            paths,
            non_dirs,
            whiteouts: whiteouts.iter().map(|s| s.to_string()).collect(),
            opaque: opaque.iter().map(|s| s.to_string()).collect(),
            ..LayerExtract::default()
        }
    }

    #[test]
    fn upper_layers_delete_replace_and_hide() {
        let l1 = layer(
            vec![
                ("etc/shadow", file("root::1:")),
                ("app/.env", file("A=1")),
                ("app/keys/id_rsa", file("k")),
                ("opt/x/id_rsa", file("k")),
                ("srv/.git", Node::Dir),
                ("usr/bin/tool", file("suid")),
            ],
            &[],
            &[],
            &[],
        );
        // Deletes app/.env, makes app/keys opaque, replaces opt/x (a directory) with a file, and
        // replaces usr/bin/tool with an entry of no interest.
        let l2 = layer(
            vec![("app/keys/readme", file("r"))],
            &["app/.env"],
            &["app/keys"],
            &["opt/x", "usr/bin/tool"],
        );
        let merged = merge(&[&l1, &l2]);
        let paths: Vec<&str> = merged.nodes.keys().map(String::as_str).collect();
        assert_eq!(paths, vec!["app/keys/readme", "etc/shadow", "srv/.git"]);
        // Order matters: applied the other way round, the whiteout has nothing to delete.
        let merged = merge(&[&l2, &l1]);
        assert!(merged.exists("app/.env"));
    }

    #[test]
    fn a_directory_whiteout_deletes_the_tree_and_symlinks_resolve() {
        let l1 = layer(
            vec![
                ("usr/lib/os-release", file("ID=debian")),
                (
                    "etc/os-release",
                    Node::Symlink("../usr/lib/os-release".into()),
                ),
                ("root/.ssh/id_rsa", file("k")),
            ],
            &[],
            &[],
            &[],
        );
        let l2 = layer(vec![], &["root/.ssh"], &[], &[]);
        let merged = merge(&[&l1, &l2]);
        assert_eq!(merged.content("etc/os-release"), Some(&b"ID=debian"[..]));
        assert!(!merged.exists("root/.ssh/id_rsa"));
        let looped = layer(
            vec![
                ("a", Node::Symlink("b".into())),
                ("b", Node::Symlink("/a".into())),
            ],
            &[],
            &[],
            &[],
        );
        assert_eq!(merge(&[&looped]).content("a"), None);
    }
}
