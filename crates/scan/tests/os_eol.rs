//! OS detection from release files, and end-of-life status on given days.

use std::path::PathBuf;

use dockaudit_scan::eol;
use dockaudit_scan::os::{detect_os, parse_os_release, OsError, OsInfo};
use time::macros::{date, format_description};
use time::Date;

/// The judgement with typed dates, so the cases below read as dates; `judged` also checks the
/// day counts the snapshot's model gives against the dates.
#[derive(Debug, PartialEq, Eq)]
enum EolStatus {
    Supported { until: Option<Date> },
    EndingSoon { date: Date },
    EndOfLife { date: Date },
    Unknown,
}

fn judged(status: Option<eol::EolStatus>, today: Date) -> EolStatus {
    let parse = |d: &str| Date::parse(d, format_description!("[year]-[month]-[day]")).unwrap();
    match status {
        None => EolStatus::Unknown,
        Some(eol::EolStatus::Supported(until)) => EolStatus::Supported {
            until: until.as_deref().map(parse),
        },
        Some(eol::EolStatus::EndingSoon(d, left)) => {
            let date = parse(&d);
            assert_eq!((date - today).whole_days(), left, "days left to {d}");
            EolStatus::EndingSoon { date }
        }
        Some(eol::EolStatus::EndOfLife(d, since)) => {
            let date = parse(&d);
            assert_eq!((today - date).whole_days(), since, "days since {d}");
            EolStatus::EndOfLife { date }
        }
    }
}

fn eol_status(os: &OsInfo, today: Date) -> EolStatus {
    judged(eol::eol_status(os, today), today)
}

