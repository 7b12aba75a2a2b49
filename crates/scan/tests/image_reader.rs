//! The image reader on archives built in memory with the `tar` crate: whiteouts and opaque
//! directories, layer order taken from the manifest (not the archive), gzip/zstd/plain layers,
//! `docker save` and OCI layouts, and hostile input (paths escaping the root, truncated layers,
//! huge declared sizes, too many entries, decompression bombs) reported and bounded.

use std::io::Write;

use dockaudit_scan::image::{
    scan_archive, scan_layout, BlobSource, ImageError, LayoutDir, ScanLimits,
};
use dockaudit_snapshot::contents::ImageContents;

/// One tar entry of a test layer.
enum E<'a> {
    File(&'a str, &'a [u8], u32),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    /// A file whose name is written raw (bypassing the tar crate's path checks).
    RawName(&'a [u8], &'a [u8]),
    /// A header that declares `size` bytes followed by `data` only.
    Lying(&'a str, u64, &'a [u8]),
}

fn file(path: &str, content: &str) -> (String, Vec<u8>, u32) {
    (path.into(), content.as_bytes().to_vec(), 0o644)
}

fn tar_of(entries: &[E<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(0);
        match e {
            E::File(path, data, mode) => {
                h.set_size(data.len() as u64);
                h.set_mode(*mode);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, path, *data).unwrap();
            }
            E::Dir(path) => {
                h.set_size(0);
                h.set_mode(0o755);
                h.set_entry_type(tar::EntryType::Directory);
                b.append_data(&mut h, path, &[][..]).unwrap();
            }
            E::Symlink(path, target) => {
                h.set_size(0);
                h.set_mode(0o777);
                h.set_entry_type(tar::EntryType::Symlink);
                b.append_link(&mut h, path, target).unwrap();
            }
            E::Hardlink(path, target) => {
                h.set_size(0);
                h.set_mode(0o4755);
                h.set_entry_type(tar::EntryType::Link);
                b.append_link(&mut h, path, target).unwrap();
            }
            E::RawName(name, data) => {
                h.as_old_mut().name[..name.len()].copy_from_slice(name);
                h.set_size(data.len() as u64);
                h.set_mode(0o644);
                h.set_entry_type(tar::EntryType::Regular);
                h.set_cksum();
                b.append(&h, *data).unwrap();
            }
            E::Lying(path, size, data) => {
                h.set_path(path).unwrap();
                h.set_size(*size);
                h.set_mode(0o644);
                h.set_entry_type(tar::EntryType::Regular);
                h.set_cksum();
                // Written by hand, and last: the builder would insist on `size` bytes.
                b.get_mut().extend_from_slice(h.as_bytes());
                b.get_mut().extend_from_slice(data);
                return b.get_ref().clone();
            }
        }
    }
    b.into_inner().unwrap()
}

fn layer(files: &[(String, Vec<u8>, u32)]) -> Vec<u8> {
    let entries: Vec<E<'_>> = files.iter().map(|(p, d, m)| E::File(p, d, *m)).collect();
    tar_of(&entries)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

fn hex(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

/// A `docker save` archive (Docker 25+ layout): layers as `blobs/sha256/<hex>` in `archive_order`,
/// `manifest.json` last, naming them in manifest order.
fn docker_save(layers: &[Vec<u8>], archive_order: &[usize], manifest_first: bool) -> Vec<u8> {
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "", "Env": ["PATH=/usr/bin"]},
        "history": [{"created_by": "test"}],
    });
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("blobs/sha256/{}", hex(i as u8 + 1)))
        .collect();
    let manifest = serde_json::json!([{
        "Config": format!("blobs/sha256/{}", hex(0xcc)),
        "RepoTags": ["test/image:1"],
        "Layers": names,
    }]);
    let manifest = serde_json::to_vec(&manifest).unwrap();
    let config = serde_json::to_vec(&config).unwrap();
    let config_name = format!("blobs/sha256/{}", hex(0xcc));
    let mut members: Vec<(String, &[u8])> = Vec::new();
    if manifest_first {
        members.push(("manifest.json".into(), &manifest));
    }
    members.push((config_name, &config));
    for &i in archive_order {
        members.push((names[i].clone(), &layers[i]));
    }
    if !manifest_first {
        members.push(("manifest.json".into(), &manifest));
    }
    let entries: Vec<E<'_>> = members.iter().map(|(p, d)| E::File(p, d, 0o644)).collect();
    tar_of(&entries)
}

