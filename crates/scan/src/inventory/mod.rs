//! Installed packages, read from the package managers' own databases.
//!
//! Every parser takes the database's bytes and an `origin` (the path it came from, used in every
//! message) and returns an [`Inventory`]: the installed packages, each with its **source package and
//! source version** (advisories are per source package), plus the records it had to skip and why.
//!
//! Two levels of damage, as the package managers themselves treat them:
//! - a file that cannot be read as the format at all (a line that is not `Field: value`, an rpm
//!   database that is not SQLite, over the size bounds) is an [`InventoryError`] naming the input;
//! - a record that is readable but unusable (no version, a version the package manager refuses) is
//!   skipped and reported in [`Inventory::problems`] with its line or record number, and the rest
//!   of the database is still read (as `dpkg-query` warns and goes on).
//!
//! Nothing here panics on any input; sizes and counts are bounded by [`Limits`].

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod apk;
pub mod app;
pub mod dpkg;
pub mod rpm;

/// Where the databases live in an image, for the layer reader to keep.
pub const DATABASE_PATHS: &[&str] = &[
    "var/lib/dpkg/status",
    "var/lib/dpkg/status.d/",
    "lib/apk/db/installed",
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
];

/// Problems kept per database (see [`Inventory::problems`]).
pub const MAX_PROBLEMS: usize = 1_000;

/// Which package manager a package belongs to; it decides how versions compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageFormat {
    /// Debian and derivatives (`/var/lib/dpkg`).
    Dpkg,
    /// Alpine (`/lib/apk/db/installed`).
    Apk,
    /// Red Hat and derivatives, SUSE, Mariner (`rpmdb.sqlite`, `Packages`).
    Rpm,
}

impl PackageFormat {
    /// Compares two versions with this format's order.
    pub fn compare_versions(self, a: &str, b: &str) -> std::cmp::Ordering {
        match self {
            Self::Dpkg => crate::version::dpkg::compare(a, b),
            Self::Apk => crate::version::apk::compare(a, b),
            Self::Rpm => crate::version::rpm::compare(a, b),
        }
    }

    /// The lower-case name (`dpkg`, `apk`, `rpm`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dpkg => "dpkg",
            Self::Apk => "apk",
            Self::Rpm => "rpm",
        }
    }
}

impl fmt::Display for PackageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The binary package's name.
    pub name: String,
    /// Its version in the format's own notation: dpkg `[epoch:]upstream[-revision]`, apk
    /// `1.2.3-r4`, rpm `[epoch:]version-release` (the epoch only when the header has one).
    pub version: String,
    /// The architecture, when the database records one (`amd64`, `x86_64`, `noarch`, `all`).
    pub arch: Option<String>,
    /// The source package it was built from (dpkg `Source`, apk origin `o:`, rpm `SOURCERPM`'s
    /// name); the binary name when the database names no other.
    pub source_name: String,
    /// The source package's version: dpkg's `Source: name (version)` or else the binary version;
    /// apk's package version; rpm's source rpm version-release with the package's epoch.
    pub source_version: String,
    /// The package manager.
    pub format: PackageFormat,
    /// The module stream an rpm was built for: its `MODULARITYLABEL` header
    /// (`ruby:3.1:8090020240311122605:a75119d5`, name:stream:version:context); `None` elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
}

/// What a database holds: its packages, and the records that had to be skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// The package manager.
    pub format: PackageFormat,
    /// The input's name, as given by the caller (a path inside the image).
    pub origin: String,
    /// Installed packages, in database order.
    pub packages: Vec<Package>,
    /// Records skipped or read with a warning, each naming the input and where in it.
    pub problems: Vec<RecordProblem>,
}

impl Inventory {
    pub(crate) fn new(format: PackageFormat, origin: &str) -> Self {
        Self {
            format,
            origin: origin.to_owned(),
            packages: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(
        &mut self,
        at: Location,
        package: Option<&str>,
        message: impl Into<String>,
    ) {
        // A damaged database can have a problem on every one of millions of records: keep the
        // first ones, and say that there were more, within a bound.
        if self.problems.len() > MAX_PROBLEMS {
            return;
        }
        if self.problems.len() == MAX_PROBLEMS {
            let origin = self.origin.clone();
            self.problems.push(RecordProblem {
                origin,
                at,
                package: None,
                message: format!("more than {MAX_PROBLEMS} problems; the rest are not listed"),
            });
            return;
        }
        self.problems.push(RecordProblem {
            origin: self.origin.clone(),
            at,
            package: package.map(str::to_owned),
            message: message.into(),
        });
    }

    pub(crate) fn push(&mut self, package: Package, limits: &Limits) -> Result<(), InventoryError> {
        if self.packages.len() >= limits.max_packages {
            return Err(InventoryError::TooManyPackages {
                origin: self.origin.clone(),
                limit: limits.max_packages,
            });
        }
        self.packages.push(package);
        Ok(())
    }
}

/// Where in an input a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// A 1-based line (text databases).
    Line(usize),
    /// A record number (rpm's `hnum`).
    Record(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(n) => write!(f, "line {n}"),
            Self::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// A record that was skipped or read with a warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProblem {
    /// The input's name.
    pub origin: String,
    /// Where the record starts.
    pub at: Location,
    /// The package's name, when the record has one.
    pub package: Option<String>,
    /// What is wrong, and whether the record was skipped.
    pub message: String,
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.at)?;
        if let Some(p) = &self.package {
            write!(f, " (package {p})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A database that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    /// The input is bigger than the bound.
    #[error("{origin}: {size} bytes is over the {limit}-byte limit for a package database")]
    TooLarge {
        /// The input's name.
        origin: String,
        /// Its size.
        size: usize,
        /// The bound.
        limit: usize,
    },
    /// The input holds more packages than the bound.
    #[error("{origin}: more than {limit} packages; stopped reading")]
    TooManyPackages {
        /// The input's name.
        origin: String,
        /// The bound.
        limit: usize,
    },
    /// The input is not in the format it should be.
    #[error("{origin}{}: {message}", line.map(|l| format!(": line {l}")).unwrap_or_default())]
    Malformed {
        /// The input's name.
        origin: String,
        /// The 1-based line, for text formats.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The rpm database uses a storage backend this crate does not read.
    #[error("{origin}: unsupported rpmdb backend: {backend}")]
    UnsupportedRpmBackend {
        /// The input's name.
        origin: String,
        /// Which backend it is.
        backend: String,
    },
}

impl InventoryError {
    pub(crate) fn malformed(origin: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        Self::Malformed {
            origin: origin.to_owned(),
            line,
            message: message.into(),
        }
    }
}

/// Bounds on what a parser accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input, in bytes.
    pub max_bytes: usize,
    /// The most packages one database may hold.
    pub max_packages: usize,
}

impl Default for Limits {
    /// 512 MiB and 200 000 packages: far above real databases (a full Fedora workstation's
    /// `rpmdb.sqlite` is about 100 MiB for 3 000 packages), far below what would exhaust memory.
    fn default() -> Self {
        Self {
            max_bytes: 512 << 20,
            max_packages: 200_000,
        }
    }
}

impl Limits {
    pub(crate) fn check_size(&self, origin: &str, size: usize) -> Result<(), InventoryError> {
        if size > self.max_bytes {
            return Err(InventoryError::TooLarge {
                origin: origin.to_owned(),
                size,
                limit: self.max_bytes,
            });
        }
        Ok(())
    }
}
