//! dockaudit-scan: what dockaudit finds inside an image, as pure functions over bytes.
//!
//! - [`version`]: version order for dpkg, rpm and apk, and for the application ecosystems (PEP 440,
//!   SemVer, Maven, Go, RubyGems, NuGet, Composer), checked against the real tools;
//! - [`inventory`]: installed packages from dpkg, apk and rpm databases, each with its source
//!   package (advisories are per source package), and application packages ([`inventory::app`]:
//!   Python, Node.js, Java archives, Go and Rust binaries, Ruby, PHP, .NET);
//! - [`os`]: which distribution and release an image holds, from its release files;
//! - [`eol`]: an embedded, dated end-of-life table and the status of a release on a given day;
//! - [`sbom`]: CycloneDX and SPDX documents of an image's packages, written and read.
//!
//! The vulnerability database that matches these inventories is the `dockaudit-vulndb` crate.
//!
//! Nothing here reads the disk, the network or the clock: callers hand over file contents (the image
//! layer reader keeps the files named by [`os::RELEASE_FILES`] and [`inventory::DATABASE_PATHS`]) and
//! the date to judge by. Damaged input gives an error that names it, never a panic.
#![forbid(unsafe_code)]

pub mod eol;
pub mod image;
pub mod inventory;
pub mod os;
pub mod sbom;
pub mod version;

pub use eol::{eol_status, EolFacts, EolStatus};
pub use inventory::{Inventory, InventoryError, Package, PackageFormat};
pub use os::{detect_os, OsInfo};