fn scan(archive: &[u8]) -> ImageContents {
    scan_archive(archive, None, &ScanLimits::default())
        .expect("archive reads")
        .contents
}

fn paths<T>(list: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    list.iter().map(|x| f(x).to_owned()).collect()
}

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
const AWS: &str = "aws_access_key_id = AKIA2PLANTEDFAKE7KEY\n";

#[test]
fn whiteouts_delete_from_lower_layers_in_manifest_order() {
    let lower = layer(&[
        file("app/.env", "DB_PASSWORD=q8Zr2Vf9LmXw4Tn7Kp1Yd6\n"),
        file("root/.ssh/id_rsa", KEY),
        file("app/settings.ini", AWS),
        file("app/keep/settings.ini", AWS),
    ]);
    let upper = tar_of(&[
        E::File("app/.wh..env", b"", 0o644),
        E::File("app/.wh.settings.ini", b"", 0o644),
    ]);
    // The archive holds the upper layer first and the manifest last, as docker save may.
    let c = scan(&docker_save(
        &[lower.clone(), upper.clone()],
        &[1, 0],
        false,
    ));
    assert_eq!(
        paths(&c.credential_files, |f| &f.path),
        vec!["root/.ssh/id_rsa"]
    );
    assert_eq!(
        paths(&c.secrets, |s| &s.path),
        vec!["app/keep/settings.ini", "root/.ssh/id_rsa"]
    );
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.is_complete());
    assert_eq!(c.stats.layers, 2);
    // The other order: the whiteouts come first and delete nothing.
    let manifest_first = docker_save(&[upper, lower], &[0, 1], true);
    let c = scan(&manifest_first);
    assert_eq!(c.credential_files.len(), 2, "{:?}", c.credential_files);
}

#[test]
fn opaque_directories_hide_lower_contents_only() {
    let lower = layer(&[file("etc/app/id_rsa", KEY), file("etc/other/id_rsa", KEY)]);
    let upper = tar_of(&[
        E::Dir("etc/app"),
        E::File("etc/app/.wh..wh..opq", b"", 0o644),
        E::File("etc/app/id_dsa", KEY.as_bytes(), 0o600),
    ]);
    let c = scan(&docker_save(&[lower, upper], &[0, 1], true));
    assert_eq!(
        paths(&c.credential_files, |f| &f.path),
        vec!["etc/app/id_dsa", "etc/other/id_rsa"]
    );
}

#[test]
fn an_uninteresting_upper_entry_still_replaces_a_lower_file() {
    let lower = tar_of(&[
        E::File("usr/local/bin/tool", b"#!/bin/sh\n", 0o4755),
        E::File("opt/x/sub/id_rsa", KEY.as_bytes(), 0o600),
    ]);
    // chmod u-s in a later layer, and a directory replaced by a file.
    let upper = tar_of(&[
        E::File("usr/local/bin/tool", b"#!/bin/sh\n", 0o755),
        E::File("opt/x", b"now a file", 0o644),
    ]);
    let c = scan(&docker_save(&[lower.clone(), upper], &[0, 1], true));
    assert!(c.special_files.is_empty(), "{:?}", c.special_files);
    assert!(c.credential_files.is_empty(), "{:?}", c.credential_files);
    let c = scan(&docker_save(&[lower], &[0], true));
    assert_eq!(
        paths(&c.special_files, |f| &f.path),
        vec!["usr/local/bin/tool"]
    );
    assert_eq!(c.special_files[0].mode, 0o4755);
}

