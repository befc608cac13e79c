//! `vetted visit log|list|show|edit|void`.

use super::{Context, Dated};
use crate::cli::{VisitCommand, VisitEditArgs, VisitListArgs, VisitLogArgs, VisitShowArgs, VoidArgs};
use crate::domain::status::Severity;
use crate::domain::values::{self, Invalid};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::store::visits::{self, NewVisit, VisitEdit, VisitFilter};

/// `major:PECVD chamber leak` → (major, "PECVD chamber leak").
fn finding(input: &str) -> Result<(Severity, String), Invalid> {
    let Some((severity, text)) = input.split_once(':') else {
        return Err(Invalid::new(
            "finding",
            format!("'{input}' needs a severity first, e.g. major:{input}"),
        ));
    };
    let severity = Severity::parse(severity).map_err(|e| Invalid::new("finding", e.problem))?;
    Ok((severity, text::long("finding", text)?))
}

pub async fn run(ctx: &Context, cmd: VisitCommand) -> Result<()> {
    match cmd {
        VisitCommand::Log(args) => log(ctx, args).await,
        VisitCommand::List(args) => list(ctx, args).await,
        VisitCommand::Show(args) => show(ctx, args).await,
        VisitCommand::Edit(args) => edit(ctx, args).await,
        VisitCommand::Void(args) => void(ctx, args).await,
    }
}

impl TryFrom<Dated<VisitEditArgs>> for VisitEdit {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<VisitEditArgs>) -> Result<VisitEdit, Invalid> {
        let visitors = match args.visitors.as_slice() {
            [] => None,
            [one] if one.trim().is_empty() => Some(Vec::new()),
            names => Some(
                names
                    .iter()
                    .map(|v| text::name("visitor", v))
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(VisitEdit {
            supplier: args.supplier,
            buyer: args.buyer,
            date: args
                .date
                .as_deref()
                .map(|d| dates::parse_past_date("date", d, today))
                .transpose()?,
            site: text::clearable("site", args.site.as_deref(), |_, s| Ok(s.trim().to_string()))?,
            purpose: text::clearable("purpose", args.purpose.as_deref(), text::line)?,
            lines_inspected: text::clearable(
                "lines-inspected",
                args.lines_inspected.as_deref(),
                values::parse_count,
            )?,
            summary: text::clearable("summary", args.summary.as_deref(), text::long)?,
            visitors,
        })
    }
}

async fn edit(ctx: &Context, args: VisitEditArgs) -> Result<()> {
    let id = values::parse_id("id", &args.id)?;
    let edit = VisitEdit::try_from(ctx.dated(args))?;
    let store = ctx.store().await?;
    let outcome = visits::edit(&store, id, edit).await?;
    ctx.corrected(outcome, "visit", |v| {
        format!(
            "Corrected visit #{} ({} at {} on {})",
            v.id, v.buyer, v.supplier, v.date
        )
    })
}

async fn void(ctx: &Context, args: VoidArgs) -> Result<()> {
    let VoidArgs { id, reason } = args;
    let id = values::parse_id("id", &id)?;
    let reason = text::long("reason", &reason)?;
    let store = ctx.store().await?;
    let visit = visits::void(&store, id, reason).await?;
    ctx.done(
        &format!(
            "Voided visit #{id} ({} at {} on {}) and its findings: they leave lists and reports \
             (`vetted undo` takes it back)",
            visit.buyer, visit.supplier, visit.date
        ),
        "visit",
        &visit,
    )
}

impl TryFrom<Dated<VisitLogArgs>> for NewVisit {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<VisitLogArgs>) -> Result<NewVisit, Invalid> {
        Ok(NewVisit {
            date: dates::parse_past_date("date", &args.date, today)?,
            visitors: args
                .visitors
                .iter()
                .map(|v| text::name("visitor", v))
                .collect::<Result<_, _>>()?,
            purpose: text::optional_line("purpose", args.purpose.as_deref())?,
            lines_inspected: args
                .lines_inspected
                .as_deref()
                .map(|n| values::parse_count("lines-inspected", n))
                .transpose()?,
            summary: text::optional_long("summary", args.summary.as_deref())?,
            findings: args
                .findings
                .iter()
                .map(|f| finding(f))
                .collect::<Result<_, _>>()?,
            supplier: args.supplier,
            buyer: args.buyer,
            site: args.site,
        })
    }
}

async fn log(ctx: &Context, args: VisitLogArgs) -> Result<()> {
    let new = NewVisit::try_from(ctx.dated(args))?;
    let store = ctx.store().await?;
    let visit = visits::log(&store, new).await?;
    ctx.done(
        &format!(
            "Logged visit #{}: {} visited {} on {} ({})",
            visit.id,
            visit.buyer,
            visit.supplier,
            visit.date,
            text::counted(visit.findings.len() as u64, "finding")
        ),
        "visit",
        &visit,
    )
}

async fn list(ctx: &Context, args: VisitListArgs) -> Result<()> {
    let VisitListArgs {
        supplier,
        buyer,
        since,
        until,
    } = args;
    let filter = VisitFilter {
        supplier,
        buyer,
        since: since.as_deref().map(|d| ctx.date("since", d)).transpose()?,
        until: until.as_deref().map(|d| ctx.date("until", d)).transpose()?,
    };
    let store = ctx.store().await?;
    let list = visits::list(&store, filter).await?;
    ctx.print(&ctx.output.list(
        &list,
        &[
            "id", "date", "supplier", "buyer", "site", "visitors", "purpose", "findings",
        ],
    )?)
}

async fn show(ctx: &Context, args: VisitShowArgs) -> Result<()> {
    let VisitShowArgs { id } = args;
    let id = values::parse_id("id", &id)?;
    let store = ctx.store().await?;
    let visit = visits::show(&store, id).await?;
    ctx.print(&ctx.output.document("visit", &visit))
}
