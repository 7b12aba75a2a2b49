//! dockaudit-scan: what dockaudit finds inside an image, as pure functions over bytes.
//!
//! - [`version`]: version order for dpkg, rpm and apk, checked against the real tools;
//! - [`inventory`]: installed packages from dpkg, apk and rpm databases, each with its source
//!   package (advisories are per source package);
//! - [`os`]: which distribution and release an image holds, from its release files;
//! - [`eol`]: an embedded, dated end-of-life table and the status of a release on a given day;
//! - [`vulndb`]: the vulnerability database built from the distributions' feeds (an SQLite file),
//!   and matching installed source packages against it.
//!
//! Nothing here reads the disk, the network or the clock: callers hand over file contents (the image
//! layer reader keeps the files named by [`os::RELEASE_FILES`] and [`inventory::DATABASE_PATHS`]) and
//! the date to judge by. Damaged input gives an error that names it, never a panic. [`vulndb`] is the
//! exception: its database is a file, and its feeds are files or, with the `fetch` feature,
//! downloads stamped with the time they were fetched.
#![forbid(unsafe_code)]

pub mod eol;
pub mod image;
pub mod inventory;
pub mod os;
pub mod version;
pub mod vulndb;

pub use eol::{eol_status, EolStatus};
pub use inventory::{Inventory, InventoryError, Package, PackageFormat};
pub use os::{detect_os, OsInfo};