#[test]
fn gzip_zstd_and_plain_layers_read_alike() {
    let plain = layer(&[
        file("usr/lib/os-release", "ID=ubuntu\nVERSION_ID=\"18.04\"\nPRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_CODENAME=bionic\n"),
        file("root/.aws/credentials", "[default]\naws_access_key_id = AKIA2PLANTEDFAKE7KEY\naws_secret_access_key = q8Zr2Vf9LmXw4Tn7Kp1Yd6Hs3Bc0Ja5Ue\n"),
    ]);
    let link = tar_of(&[E::Symlink("etc/os-release", "../usr/lib/os-release")]);
    let mut results = Vec::new();
    for compress in [|b: &[u8]| b.to_vec(), gzip, zstd] {
        let c = scan(&docker_save(
            &[compress(&plain), compress(&link)],
            &[1, 0],
            false,
        ));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        results.push(c);
    }
    let c = &results[0];
    assert_eq!(c.os.as_ref().map(|o| o.id.as_str()), Some("ubuntu"));
    assert_eq!(
        c.eol.as_ref().and_then(|e| e.eol.as_deref()),
        Some("2023-05-31")
    );
    assert_eq!(c.credential_files[0].kind, "AWS credentials");
    assert_eq!(c.credential_files[0].detail, "profiles: default");
    assert_eq!(
        paths(&c.secrets, |s| &s.masked),
        vec!["AK****EY", "q8****Ue"]
    );
    let json = serde_json::to_string(c).unwrap();
    assert!(!json.contains("AKIA2PLANTEDFAKE7KEY") && !json.contains("q8Zr2Vf9LmXw4Tn7"));
    for other in &results[1..] {
        assert_eq!(other.os, c.os);
        assert_eq!(other.secrets, c.secrets);
        assert_eq!(other.credential_files, c.credential_files);
    }
}

#[test]
fn paths_escaping_the_root_are_reported_and_skipped() {
    let l = tar_of(&[
        E::RawName(b"../etc/shadow", b"root::1:0:99999:7:::\n"),
        E::RawName(b"a/../../id_rsa", KEY.as_bytes()),
        E::RawName(b"/etc/passwd", b"root:x:0:0::/root:/bin/sh\n"),
        E::Hardlink("usr/bin/su", "../../bin/su"),
    ]);
    let c = scan(&docker_save(&[l], &[0], true));
    assert!(!c.accounts.shadow, "the escaping shadow must not be read");
    assert!(c.accounts.passwd, "an absolute name is inside the root");
    assert!(c.credential_files.is_empty());
    assert_eq!(c.problems.len(), 3, "{:?}", c.problems);
    assert!(c
        .problems
        .iter()
        .all(|p| p.contains("escapes the image root")));
}

#[test]
fn truncated_layers_are_reported_and_what_was_read_is_used() {
    let full = layer(&[
        file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
        file("root/.ssh/id_rsa", KEY),
        ("app/big.bin".into(), vec![7u8; 64 << 10], 0o644),
        file("app/late/id_rsa", KEY),
    ]);
    for cut in [&full[..full.len() / 2], &full[..1536]] {
        for layer in [cut.to_vec(), gzip(cut)] {
            let c = scan(&docker_save(&[layer], &[0], true));
            assert!(!c.is_complete());
            assert!(
                c.problems.iter().any(|p| p.contains("truncated")),
                "{:?}",
                c.problems
            );
            assert!(c.accounts.passwd, "the first entry was read");
        }
    }
    // A gzip layer truncated in its middle.
    let gz = gzip(&full);
    let c = scan(&docker_save(&[gz[..gz.len() / 2].to_vec()], &[0], true));
    assert!(
        !c.is_complete() && !c.problems.is_empty(),
        "{:?}",
        c.problems
    );
    // The outer archive cut in the middle of a layer (manifest first): reported on the layer.
    let archive = docker_save(&[full], &[0], true);
    let cut = &archive[..archive.len() - 40 * 1024];
    let c = scan(cut);
    assert!(!c.is_complete());
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("cut short") || p.contains("truncated")),
        "{:?}",
        c.problems
    );
}

#[test]
fn a_huge_declared_size_is_a_truncation_not_a_hang() {
    let l = tar_of(&[E::Lying("etc/passwd", 1 << 40, b"root:x:0:0")]);
    let c = scan(&docker_save(&[l], &[0], true));
    assert!(!c.is_complete());
    assert!(!c.accounts.passwd);
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("bound") || p.contains("truncated") || p.contains("cut")),
        "{:?}",
        c.problems
    );
}

