//! `vetted visit log|list|show`.

use super::Context;
use crate::cli::VisitCommand;
use crate::domain::status::Severity;
use crate::domain::text;
use crate::domain::values::{self, Invalid};
use crate::error::Result;
use crate::store::visits::{self, NewVisit, VisitFilter};

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
        VisitCommand::Log {
            supplier,
            buyer,
            site,
            date,
            visitors,
            purpose,
            lines_inspected,
            summary,
            findings,
        } => {
            let new = NewVisit {
                supplier,
                buyer,
                site,
                date: ctx.past_date("date", &date)?,
                visitors: visitors
                    .iter()
                    .map(|v| text::name("visitor", v))
                    .collect::<Result<_, _>>()?,
                purpose: text::optional_line("purpose", purpose.as_deref())?,
                lines_inspected: lines_inspected
                    .as_deref()
                    .map(|n| values::parse_count("lines-inspected", n))
                    .transpose()?,
                summary: text::optional_long("summary", summary.as_deref())?,
                findings: findings.iter().map(|f| finding(f)).collect::<Result<_, _>>()?,
            };
            let store = ctx.store().await?;
            let visit = visits::log(&store, new).await?;
            ctx.done(
                &format!(
                    "Logged visit #{}: {} visited {} on {} ({} finding{})",
                    visit.id,
                    visit.buyer,
                    visit.supplier,
                    visit.date,
                    visit.findings.len(),
                    if visit.findings.len() == 1 { "" } else { "s" }
                ),
                "visit",
                &visit,
            )
        }
        VisitCommand::List {
            supplier,
            buyer,
            since,
            until,
        } => {
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
            ))
        }
        VisitCommand::Show { id } => {
            let store = ctx.store().await?;
            let visit = visits::show(&store, id).await?;
            ctx.print(&ctx.output.document("visit", &visit))
        }
    }
}
