//! `vetted undo` and `vetted redo`: take back an operation, or an undo.

use super::Context;
use crate::cli::UndoArgs;
use crate::error::Result;
use crate::output::Format;
use crate::store::log::Changes;
use crate::store::undo::{self, UndoOutcome};

pub use crate::store::undo::Way;

pub async fn run(ctx: &Context, args: UndoArgs, way: Way) -> Result<()> {
    let store = ctx.store().await?;
    // Each record of a small operation; an import's are counted (`vetted log --changes` lists
    // every one).
    let changes = match ctx.output.format {
        Format::Table if ctx.quiet => Changes::None,
        _ => Changes::Brief,
    };
    let outcome = undo::undo(&store, way, args.operation.as_deref(), args.dry_run, changes).await?;
    match ctx.output.format {
        Format::Json => ctx.print(&format!("{}\n", serde_json::to_string_pretty(&outcome)?)),
        Format::Table => {
            if ctx.quiet {
                return Ok(());
            }
            ctx.print(&ctx.output.text(&message(&outcome)))
        }
        _ => ctx.print(&ctx.output.list(&outcome.undone.changes, &[])?),
    }
}

/// What was (or would be) undone, for people: the operation and one line per record.
fn message(outcome: &UndoOutcome) -> String {
    let op = &outcome.undone;
    let verb = match (outcome.dry_run, outcome.redo) {
        (true, false) => "Would undo",
        (true, true) => "Would redo (undo the undo)",
        (false, false) => "Undid",
        (false, true) => "Redid (undid the undo)",
    };
    let mut text = format!(
        "{verb} operation #{} ({}) by {} at {}: {}\n",
        op.seq, op.id, op.actor, op.at, op.summary
    );
    for change in &op.changes {
        // Undoing reverses each change: what it added goes, what it removed comes back.
        let what = match (&change.before, &change.after, outcome.dry_run) {
            (None, Some(_), true) => "would remove",
            (None, Some(_), false) => "removed",
            (Some(_), None, true) => "would bring back",
            (Some(_), None, false) => "brought back",
            (_, _, true) => "would change back",
            (_, _, false) => "changed back",
        };
        text.push_str(&format!("  {what} {} {}\n", change.entity, change.id));
    }
    if !op.changes_complete && !op.records.is_empty() {
        let counts: Vec<String> = op
            .records
            .iter()
            .map(|r| format!("{} {}", r.records, r.entity))
            .collect();
        let verb = if outcome.dry_run {
            "would take back"
        } else {
            "took back"
        };
        text.push_str(&format!(
            "  {verb} changes to {} records (`vetted log --changes` lists each)\n",
            counts.join(", ")
        ));
    }
    if let Some(id) = &outcome.operation {
        text.push_str(&format!("Recorded as operation {id}\n"));
    }
    text
}