#[test]
fn entry_and_byte_bounds_stop_bombs() {
    let many: Vec<(String, Vec<u8>, u32)> = (0..2_000)
        .map(|i| (format!("d/{i}"), Vec::new(), 0o644))
        .collect();
    let limits = ScanLimits {
        max_entries: 500,
        ..ScanLimits::default()
    };
    let archive = docker_save(&[layer(&many)], &[0], true);
    let c = scan_archive(&archive[..], None, &limits).unwrap().contents;
    assert!(!c.is_complete());
    assert_eq!(c.stats.entries, 501);
    assert!(
        c.problems.iter().any(|p| p.contains("500 tar entries")),
        "{:?}",
        c.problems
    );

    // 256 MiB of zeros in one entry gzip to a few hundred KiB; the bound stops the reading early.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut h = tar::Header::new_gnu();
    h.set_path("zeros").unwrap();
    h.set_size(256 << 20);
    h.set_mode(0o644);
    h.set_cksum();
    enc.write_all(h.as_bytes()).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..256 {
        enc.write_all(&chunk).unwrap();
    }
    enc.write_all(&[0u8; 1024]).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 2 << 20);
    let limits = ScanLimits {
        max_bytes_read: 8 << 20,
        ..ScanLimits::default()
    };
    let archive = docker_save(&[bomb], &[0], true);
    let c = scan_archive(&archive[..], None, &limits).unwrap().contents;
    assert!(!c.is_complete());
    assert!(c.stats.bytes_read <= 8 << 20);
    assert!(
        c.problems.iter().any(|p| p.contains("uncompressed bytes")),
        "{:?}",
        c.problems
    );
}

#[test]
fn oversized_kept_files_are_not_read() {
    let limits = ScanLimits {
        max_database_bytes: 1024,
        ..ScanLimits::default()
    };
    let l = layer(&[("var/lib/dpkg/status".into(), vec![b'x'; 4096], 0o644)]);
    let c = scan_archive(&docker_save(&[l], &[0], true)[..], None, &limits)
        .unwrap()
        .contents;
    assert!(c.packages.is_empty());
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("over the 1024-byte bound")),
        "{:?}",
        c.problems
    );
}

/// An OCI layout (index → platform index → manifest) with a zstd layer, as a tar and as files.
fn oci_layout() -> Vec<(String, Vec<u8>)> {
    let l = zstd(&layer(&[
        file("etc/alpine-release", "3.15.4\n"),
        file(
            "lib/apk/db/installed",
            "P:musl\nV:1.2.2-r7\nA:x86_64\no:musl\n\n",
        ),
    ]));
    let config = serde_json::to_vec(
        &serde_json::json!({"os": "linux", "architecture": "amd64", "config": {}}),
    )
    .unwrap();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{}", hex(0xc0)), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": format!("sha256:{}", hex(0x11)), "size": l.len()}],
    })).unwrap();
    let platform_index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", hex(0xee)), "size": 1, "platform": {"os": "unknown", "architecture": "unknown"}},
            {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", hex(0xaa)), "size": manifest.len(), "platform": {"os": "linux", "architecture": "amd64"}},
        ],
    })).unwrap();
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": format!("sha256:{}", hex(0xbb)), "size": platform_index.len(),
                       "annotations": {"org.opencontainers.image.ref.name": "alpine:3.15"}}],
    })).unwrap();
    vec![
        (format!("blobs/sha256/{}", hex(0x11)), l),
        (format!("blobs/sha256/{}", hex(0xc0)), config),
        (format!("blobs/sha256/{}", hex(0xaa)), manifest),
        (format!("blobs/sha256/{}", hex(0xbb)), platform_index),
        (
            "oci-layout".into(),
            br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
        ),
        ("index.json".into(), index),
    ]
}

struct Mem(Vec<(String, Vec<u8>)>);

impl BlobSource for Mem {
    fn open(&mut self, path: &str) -> std::io::Result<Option<Box<dyn std::io::Read + '_>>> {
        Ok(self
            .0
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, d)| Box::new(&d[..]) as Box<dyn std::io::Read>))
    }
}

#[test]
fn oci_layouts_as_tar_and_as_files() {
    let files = oci_layout();
    let entries: Vec<E<'_>> = files.iter().map(|(p, d)| E::File(p, d, 0o644)).collect();
    let as_tar = scan_archive(
        &tar_of(&entries)[..],
        Some("whatever"),
        &ScanLimits::default(),
    )
    .unwrap();
    let as_files = scan_layout(&mut Mem(files), None, &ScanLimits::default()).unwrap();
    for scan in [&as_tar, &as_files] {
        assert_eq!(
            scan.id.as_deref(),
            Some(format!("sha256:{}", hex(0xc0)).as_str())
        );
        assert_eq!(scan.repo_tags, vec!["alpine:3.15"]);
        let c = &scan.contents;
        assert_eq!(c.os.as_ref().map(|o| o.id.as_str()), Some("alpine"));
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.packages[0].name, "musl");
        assert_eq!(c.package_databases, vec!["lib/apk/db/installed"]);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
    }
    assert_eq!(as_tar.contents, as_files.contents);
}

