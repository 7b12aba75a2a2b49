//! rpm's database of installed packages.
//!
//! rpm keeps one header blob per installed package. Three storage backends exist: SQLite
//! (`rpmdb.sqlite`, rpm ≥ 4.16: Fedora ≥ 33, RHEL ≥ 9, Mariner, Amazon Linux 2023), NDB
//! (`Packages.db`, SUSE) and Berkeley DB (`Packages`, RHEL ≤ 8, CentOS, Amazon Linux 2).
//! [`parse_rpmdb`] recognises all three by their magic and reads them: SQLite through an in-memory
//! copy (nothing is written to disk), NDB with [`ndb`], Berkeley DB with [`bdb`] (no libdb).
//! [`InventoryError::UnsupportedRpmBackend`] remains for versions of those formats this does not read.
//!
//! From each header: `NAME`, `EPOCH`, `VERSION`, `RELEASE`, `ARCH`, `SOURCERPM` and `MODULARITYLABEL`
//! (`name-version-release.src.rpm`, split at its last two hyphens). The source version carries the
//! binary package's epoch, as the source rpm's file name has none. Packages without a source rpm
//! (`gpg-pubkey`) are their own source.

pub mod bdb;
pub mod header;
pub mod ndb;

use rusqlite::{Connection, OpenFlags};

use super::{Inventory, InventoryError, Limits, Location, Package, PackageFormat};
use header::{
    Header, TAG_ARCH, TAG_EPOCH, TAG_MODULARITYLABEL, TAG_NAME, TAG_RELEASE, TAG_SOURCERPM,
    TAG_VERSION,
};

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const NDB_MAGIC: &[u8] = b"RpmP";
/// Berkeley DB hash database magic, at byte 12 in the machine's byte order.
const BDB_HASH_MAGIC: u32 = 0x0006_1561;
/// Berkeley DB btree magic (0x053162), as rpm's index files use, in both byte orders.
const BDB_BTREE_MAGIC_LE: &[u8] = &[0x62, 0x31, 0x05, 0x00];
const BDB_BTREE_MAGIC_BE: &[u8] = &[0x00, 0x05, 0x31, 0x62];

/// Which storage backend a database file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `rpmdb.sqlite`.
    Sqlite,
    /// `Packages.db` (rpm's own "ndb").
    Ndb,
    /// `Packages` (Berkeley DB hash).
    BerkeleyDb,
}

impl Backend {
    /// Recognises a backend by the file's first bytes.
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(SQLITE_MAGIC) {
            return Some(Self::Sqlite);
        }
        if bytes.starts_with(NDB_MAGIC) {
            return Some(Self::Ndb);
        }
        let magic = bytes.get(12..16).map(|b| [b[0], b[1], b[2], b[3]]);
        if magic.is_some_and(|m| {
            u32::from_le_bytes(m) == BDB_HASH_MAGIC || u32::from_be_bytes(m) == BDB_HASH_MAGIC
        }) {
            return Some(Self::BerkeleyDb);
        }
        None
    }

    /// A human name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite (rpmdb.sqlite)",
            Self::Ndb => "NDB (Packages.db)",
            Self::BerkeleyDb => "Berkeley DB (Packages)",
        }
    }
}

/// Reads an rpm database of any backend, with the default [`Limits`].
pub fn parse_rpmdb(bytes: &[u8], origin: &str) -> Result<Inventory, InventoryError> {
    parse_rpmdb_with(bytes, origin, &Limits::default())
}

/// Reads an rpm database of any backend within `limits`.
pub fn parse_rpmdb_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    match Backend::detect(bytes) {
        Some(Backend::Sqlite) => parse_rpmdb_sqlite_with(bytes, origin, limits),
        Some(Backend::Ndb) => parse_rpmdb_ndb_with(bytes, origin, limits),
        Some(Backend::BerkeleyDb) => parse_rpmdb_bdb_with(bytes, origin, limits),
        None if bytes
            .get(12..16)
            .is_some_and(|m| m == BDB_BTREE_MAGIC_LE || m == BDB_BTREE_MAGIC_BE) =>
        {
            Err(InventoryError::UnsupportedRpmBackend {
                origin: origin.to_owned(),
                backend: "Berkeley DB btree (an rpm index such as Name, not the Packages database)"
                    .to_owned(),
            })
        }
        None => Err(InventoryError::malformed(
            origin,
            None,
            "not an rpm database (neither SQLite, NDB nor Berkeley DB)",
        )),
    }
}

/// Reads `rpmdb.sqlite`, with the default [`Limits`].
pub fn parse_rpmdb_sqlite(bytes: &[u8], origin: &str) -> Result<Inventory, InventoryError> {
    parse_rpmdb_sqlite_with(bytes, origin, &Limits::default())
}