fn eol_status_extended(os: &OsInfo, today: Date) -> EolStatus {
    judged(eol::eol_status_extended(os, today), today)
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn os_release(text: &str) -> OsInfo {
    parse_os_release(text.as_bytes(), "etc/os-release").expect("valid os-release")
}

#[test]
fn debian_os_release_from_a_real_image() {
    let bytes = fixture("os-release/debian-image-dpkg");
    let os = detect_os(&[
        ("etc/os-release", &bytes),
        ("etc/debian_version", b"12.5\n"),
    ])
    .expect("detected");
    assert_eq!(os.id, "debian");
    assert_eq!(os.version_id.as_deref(), Some("12"));
    assert_eq!(os.codename.as_deref(), Some("bookworm"));
    assert_eq!(
        os.pretty_name.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!(os.source, "etc/os-release");
    assert_eq!(
        eol_status(&os, date!(2026 - 11 - 28)),
        EolStatus::Supported {
            until: Some(date!(2028 - 06 - 30))
        }
    );
    assert_eq!(
        eol_status(&os, date!(2028 - 05 - 01)),
        EolStatus::EndingSoon {
            date: date!(2028 - 06 - 30)
        }
    );
    assert_eq!(
        eol_status(&os, date!(2028 - 07 - 01)),
        EolStatus::EndOfLife {
            date: date!(2028 - 06 - 30)
        }
    );
}

#[test]
fn ubuntu_1804_is_past_standard_support_and_within_esm() {
    let os = os_release(
        "NAME=\"Ubuntu\"\nVERSION=\"18.04.6 LTS (Bionic Beaver)\"\nID=ubuntu\nID_LIKE=debian\n\
         PRETTY_NAME=\"Ubuntu 18.04.6 LTS\"\nVERSION_ID=\"18.04\"\nVERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n",
    );
    assert_eq!(os.id_like, ["debian"]);
    let today = date!(2026 - 11 - 28);
    assert_eq!(
        eol_status(&os, today),
        EolStatus::EndOfLife {
            date: date!(2023 - 05 - 31)
        }
    );
    assert_eq!(
        eol_status_extended(&os, today),
        EolStatus::Supported {
            until: Some(date!(2028 - 04 - 30))
        }
    );
}

#[test]
fn boundaries_of_ending_soon() {
    let os = os_release("ID=alpine\nVERSION_ID=3.15.4\nPRETTY_NAME=\"Alpine Linux v3.15\"\n");
    let eol = date!(2023 - 11 - 01);
    assert_eq!(eol_status(&os, eol), EolStatus::EndingSoon { date: eol });
    assert_eq!(
        eol_status(&os, date!(2023 - 11 - 02)),
        EolStatus::EndOfLife { date: eol }
    );
    assert_eq!(
        eol_status(&os, date!(2023 - 08 - 03)),
        EolStatus::EndingSoon { date: eol }
    ); // 90 days before
    assert_eq!(
        eol_status(&os, date!(2023 - 08 - 02)),
        EolStatus::Supported { until: Some(eol) }
    ); // 91 days before
}

#[test]
fn fallback_release_files() {
    let os = detect_os(&[("/etc/alpine-release", b"3.18.4\n")]).expect("alpine");
    assert_eq!(
        (os.id.as_str(), os.version_id.as_deref()),
        ("alpine", Some("3.18.4"))
    );
    assert_eq!(
        eol_status(&os, date!(2026 - 01 - 01)),
        EolStatus::EndOfLife {
            date: date!(2025 - 05 - 09)
        }
    );

    let os = detect_os(&[(
        "etc/redhat-release",
        b"CentOS Linux release 7.9.2009 (Core)\n",
    )])
    .expect("centos");
    assert_eq!(
        eol_status(&os, date!(2026 - 01 - 01)),
        EolStatus::EndOfLife {
            date: date!(2024 - 06 - 30)
        }
    );

    let os = detect_os(&[("etc/debian_version", b"10.13\n")]).expect("debian");
    assert_eq!(
        (os.id.as_str(), os.version_id.as_deref()),
        ("debian", Some("10"))
    );
    assert_eq!(
        eol_status(&os, date!(2026 - 01 - 01)),
        EolStatus::EndOfLife {
            date: date!(2024 - 06 - 30)
        }
    );

    // Testing/sid has no end of life.
    let os = detect_os(&[("etc/debian_version", b"trixie/sid\n")]).expect("sid");
    assert_eq!(
        (os.version_id.as_deref(), os.codename.as_deref()),
        (None, Some("trixie"))
    );
    assert_eq!(eol_status(&os, date!(2026 - 01 - 01)), EolStatus::Unknown);

    // os-release wins over debian_version (Ubuntu has both); a broken os-release falls back.
    let ubuntu = b"ID=ubuntu\nVERSION_ID=\"22.04\"\n";
    let os = detect_os(&[
        ("etc/debian_version", b"bookworm/sid\n"),
        ("etc/os-release", ubuntu),
    ])
    .expect("ubuntu");
    assert_eq!(os.id, "ubuntu");
    let os = detect_os(&[
        ("etc/os-release", b"NAME=nothing useful\n"),
        ("etc/debian_version", b"11.9\n"),
    ])
    .expect("fallback");
    assert_eq!(
        (os.id.as_str(), os.source.as_str()),
        ("debian", "etc/debian_version")
    );
}

#[test]
fn detection_errors_name_the_file() {
    assert_eq!(detect_os(&[]), Err(OsError::NotFound));
    let e = detect_os(&[("etc/os-release", b"garbage without id")]).expect_err("no id");
    assert_eq!(e.to_string(), "etc/os-release: no ID field");
    let e = detect_os(&[("etc/redhat-release", b"Slackware 15.0")]).expect_err("unknown");
    assert!(e.to_string().starts_with("etc/redhat-release: "), "{e}");
}

#[test]
fn families_and_their_keys() {
    let today = date!(2026 - 11 - 28);
    let cases: &[(&str, EolStatus)] = &[
        (
            "ID=\"rhel\"\nVERSION_ID=\"8.6\"\n",
            EolStatus::Supported {
                until: Some(date!(2029 - 05 - 31)),
            },
        ),
        (
            "ID=\"rocky\"\nVERSION_ID=\"8.5\"\n",
            EolStatus::Supported {
                until: Some(date!(2029 - 05 - 31)),
            },
        ),
        (
            "ID=\"almalinux\"\nVERSION_ID=\"9.3\"\n",
            EolStatus::Supported {
                until: Some(date!(2032 - 05 - 31)),
            },
        ),
        (
            "ID=\"centos\"\nNAME=\"CentOS Stream\"\nVERSION_ID=\"8\"\n",
            EolStatus::EndOfLife {
                date: date!(2024 - 05 - 31),
            },
        ),
        (
            "ID=\"centos\"\nNAME=\"CentOS Linux\"\nVERSION_ID=\"8\"\n",
            EolStatus::EndOfLife {
                date: date!(2021 - 12 - 31),
            },
        ),
        (
            "ID=\"amzn\"\nVERSION_ID=\"2\"\n",
            EolStatus::EndOfLife {
                date: date!(2026 - 06 - 30),
            },
        ),
        (
            "ID=\"amzn\"\nVERSION_ID=\"2018.03\"\n",
            EolStatus::EndOfLife {
                date: date!(2023 - 12 - 31),
            },
        ),
        (
            "ID=amzn\nVERSION_ID=\"2023\"\n",
            EolStatus::Supported {
                until: Some(date!(2029 - 06 - 30)),
            },
        ),
        (
            "ID=fedora\nVERSION_ID=40\n",
            EolStatus::EndOfLife {
                date: date!(2025 - 05 - 13),
            },
        ),
        (
            "ID=\"opensuse-leap\"\nVERSION_ID=\"15.4\"\n",
            EolStatus::EndOfLife {
                date: date!(2023 - 12 - 07),
            },
        ),
        // Alpine 3.21 ended on 2026-11-01, 27 days before `today`; 3.22 ends within 6 months.
        (
            "ID=alpine\nVERSION_ID=3.21.0\n",
            EolStatus::EndOfLife {
                date: date!(2026 - 11 - 01),
            },
        ),
        (
            "ID=alpine\nVERSION_ID=3.22.2\n",
            EolStatus::Supported {
                until: Some(date!(2027 - 05 - 01)),
            },
        ),
        (
            "ID=alpine\nVERSION_ID=3.20_alpha20240101\nPRETTY_NAME=\"Alpine Linux edge\"\n",
            EolStatus::Unknown,
        ),
        ("ID=ubuntu\nVERSION_ID=\"25.10\"\n", EolStatus::Unknown),
        ("ID=gentoo\n", EolStatus::Unknown),
        ("ID=fedora\nVERSION_ID=43\n", EolStatus::Unknown),
    ];
    for (text, want) in cases {
        let os = os_release(text);
        assert_eq!(eol_status(&os, today), *want, "{text}");
    }
}

#[test]
fn table_is_dated_and_serialisable() {
    let t = eol::table();
    assert!(t.as_of >= date!(2025 - 01 - 01));
    let bionic = os_release("ID=ubuntu\nVERSION_ID=\"18.04\"\n");
    let (distro, release) = eol::lookup(&bionic).expect("listed");
    assert!(distro.source.contains("ubuntu.com"));
    assert_eq!(release.codename.as_deref(), Some("bionic"));
    // The snapshot's facts carry the same dates as text, and the table's date.
    let facts = eol::facts(&bionic).expect("listed");
    assert_eq!(facts.eol.as_deref(), Some("2023-05-31"));
    assert_eq!(facts.extended_eol.as_deref(), Some("2028-04-30"));
    assert_eq!(facts.table_as_of, t.as_of.to_string());
    assert_eq!(
        serde_json::to_value(&facts).expect("json")["eol"],
        "2023-05-31"
    );
}