#[test]
fn linked_duplicate_layers_of_old_docker_save_archives() {
    // Before Docker 25: `<id>/layer.tar`, a repeated layer stored once and symlinked.
    let l = layer(&[file(
        "etc/passwd",
        "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
    )]);
    let manifest = serde_json::to_vec(&serde_json::json!([{
        "Config": format!("{}.json", hex(0xcc)), "RepoTags": null,
        "Layers": [format!("{}/layer.tar", hex(1)), format!("{}/layer.tar", hex(2))],
    }]))
    .unwrap();
    let config_name = format!("{}.json", hex(0xcc));
    let a = format!("{}/layer.tar", hex(1));
    let b = format!("{}/layer.tar", hex(2));
    let target = format!("../{}/layer.tar", hex(1));
    let archive = tar_of(&[
        E::File(&a, &l, 0o644),
        E::Symlink(&b, &target),
        E::File(&config_name, b"{}", 0o644),
        E::File("manifest.json", &manifest, 0o644),
    ]);
    let scan = scan_archive(&archive[..], None, &ScanLimits::default()).unwrap();
    assert_eq!(scan.id, Some(format!("sha256:{}", hex(0xcc))));
    assert_eq!(scan.contents.stats.layers, 2);
    assert_eq!(scan.contents.accounts.duplicate_uids.len(), 1);
    assert_eq!(
        scan.contents.accounts.duplicate_uids[0].names,
        vec!["root", "toor"]
    );
}

#[test]
fn what_is_not_an_image_archive_is_an_error() {
    assert!(matches!(
        scan_archive(&b""[..], None, &ScanLimits::default()),
        Err(ImageError::NoManifest(_))
    ));
    assert!(matches!(
        scan_archive(
            &b"just some text, not a tar"[..],
            None,
            &ScanLimits::default()
        ),
        Err(ImageError::NoManifest(_))
    ));
    // A docker save whose layer is missing (the archive was cut before it).
    let archive = docker_save(&[layer(&[file("a", "b")])], &[], true);
    assert!(matches!(
        scan_archive(&archive[..], None, &ScanLimits::default()),
        Err(ImageError::MissingLayer(_))
    ));
}