/// Reads `rpmdb.sqlite` within `limits`.
pub fn parse_rpmdb_sqlite_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    limits.check_size(origin, bytes.len())?;
    if !bytes.starts_with(SQLITE_MAGIC) {
        return Err(InventoryError::malformed(
            origin,
            None,
            "not an SQLite database",
        ));
    }
    let sql = |e: rusqlite::Error| InventoryError::malformed(origin, None, format!("SQLite: {e}"));
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    // rpm opens its database in WAL mode (bytes 18 and 19 of the header are 2), which an in-memory
    // database cannot use: present it as a rollback-journal database (1, 1) instead. Changes still in
    // an `rpmdb.sqlite-wal` file beside it are not seen; rpm checkpoints them when it closes.
    let mut head = [0u8; 20];
    head.copy_from_slice(
        bytes
            .get(..20)
            .ok_or_else(|| InventoryError::malformed(origin, None, "SQLite header truncated"))?,
    );
    if head[18] == 2 && head[19] == 2 {
        head[18] = 1;
        head[19] = 1;
    }
    let reader = std::io::Read::chain(&head[..], &bytes[20..]);
    conn.deserialize_read_exact("main", reader, bytes.len(), true)
        .map_err(sql)?;
    // The file comes from an image, so it is untrusted: no schema-defined functions or triggers,
    // and cells are checked as they are read.
    conn.execute_batch(
        "PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON; PRAGMA query_only = ON;",
    )
    .map_err(sql)?;
    let has_packages: bool = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'Packages'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )
        .map_err(sql)?;
    if !has_packages {
        return Err(InventoryError::malformed(
            origin,
            None,
            "no Packages table: not an rpm database",
        ));
    }
    let mut inv = Inventory::new(PackageFormat::Rpm, origin);
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        let hnum: i64 = row.get(0).map_err(sql)?;
        let at = Location::Record(u64::try_from(hnum).unwrap_or(0));
        let blob = row
            .get_ref(1)
            .map_err(sql)?
            .as_blob()
            .map_err(|_| "header is not a blob".to_owned());
        add_blob(&mut inv, limits, at, blob)?;
    }
    Ok(inv)
}

/// Reads an NDB `Packages.db` within `limits`.
pub fn parse_rpmdb_ndb_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    limits.check_size(origin, bytes.len())?;
    if let Some(version) = bytes
        .get(4..8)
        .map(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
        .filter(|&v| v != 0)
    {
        return Err(InventoryError::UnsupportedRpmBackend {
            origin: origin.to_owned(),
            backend: format!("NDB version {version} (only version 0 is read)"),
        });
    }
    let records = ndb::records(bytes).map_err(|e| InventoryError::malformed(origin, None, e))?;
    let mut inv = Inventory::new(PackageFormat::Rpm, origin);
    for record in records {
        add_blob(
            &mut inv,
            limits,
            Location::Record(u64::from(record.index)),
            record.blob,
        )?;
    }
    Ok(inv)
}

/// Reads a Berkeley DB `Packages` within `limits`.
pub fn parse_rpmdb_bdb_with(
    bytes: &[u8],
    origin: &str,
    limits: &Limits,
) -> Result<Inventory, InventoryError> {
    limits.check_size(origin, bytes.len())?;
    let records = bdb::records(bytes, limits.max_bytes)
        .map_err(|e| InventoryError::malformed(origin, None, e))?;
    let mut inv = Inventory::new(PackageFormat::Rpm, origin);
    for record in records {
        let at = Location::Record(u64::from(record.page));
        add_blob(
            &mut inv,
            limits,
            at,
            record.blob.as_deref().map_err(Clone::clone),
        )?;
    }
    Ok(inv)
}

/// Adds the package of one header blob, or the problem with it.
fn add_blob(
    inv: &mut Inventory,
    limits: &Limits,
    at: Location,
    blob: Result<&[u8], String>,
) -> Result<(), InventoryError> {
    match blob.map_err(|e| (None, e)).and_then(package_from_header) {
        Ok(package) => inv.push(package, limits),
        Err((name, message)) => {
            inv.problem(at, name.as_deref(), format!("{message}; skipped"));
            Ok(())
        }
    }
}

/// Builds a package from one header blob; on failure, the package name when it could be read.
pub fn package_from_header(blob: &[u8]) -> Result<Package, (Option<String>, String)> {
    let h = Header::parse(blob).map_err(|e| (None, e))?;
    let name = h
        .string(TAG_NAME)
        .map_err(|e| (None, e))?
        .filter(|n| !n.is_empty())
        .ok_or((None, "header without NAME".to_owned()))?
        .to_owned();
    let fail = |e: String| (Some(name.clone()), e);
    let version = h
        .string(TAG_VERSION)
        .map_err(fail)?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| fail("header without VERSION".to_owned()))?;
    let release = h
        .string(TAG_RELEASE)
        .map_err(fail)?
        .filter(|r| !r.is_empty());
    let epoch = h.int32(TAG_EPOCH).map_err(fail)?;
    let arch = h
        .string(TAG_ARCH)
        .map_err(fail)?
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    let source_rpm = h.string(TAG_SOURCERPM).map_err(fail)?;
    let module = h
        .string(TAG_MODULARITYLABEL)
        .map_err(fail)?
        .filter(|m| !m.is_empty())
        .map(str::to_owned);

    let evr = |v: &str, r: Option<&str>| {
        let mut s = epoch.map(|e| format!("{e}:")).unwrap_or_default();
        s.push_str(v);
        if let Some(r) = r {
            s.push('-');
            s.push_str(r);
        }
        s
    };
    let full = evr(version, release);
    let (source_name, source_version) = match source_rpm.and_then(split_source_rpm) {
        Some((n, v, r)) => (n.to_owned(), evr(v, Some(r))),
        None => (name.clone(), full.clone()),
    };
    Ok(Package {
        name,
        version: full,
        arch,
        source_name,
        source_version,
        format: PackageFormat::Rpm,
        module,
    })
}

