//! `vetted history`: the audit trail.

use super::Context;
use crate::cli::HistoryArgs;
use crate::error::Result;
use crate::store::{audit, lookup};

pub async fn run(ctx: &Context, args: HistoryArgs) -> Result<()> {
    let since = args.since.as_deref().map(|d| ctx.date("since", d)).transpose()?;
    let store = ctx.store().await?;
    let supplier_id = match &args.supplier {
        Some(reference) => Some(lookup::supplier(&store.db, reference).await?.id),
        None => None,
    };
    let entries = audit::history(&store.db, since, supplier_id).await?;
    ctx.print(
        &ctx.output
            .list(&entries, &["id", "at", "actor", "action", "summary", "changed"])?,
    )
}