#[test]
fn a_full_image_is_analysed() {
    let status = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/dpkg/ubuntu-status"
    ))
    .unwrap();
    let base = layer(&[
        file("usr/lib/os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"18.04\"\nID=ubuntu\nPRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_CODENAME=bionic\n"),
        ("var/lib/dpkg/status".into(), status, 0o644),
        file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/bin/false\nadmin::1000:1000::/home/admin:/bin/sh\n"),
        file("etc/shadow", "root::19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"),
        file("etc/group", "root:x:0:\nstaff:x:50:\nadmins:x:50:\n"),
        ("usr/bin/passwd".into(), b"ELF".to_vec(), 0o4755),
        ("usr/local/bin/helper".into(), b"ELF".to_vec(), 0o4755),
        ("usr/bin/wall".into(), b"ELF".to_vec(), 0o2755),
        file("usr/sbin/sshd", "ELF"),
        file("root/.docker/config.json", r#"{"auths":{"ghcr.io":{"auth":"dXNlcjpwYXNz"},"quay.io":{}},"credsStore":"x"}"#),
        file("app/.npmrc", "//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n"),
        file("app/.git/HEAD", "ref: refs/heads/main\n"),
        file("app/.git/config", "[remote \"origin\"]\nurl = https://x:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r\n"),
        file("var/cache/apt/archives/curl_7.58_amd64.deb", "deb"),
        file("var/cache/apt/archives/lock", ""),
        file("var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_bionic_InRelease", "x"),
    ]);
    let link = tar_of(&[
        E::Symlink("etc/os-release", "../usr/lib/os-release"),
        E::Hardlink("usr/bin/passwd2", "usr/bin/passwd"),
    ]);
    let c = scan(&docker_save(&[gzip(&base), link], &[1, 0], false));
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    let os = c.os.as_ref().unwrap();
    assert_eq!(
        (os.id.as_str(), os.version_id.as_deref(), os.source.as_str()),
        ("ubuntu", Some("18.04"), "etc/os-release")
    );
    let eol = c.eol.as_ref().unwrap();
    assert_eq!(
        (
            eol.distro.as_str(),
            eol.release.as_str(),
            eol.eol.as_deref(),
            eol.extended_eol.as_deref()
        ),
        ("Ubuntu", "18.04", Some("2023-05-31"), Some("2028-04-30"))
    );
    assert_eq!(c.packages.len(), 90, "91 stanzas, one removed (rc)");
    assert_eq!(c.package_databases, vec!["var/lib/dpkg/status"]);
    assert_eq!(
        paths(&c.accounts.empty_passwords, |e| &e.user),
        vec!["root", "admin"]
    );
    assert!(c.accounts.duplicate_uids.is_empty());
    assert_eq!(c.accounts.duplicate_gids.len(), 1);
    assert_eq!(c.accounts.duplicate_gids[0].id, 50);
    assert_eq!(
        paths(&c.special_files, |f| &f.path),
        vec![
            "usr/bin/passwd",
            "usr/bin/passwd2",
            "usr/bin/wall",
            "usr/local/bin/helper"
        ]
    );
    assert_eq!(c.sshd, vec!["/usr/sbin/sshd"]);
    assert_eq!(c.git_dirs, vec!["app/.git"]);
    assert_eq!(
        c.package_caches
            .iter()
            .map(|p| (p.path.as_str(), p.manager.as_str(), p.files))
            .collect::<Vec<_>>(),
        vec![("var/cache/apt", "apt", 1), ("var/lib/apt/lists", "apt", 1)]
    );
    let kinds: Vec<(&str, &str)> = c
        .credential_files
        .iter()
        .map(|f| (f.path.as_str(), f.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("app/.npmrc", "npm registry token"),
            ("root/.docker/config.json", "Docker registry credentials")
        ]
    );
    assert_eq!(c.credential_files[1].detail, "logins for ghcr.io");
    let secrets: Vec<(&str, &str)> = c
        .secrets
        .iter()
        .map(|s| (s.path.as_str(), s.key.as_str()))
        .collect();
    assert_eq!(
        secrets,
        vec![
            ("app/.git/config", "GitHub token"),
            ("app/.npmrc", "npm token")
        ]
    );
    let json = serde_json::to_string(&c).unwrap();
    for leaked in [
        "dXNlcjpwYXNz",
        "npm_abcdefghijklmnop",
        "ghp_abcdefghijklmnop",
    ] {
        assert!(!json.contains(leaked), "{leaked} leaked");
    }
}

#[test]
fn the_archive_as_a_whole_is_bounded() {
    // A 4 MiB member that is neither a layer nor JSON, before the manifest, with a 1 MiB bound:
    // the reading stops at twice the bound and says so.
    let junk = vec![b'x'; 4 << 20];
    let manifest = br#"[{"Config":"c.json","RepoTags":null,"Layers":[]}]"#;
    let archive = tar_of(&[
        E::File("junk.bin", &junk, 0o644),
        E::File("manifest.json", manifest, 0o644),
    ]);
    let limits = ScanLimits {
        max_bytes_read: 1 << 20,
        ..ScanLimits::default()
    };
    match scan_archive(&archive[..], None, &limits) {
        Err(ImageError::NoManifest(detail)) => {
            assert!(detail.contains("stopped reading the archive"), "{detail}")
        }
        other => panic!("expected NoManifest, got {other:?}"),
    }
}

/// Writes the OCI layout of [`oci_layout`] into a new directory.
fn oci_layout_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a scratch directory");
    for (path, data) in oci_layout() {
        let at = dir.path().join(&path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, data).unwrap();
    }
    dir
}

/// Scans a layout directory on another thread, so that a read that blocks fails the test instead
/// of hanging it (a generous bound, not a timing check).
fn scan_dir(dir: &std::path::Path) -> Result<ImageContents, ImageError> {
    let dir = dir.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = LayoutDir::new(&dir)
            .map_err(ImageError::Io)
            .and_then(|mut layout| scan_layout(&mut layout, None, &ScanLimits::default()))
            .map(|scan| scan.contents);
        let _ = tx.send(result);
    });
    rx.recv_timeout(std::time::Duration::from_secs(120))
        .expect("the layout directory is read without blocking")
}

fn layer_path() -> String {
    format!("blobs/sha256/{}", hex(0x11))
}

