//! `dockaudit man`: the man pages, generated from the clap definition so they never drift from the
//! real command line: dockaudit(1) and one page per subcommand (dockaudit-audit(1), …), each with
//! its options and what clap does not know: exit status, environment, files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};

use crate::cli::Cli;
use crate::commands::completions::write_stdout;

/// `dockaudit man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The subcommand whose page to print (audit, image, db, …) [default: dockaudit(1)].
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write every page (dockaudit.1, dockaudit-audit.1, …) into DIR instead of printing one
    /// (`dockaudit man --dir /usr/local/share/man/man1`).
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

/// Prints one page, or writes them all with `--dir`.
pub fn run(args: ManArgs) -> Result<ExitCode> {
    let pages = pages();
    if let Some(dir) = &args.dir {
        return write_all(&pages, dir);
    }
    let wanted = match &args.command {
        None => "dockaudit".to_string(),
        Some(sub) => format!("dockaudit-{sub}"),
    };
    let page = pages.iter().find(|p| p.name == wanted).with_context(|| {
        let names: Vec<&str> = pages
            .iter()
            .filter_map(|p| p.name.strip_prefix("dockaudit-"))
            .collect();
        format!(
            "no man page for `{}`: the commands are {}",
            args.command.as_deref().unwrap_or_default(),
            names.join(", ")
        )
    })?;
    write_stdout(&page.roff)
}

/// One rendered page.
struct Page {
    /// `dockaudit` or `dockaudit-audit`, `dockaudit-db-update`…
    name: String,
    roff: Vec<u8>,
}

fn write_all(pages: &[Page], dir: &Path) -> Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for page in pages {
        let path = dir.join(format!("{}.1", page.name));
        std::fs::write(&path, &page.roff)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    eprintln!(
        "dockaudit: wrote {} man pages into {}",
        pages.len(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Every page: the top one and each (nested) subcommand's, `help` left out.
fn pages() -> Vec<Page> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    // Building gives subcommands their display names (dockaudit-audit) and bin names
    // (dockaudit audit), which the pages use for their titles and synopses.
    cmd.build();
    let mut out = Vec::new();
    collect_pages(&cmd, &mut out);
    out
}

fn collect_pages(cmd: &clap::Command, out: &mut Vec<Page>) {
    let name = cmd
        .get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_string();
    out.push(Page {
        roff: render(cmd.clone(), &name),
        name,
    });
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect_pages(sub, out);
    }
}

fn render(cmd: clap::Command, name: &str) -> Vec<u8> {
    let has_subcommands = cmd.get_subcommands().next().is_some();
    let man = clap_mangen::Man::new(cmd).manual("dockaudit manual");
    let mut roff = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut roff);
    let _ = man.render_name_section(&mut roff);
    let _ = man.render_synopsis_section(&mut roff);
    let _ = man.render_description_section(&mut roff);
    let _ = man.render_options_section(&mut roff);
    if has_subcommands {
        let _ = man.render_subcommands_section(&mut roff);
    }
    roff.extend_from_slice(extra_sections(name).as_bytes());
    let _ = man.render_version_section(&mut roff);
    roff
}

/// The sections clap does not know, for the page `name`.
fn extra_sections(name: &str) -> String {
    let sub = name.strip_prefix("dockaudit-").unwrap_or("");
    let judges = name == "dockaudit" || sub == "audit" || sub == "image";
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    s += &item(
        "0",
        if judges {
            "Nothing at or above \\-\\-fail\\-on (default: high) was found."
        } else {
            "Done."
        },
    );
    if judges {
        s += &item("1", "A finding is at or above \\-\\-fail\\-on.");
    }
    s += &item(
        "2",
        "dockaudit could not do its job: bad arguments or configuration, no engine reachable, an \
         unreadable snapshot, archive or database, a container or image list the engine failed to \
         give, or a target filter that matched nothing. The reason is on standard error.",
    );
    s += ".SH ENVIRONMENT\n";
    let reads_engine = matches!(sub, "" | "audit" | "baseline" | "collect" | "image");
    if reads_engine {
        s += &item(
            "DOCKER_HOST",
            "The engine endpoint when \\-\\-host is not given (unix://, tcp://).",
        );
        s += &item(
            "DOCKER_TLS_VERIFY, DOCKER_CERT_PATH",
            "TLS for a tcp:// endpoint: verify the engine, and where ca.pem, cert.pem and key.pem are.",
        );
        s += &item(
            "XDG_RUNTIME_DIR",
            "Where the rootless Docker and Podman sockets are looked for.",
        );
    }
    s += &item(
        "DOCKAUDIT_DB",
        "The vulnerability database file (default $XDG_DATA_HOME/dockaudit/vulndb.sqlite).",
    );
    s += &item(
        "XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_DATA_HOME, HOME",
        "Where the configuration, the image scan cache and the database are.",
    );
    s += &item(
        "NO_COLOR, FORCE_COLOR, CLICOLOR",
        "Colour with \\-\\-color auto.",
    );
    s += ".SH FILES\n";
    s += &item(
        "./dockaudit.toml, ~/.config/dockaudit/dockaudit.toml",
        "The configuration (\\-\\-config FILE replaces the search): what the command line sets, \
         severity overrides and accepted risks.",
    );
    s += &item(
        "~/.local/share/dockaudit/vulndb.sqlite",
        "The vulnerability database, written by dockaudit db update or db build.",
    );
    s += &item("~/.cache/dockaudit/", "The image scan cache, by image id.");
    if reads_engine {
        s += &item(
            "/var/run/docker.sock, /run/podman/podman.sock",
            "The engine sockets tried when no endpoint is given. An audit sends GET requests only.",
        );
    }
    s += ".SH \"SEE ALSO\"\n";
    let see_also: Vec<String> = [
        "audit", "image", "collect", "baseline", "rules", "explain", "db",
    ]
    .iter()
    .filter(|other| **other != sub)
    .map(|other| format!("\\fBdockaudit\\-{other}\\fR(1)"))
    .collect();
    s += &format!("{}\n", see_also.join(", "));
    s
}

/// One `.TP` entry: a bold tag and its text.
fn item(tag: &str, text: &str) -> String {
    format!(".TP\n\\fB{tag}\\fR\n{text}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_has_a_page_with_its_options_and_exit_status() {
        let pages = pages();
        let names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
        for want in [
            "dockaudit",
            "dockaudit-audit",
            "dockaudit-baseline",
            "dockaudit-collect",
            "dockaudit-image",
            "dockaudit-db",
            "dockaudit-db-update",
            "dockaudit-man",
        ] {
            assert!(names.contains(&want), "no page {want}: {names:?}");
        }
        assert!(!names.contains(&"dockaudit-help"), "{names:?}");
        let audit = pages.iter().find(|p| p.name == "dockaudit-audit").unwrap();
        let text = String::from_utf8_lossy(&audit.roff);
        assert!(text.contains(".TH dockaudit-audit 1"), "{text}");
        assert!(text.contains("fail\\-on"), "{text}");
        assert!(text.contains(".SH \"EXIT STATUS\""));
        assert!(text.contains("\\fB1\\fR"), "audit exits 1 on findings");
        assert!(text.contains("DOCKER_HOST"));
        let rules = pages.iter().find(|p| p.name == "dockaudit-rules").unwrap();
        let text = String::from_utf8_lossy(&rules.roff);
        assert!(!text.contains("\\fB1\\fR"), "rules never exits 1");
        assert!(!text.contains("DOCKER_HOST"), "rules reads no engine");
    }
}
