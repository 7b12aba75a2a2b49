//! `dockaudit prune plan`: lists what is orphaned, with why and what could break, and writes the
//! plan file to review. Changes nothing (GET requests only).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::plan_file::{Plan, PlanEngine, PlanItem, PlanOptions, PLAN_VERSION};
use super::{candidates, connect, human_age, human_bytes, parse_age, snapshot};

/// `dockaudit prune plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub engine: super::PruneEngineArgs,
    /// Write the plan (to review, then give to `prune apply`) to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only objects at least this old: a stopped container since it stopped, anything else since
    /// it was created (90s, 30m, 24h, 7d; 0 for any age).
    #[arg(long, value_name = "AGE", default_value = "24h", value_parser = parse_age)]
    pub older_than: u64,
    /// Unused volumes too (their data goes with them: see --backup of `prune apply`).
    #[arg(long)]
    pub volumes: bool,
    /// Unused tagged images too, not only dangling (untagged) ones.
    #[arg(long)]
    pub all_images: bool,
    /// Never plan objects with this label either (repeatable); `dockaudit.keep=true` always keeps
    /// an object out of a plan.
    #[arg(long = "keep-label", value_name = "KEY[=VALUE]")]
    pub keep_labels: Vec<String>,
    /// Plan only objects with this label (repeatable); what is unused is still judged against
    /// every container.
    #[arg(long = "label", value_name = "KEY[=VALUE]")]
    pub labels: Vec<String>,
}

/// Runs `dockaudit prune plan`.
pub fn run(args: PlanArgs) -> Result<ExitCode> {
    let options = PlanOptions {
        older_than_secs: args.older_than,
        volumes: args.volumes,
        all_images: args.all_images,
        keep_labels: std::iter::once(super::KEEP_LABEL.to_string())
            .chain(args.keep_labels.iter().cloned())
            .collect(),
        labels: args.labels.clone(),
    };
    let rt = crate::live::runtime()?;
    let (engine_id, snap) = rt.block_on(async {
        let client = connect(&args.engine.engine()).await?;
        let id = client.engine_id().await?;
        anyhow::Ok((id, snapshot(&client, &args.engine.engine()).await?))
    })?;
    let items = candidates(&snap, &options, args.engine.host_root.as_deref())?;
    let plan = Plan {
        dockaudit_prune_plan: PLAN_VERSION,
        created_at: snap.collected_at.clone(),
        engine: PlanEngine {
            id: engine_id,
            endpoint: snap.engine.endpoint.clone(),
            version: snap.engine.version.clone(),
        },
        options,
        bytes_reclaimable: items.iter().filter_map(|i| i.bytes).sum(),
        items,
        digest: String::new(),
    }
    .seal();
    print_table(&plan);
    if let Some(path) = &args.output {
        let text = serde_json::to_string_pretty(&plan)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the plan to {}", path.display()))?;
        println!(
            "plan written to {} ({}); review it, then: dockaudit prune apply {} --backup DIR",
            path.display(),
            plan.digest,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The plan as a table, with the bytes reclaimable.
pub fn print_table(plan: &Plan) {
    if plan.items.is_empty() {
        println!("nothing to prune: no orphaned object matches");
        return;
    }
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    table.set_header([
        "KIND",
        "NAME",
        "ID",
        "AGE",
        "SIZE",
        "WHY UNUSED",
        "COULD BREAK",
    ]);
    for item in &plan.items {
        table.add_row(row(item));
    }
    println!("{table}");
    let unknown = plan.items.iter().filter(|i| i.bytes.is_none()).count();
    println!(
        "{} item{}, {} reclaimable{}",
        plan.items.len(),
        if plan.items.len() == 1 { "" } else { "s" },
        human_bytes(plan.bytes_reclaimable),
        if unknown > 0 {
            format!(" (and {unknown} of unknown size)")
        } else {
            String::new()
        }
    );
}

fn row(item: &PlanItem) -> Vec<String> {
    let short = item
        .id
        .trim_start_matches("sha256:")
        .chars()
        .take(12)
        .collect::<String>();
    vec![
        item.kind.clone(),
        dockaudit_report::emit::printable_text(&item.name).into_owned(),
        short,
        human_age(item.age_secs),
        item.bytes.map_or("?".into(), human_bytes),
        dockaudit_report::emit::printable_text(&item.why).into_owned(),
        dockaudit_report::emit::printable_text(&item.risks.join("; ")).into_owned(),
    ]
}