#[test]
fn a_layout_directory_reads_like_the_tar() {
    let dir = oci_layout_dir();
    let c = scan_dir(dir.path()).expect("the layout reads");
    assert_eq!(c.os.as_ref().map(|o| o.id.as_str()), Some("alpine"));
    assert_eq!(paths(&c.packages, |p| &p.name), ["musl"]);
    // A link inside the directory is followed (docker save links duplicate layers).
    let blobs = dir.path().join("blobs/sha256");
    std::fs::rename(blobs.join(hex(0x11)), blobs.join("real")).unwrap();
    std::os::unix::fs::symlink("real", blobs.join(hex(0x11))).unwrap();
    let c = scan_dir(dir.path()).expect("a link inside the layout reads");
    assert_eq!(paths(&c.packages, |p| &p.name), ["musl"]);
}

#[test]
fn a_layer_linked_out_of_the_directory_is_refused_with_its_path() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("not-a-layer");
    std::fs::write(&secret, b"outside").unwrap();
    for link_blobs_dir in [false, true] {
        let dir = oci_layout_dir();
        if link_blobs_dir {
            // Through a linked directory on the way, not only the file itself.
            let blobs = dir.path().join("blobs/sha256");
            let moved = outside.path().join("sha256");
            std::fs::rename(&blobs, &moved).unwrap();
            std::os::unix::fs::symlink(&moved, &blobs).unwrap();
        } else {
            let layer = dir.path().join(layer_path());
            std::fs::remove_file(&layer).unwrap();
            std::os::unix::fs::symlink(&secret, &layer).unwrap();
        }
        let err = scan_dir(dir.path())
            .expect_err("a link out is refused")
            .to_string();
        assert!(err.contains("blobs/sha256/"), "{err}");
        assert!(err.contains("leading out of the directory"), "{err}");
        assert!(err.contains("refused"), "{err}");
    }
}

#[test]
fn a_fifo_or_a_directory_in_place_of_a_layer_is_refused_not_read() {
    let dir = oci_layout_dir();
    let layer = dir.path().join(layer_path());
    std::fs::remove_file(&layer).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&layer)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let err = scan_dir(dir.path())
        .expect_err("a FIFO is refused")
        .to_string();
    assert!(
        err.contains(&layer_path()) && err.contains("a FIFO"),
        "{err}"
    );
    std::fs::remove_file(&layer).unwrap();
    std::fs::create_dir(&layer).unwrap();
    let err = scan_dir(dir.path())
        .expect_err("a directory is refused")
        .to_string();
    assert!(err.contains("a directory"), "{err}");
}

#[test]
fn package_entries_are_bounded_per_file_and_in_total() {
    let limits = ScanLimits {
        max_package_entry_bytes: 64 << 10,
        max_package_entries_bytes: 1 << 20,
        ..ScanLimits::default()
    };
    let stanza = |name: &str| format!("Package: {name}\nVersion: 1.0\nArchitecture: amd64\n");
    let big = |name: &str, size: u64| {
        let mut text = stanza(name).into_bytes();
        text.resize(size as usize, b'\n');
        text
    };
    // One entry over the per-file bound; then entries at the bound until the total is passed.
    let mut files = vec![
        (
            "var/lib/dpkg/status.d/small".to_string(),
            stanza("small").into_bytes(),
            0o644,
        ),
        (
            "var/lib/dpkg/status.d/huge".to_string(),
            big("huge", limits.max_package_entry_bytes + 1),
            0o644,
        ),
    ];
    let at_bound = limits.max_package_entries_bytes / limits.max_package_entry_bytes + 4;
    for i in 0..at_bound {
        files.push((
            format!("var/lib/dpkg/status.d/p{i:03}"),
            big(&format!("p{i:03}"), limits.max_package_entry_bytes),
            0o644,
        ));
    }
    let c = scan_archive(
        &docker_save(&[layer(&files)], &[0], true)[..],
        None,
        &limits,
    )
    .unwrap()
    .contents;
    let names = paths(&c.packages, |p| &p.name);
    assert!(names.contains(&"small".to_string()), "{names:?}");
    assert!(!names.contains(&"huge".to_string()));
    // As many full-size entries as the total holds (the small one took a little of it).
    assert_eq!(
        names.len() as u64,
        1 + limits.max_package_entries_bytes / limits.max_package_entry_bytes - 1,
        "{names:?}"
    );
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("status.d/huge") && p.contains("bound")),
        "{:?}",
        c.problems
    );
    assert!(
        c.problems
            .iter()
            .any(|p| p.contains("package entries kept from this image would exceed")),
        "{:?}",
        c.problems
    );
    assert!(c.stats.incomplete);
}
