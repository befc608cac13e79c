//! `vetted report status|gaps|capacity`.

use super::Context;
use crate::cli::{ReportArgs, ReportCapacityArgs, ReportCommand, ReportGapsArgs, ReportStatusArgs, ScarceBy};
use crate::domain::capacity::Period;
use crate::domain::scarcity::Basis;
use crate::domain::{dates, values};
use crate::error::Result;
use crate::output::Format;
use crate::report::capacity as report_capacity;
use crate::report::html::{self, Dashboard};
use crate::report::known::Known;
use crate::report::{facts, gaps, render, status};
use crate::store::{Store, lookup, operations};
use chrono::{DateTime, NaiveDate, Utc};

pub async fn run(ctx: &Context, cmd: ReportCommand) -> Result<()> {
    match cmd {
        ReportCommand::Status(args) => status(ctx, args).await,
        ReportCommand::Gaps(args) => gaps(ctx, args).await,
        ReportCommand::Capacity(args) => capacity(ctx, args).await,
    }
}

async fn capacity(ctx: &Context, args: ReportCapacityArgs) -> Result<()> {
    let ReportCapacityArgs {
        capability,
        from,
        to,
        buyer,
        args,
    } = args;
    let known_at = known_at(ctx, &args)?;
    let as_of = as_of(ctx, &args, known_at)?;
    let from = match from.as_deref() {
        Some(text) => Period::parse("from", text)?,
        None => Period::of_day(as_of),
    };
    let to = match to.as_deref() {
        Some(text) => Period::parse("to", text)?,
        None => from.plus(7),
    };
    if to < from {
        return Err(crate::error::Error::invalid(
            "to",
            format!("{to} is before --from {from}"),
        ));
    }
    let capability = capability
        .as_deref()
        .map(|c| values::parse_capability("capability", c))
        .transpose()?;
    let out = ctx.out(args.out.as_deref())?;
    let store = ctx.store().await?;
    let known = known(&store, known_at).await?;
    let buyer = match &buyer {
        Some(reference) => Some(lookup::buyer(&store.db, reference).await?),
        None => None,
    };
    let scope = report_capacity::Scope {
        capability,
        from,
        to,
        as_of,
        buyer: buyer.as_ref().map(|b| b.id),
    };
    let mut report = report_capacity::build(&store.db, known, &scope).await?;
    report.known_at = known_at;
    report.rows.truncate(ctx.output.limit.unwrap_or(usize::MAX));
    if ctx.output.format == Format::Html {
        let page = html::capacity(&report, buyer.as_ref().map(|b| b.name.as_str()));
        return super::emit(out, |out| Ok(out.write_all(page.as_bytes())?));
    }
    super::emit(out, |out| render::capacity(&ctx.output, &report, out))
}

/// The dashboard's lists: the latest visits and the open critical and major findings.
async fn dashboard_lists(
    store: &Store,
    as_of: NaiveDate,
    known: Known,
    buyer: Option<i32>,
) -> Result<(Vec<facts::RecentVisit>, Vec<facts::SeriousFinding>)> {
    Ok((
        facts::recent_visits(&store.db, known, as_of, buyer, 12).await?,
        facts::serious_open_findings(&store.db, known, as_of, 20).await?,
    ))
}

/// The moment `--known-at` names, if given.
fn known_at(ctx: &Context, args: &ReportArgs) -> Result<Option<DateTime<Utc>>> {
    args.known_at
        .as_deref()
        .map(|text| Ok(dates::parse_moment("known-at", text, Utc::now(), ctx.today)?))
        .transpose()
}

/// The day a report is as of: `--as-of`, or the day of `--known-at` (so that a report re-run
/// with the moment it was taken at gives the same answer), or today.
fn as_of(ctx: &Context, args: &ReportArgs, known_at: Option<DateTime<Utc>>) -> Result<NaiveDate> {
    match (&args.as_of, known_at) {
        (Some(day), _) => ctx.date("as-of", day),
        (None, Some(moment)) => Ok(moment.with_timezone(&chrono::Local).date_naive()),
        (None, None) => Ok(ctx.today),
    }
}

/// Which record the report reads: as it stands, or as it stood at `known_at`.
async fn known(store: &Store, known_at: Option<DateTime<Utc>>) -> Result<Known> {
    Ok(match known_at {
        Some(moment) => Known::after(operations::last_at(&store.db, moment).await?),
        None => Known::NOW,
    })
}

fn threshold(args: &ReportArgs) -> Result<usize> {
    Ok(values::parse_positive("threshold", &args.threshold)? as usize)
}

async fn status(ctx: &Context, args: ReportStatusArgs) -> Result<()> {
    let ReportStatusArgs { buyer, args } = args;
    let known_at = known_at(ctx, &args)?;
    let as_of = as_of(ctx, &args, known_at)?;
    let threshold = threshold(&args)?;
    let out = ctx.out(args.out.as_deref())?;
    let store = ctx.store().await?;
    let known = known(&store, known_at).await?;
    let buyer = match &buyer {
        Some(reference) => Some(lookup::buyer(&store.db, reference).await?),
        None => None,
    };
    let buyer_id = buyer.as_ref().map(|b| b.id);
    let mut report = status::build(&store.db, buyer_id, threshold, as_of, known).await?;
    report.known_at = known_at;
    report.suppliers.truncate(ctx.output.limit.unwrap_or(usize::MAX));
    if ctx.output.format == Format::Html {
        let (visits, findings) = dashboard_lists(&store, as_of, known, buyer_id).await?;
        let dashboard = Dashboard {
            status: &report,
            recent_visits: &visits,
            findings: &findings,
        };
        let page = html::status(&report, &dashboard, buyer.as_ref().map(|b| b.name.as_str()));
        super::emit(out, |out| Ok(out.write_all(page.as_bytes())?))
    } else {
        super::emit(out, |out| render::status(&ctx.output, &report, out))
    }
}

async fn gaps(ctx: &Context, args: ReportGapsArgs) -> Result<()> {
    let ReportGapsArgs {
        buyer,
        scarce_by,
        args,
    } = args;
    let known_at = known_at(ctx, &args)?;
    let as_of = as_of(ctx, &args, known_at)?;
    let threshold = threshold(&args)?;
    let out = ctx.out(args.out.as_deref())?;
    let store = ctx.store().await?;
    let known = known(&store, known_at).await?;
    let question = gaps::Question {
        buyer: &buyer,
        threshold,
        as_of,
        scarce_by: match scarce_by {
            ScarceBy::Suppliers => Basis::Suppliers,
            ScarceBy::Capacity => Basis::Capacity,
        },
    };
    let mut report = gaps::build(&store.db, &question, known).await?;
    report.known_at = known_at;
    // The most urgent first: `--limit` keeps the top of the list.
    report.suppliers.truncate(ctx.output.limit.unwrap_or(usize::MAX));
    if ctx.output.format == Format::Html {
        let status = status::build(&store.db, None, threshold, as_of, known).await?;
        let (visits, findings) = dashboard_lists(&store, as_of, known, None).await?;
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