/// `name-version-release.src.rpm` (or `.nosrc.rpm`) into its three parts.
pub fn split_source_rpm(file: &str) -> Option<(&str, &str, &str)> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    (!name.is_empty() && !version.is_empty() && !release.is_empty())
        .then_some((name, version, release))
}

#[cfg(test)]
mod tests {
    use super::header::tests::blob;
    use super::*;

    #[test]
    fn source_rpm_names() {
        assert_eq!(
            split_source_rpm("audit-3.0.6-1.cm2.src.rpm"),
            Some(("audit", "3.0.6", "1.cm2"))
        );
        assert_eq!(
            split_source_rpm("ca-certificates-2.0.0-1.cm2.src.rpm"),
            Some(("ca-certificates", "2.0.0", "1.cm2"))
        );
        assert_eq!(split_source_rpm("x-1.nosrc.rpm"), None);
        assert_eq!(split_source_rpm("(none)"), None);
    }

    #[test]
    fn package_with_epoch_and_source() {
        let b = blob(&[
            (TAG_NAME, Ok("ca-certificates-base")),
            (TAG_VERSION, Ok("2.0.0")),
            (TAG_RELEASE, Ok("1.cm2")),
            (TAG_EPOCH, Err(1)),
            (TAG_ARCH, Ok("noarch")),
            (TAG_SOURCERPM, Ok("ca-certificates-2.0.0-1.cm2.src.rpm")),
        ]);
        let p = package_from_header(&b).expect("valid");
        assert_eq!(p.version, "1:2.0.0-1.cm2");
        assert_eq!(
            (p.source_name.as_str(), p.source_version.as_str()),
            ("ca-certificates", "1:2.0.0-1.cm2")
        );
    }

    #[test]
    fn a_module_streams_build_says_its_stream() {
        // CentOS 8's nodejs header as go-rpmdb's test reads it from a real rpmdb
        // (github.com/knqyf263/go-rpmdb, pkg/rpmdb_test.go "centos8 nodejs", commit 7e39c90, MIT):
        // the tags this reader takes, with their values.
        let b = blob(&[
            (TAG_NAME, Ok("nodejs")),
            (TAG_EPOCH, Err(1)),
            (TAG_VERSION, Ok("10.21.0")),
            (TAG_RELEASE, Ok("3.module_el8.2.0+391+8da3adc6")),
            (TAG_ARCH, Ok("x86_64")),
            (
                TAG_SOURCERPM,
                Ok("nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm"),
            ),
            (
                TAG_MODULARITYLABEL,
                Ok("nodejs:10:8020020200707141642:6a468ee4"),
            ),
        ]);
        let p = package_from_header(&b).expect("valid");
        assert_eq!(
            p.module.as_deref(),
            Some("nodejs:10:8020020200707141642:6a468ee4")
        );
        assert_eq!(p.source_version, "1:10.21.0-3.module_el8.2.0+391+8da3adc6");
        let b = blob(&[(TAG_NAME, Ok("bash")), (TAG_VERSION, Ok("5.1.8"))]);
        assert_eq!(package_from_header(&b).expect("valid").module, None);
    }

    #[test]
    fn pubkey_without_source_is_its_own_source() {
        let b = blob(&[
            (TAG_NAME, Ok("gpg-pubkey")),
            (TAG_VERSION, Ok("3228467c")),
            (TAG_RELEASE, Ok("613798eb")),
        ]);
        let p = package_from_header(&b).expect("valid");
        assert_eq!(
            (p.source_name.as_str(), p.source_version.as_str(), p.arch),
            ("gpg-pubkey", "3228467c-613798eb", None)
        );
    }

    #[test]
    fn backends_by_magic() {
        assert_eq!(
            Backend::detect(b"SQLite format 3\0rest"),
            Some(Backend::Sqlite)
        );
        assert_eq!(Backend::detect(b"RpmP\0\0\0\0"), Some(Backend::Ndb));
        assert_eq!(
            Backend::detect(&[0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x15, 0x06, 0]),
            Some(Backend::BerkeleyDb)
        );
        assert_eq!(Backend::detect(b"hello"), None);
    }
}
