//! `vetted log`: the operation log.

use super::Context;
use crate::cli::LogArgs;
use crate::error::Result;
use crate::output::Format;
use crate::store::log::{self, LogFilter};
use crate::store::lookup;

pub async fn run(ctx: &Context, args: LogArgs) -> Result<()> {
    let since = args.since.as_deref().map(|d| ctx.date("since", d)).transpose()?;
    let store = ctx.store().await?;
    let supplier_id = match &args.supplier {
        Some(reference) => Some(lookup::supplier(&store.db, reference).await?.id),
        None => None,
    };
    let filter = LogFilter {
        since,
        actor: args.actor,
        supplier_id,
        limit: ctx.output.limit.map(|n| n as u64),
        // A table shows each operation's summary; every other format, its changes too.
        with_changes: ctx.output.format != Format::Table,
    };
    let entries = log::log(&store.db, &filter).await?;
    ctx.print(
        &ctx.output
            .list(&entries, &["at", "id", "actor", "summary", "undoes", "undone_by"])?,
    )
}
