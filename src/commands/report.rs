//! `vetted report status|gaps`.

use super::Context;
use crate::cli::{ReportArgs, ReportCommand, ReportGapsArgs, ReportStatusArgs};
use crate::error::{Error, Result};
use crate::output::Format;
use crate::report::html::{self, Dashboard};
use crate::report::{facts, gaps, render, status};
use crate::store::{Store, lookup};

pub async fn run(ctx: &Context, cmd: ReportCommand) -> Result<()> {
    match cmd {
        ReportCommand::Status(args) => status(ctx, args).await,
        ReportCommand::Gaps(args) => gaps(ctx, args).await,
    }
}

/// The dashboard's lists: the latest visits and the open critical and major findings.
async fn dashboard_lists(
    store: &Store,
    as_of: chrono::NaiveDate,
    buyer: Option<i32>,
) -> Result<(Vec<facts::RecentVisit>, Vec<facts::SeriousFinding>)> {
    Ok((
        facts::recent_visits(&store.db, as_of, buyer, 12).await?,
        facts::serious_open_findings(&store.db, as_of, 20).await?,
    ))
}

fn as_of(ctx: &Context, args: &ReportArgs) -> Result<chrono::NaiveDate> {
    match &args.as_of {
        Some(day) => ctx.date("as-of", day),
        None => Ok(ctx.today),
    }
}

fn threshold(args: &ReportArgs) -> Result<usize> {
    if args.threshold == 0 {
        return Err(Error::invalid("threshold", "must be 1 or more"));
    }
    Ok(args.threshold)
}

async fn status(ctx: &Context, args: ReportStatusArgs) -> Result<()> {
    let ReportStatusArgs { buyer, args } = args;
    let as_of = as_of(ctx, &args)?;
    let out = ctx.out(args.out.as_deref())?;
    let store = ctx.store().await?;
    let threshold = threshold(&args)?;
    let buyer_id = match &buyer {
        Some(reference) => Some(lookup::buyer(&store.db, reference).await?.id),
        None => None,
    };
    let report = status::build(&store.db, buyer_id, threshold, as_of).await?;
    if ctx.output.format == Format::Html {
        let (visits, findings) = dashboard_lists(&store, as_of, buyer_id).await?;
        let dashboard = Dashboard {
            status: &report,
            recent_visits: &visits,
            findings: &findings,
        };
        let page = html::status(&report, &dashboard);
        super::emit(out, |out| Ok(out.write_all(page.as_bytes())?))
    } else {
        super::emit(out, |out| render::status(&ctx.output, &report, out))
    }
}

async fn gaps(ctx: &Context, args: ReportGapsArgs) -> Result<()> {
    let ReportGapsArgs { buyer, args } = args;
    let as_of = as_of(ctx, &args)?;
    let out = ctx.out(args.out.as_deref())?;
    let store = ctx.store().await?;
    let threshold = threshold(&args)?;
    let report = gaps::build(&store.db, &buyer, threshold, as_of).await?;
    if ctx.output.format == Format::Html {
        let status = status::build(&store.db, None, threshold, as_of).await?;
        let (visits, findings) = dashboard_lists(&store, as_of, None).await?;
        let dashboard = Dashboard {
            status: &status,
            recent_visits: &visits,
            findings: &findings,
        };
        let page = html::gaps(&report, &dashboard);
        super::emit(out, |out| Ok(out.write_all(page.as_bytes())?))
    } else {
        super::emit(out, |out| render::gaps(&ctx.output, &report, out))
    }
}
