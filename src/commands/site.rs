//! `vetted site add|list|edit|merge`.

use super::capitalised;
use super::{Context, Dated};
use crate::cli::{MergeArgs, SiteAddArgs, SiteCommand, SiteEditArgs, SiteListArgs};
use crate::domain::values::{self, Invalid};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::store::merge;
use crate::store::sites::{self, NewSite, SiteEdit};

pub async fn run(ctx: &Context, cmd: SiteCommand) -> Result<()> {
    match cmd {
        SiteCommand::Add(args) => add(ctx, args).await,
        SiteCommand::List(args) => list(ctx, args).await,
        SiteCommand::Edit(args) => edit(ctx, args).await,
        SiteCommand::Merge(args) => merge(ctx, args).await,
    }
}

impl TryFrom<Dated<SiteEditArgs>> for SiteEdit {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<SiteEditArgs>) -> Result<SiteEdit, Invalid> {
        Ok(SiteEdit {
            name: args.name.as_deref().map(|n| text::name("name", n)).transpose()?,
            city: text::clearable("city", args.city.as_deref(), text::line)?,
            province: text::clearable("province", args.province.as_deref(), text::line)?,
            country: text::clearable("country", args.country.as_deref(), values::parse_country)?,
            lines: text::clearable("lines", args.lines.as_deref(), values::parse_count)?,
            date: args
                .date
                .as_deref()
                .map(|d| dates::parse_past_date("date", d, today))
                .transpose()?,
        })
    }
}

async fn edit(ctx: &Context, args: SiteEditArgs) -> Result<()> {
    let reference = args.site.clone();
    let edit = SiteEdit::try_from(ctx.dated(args))?;
    let store = ctx.store().await?;
    let outcome = sites::edit(&store, &reference, edit).await?;
    ctx.corrected(outcome, "site", |s| {
        format!("Corrected site #{} {} of {}", s.id, s.name, s.supplier)
    })
}

async fn merge(ctx: &Context, args: MergeArgs) -> Result<()> {
    let store = ctx.store().await?;
    let merged = merge::sites(&store, &args.duplicate, &args.into).await?;
    ctx.done(&capitalised(&merged.summary), "site", &merged.kept)
}

impl TryFrom<Dated<SiteAddArgs>> for NewSite {
    type Error = Invalid;

    fn try_from(Dated { args, today }: Dated<SiteAddArgs>) -> Result<NewSite, Invalid> {
        Ok(NewSite {
            date: match args.date.as_deref() {
                Some(d) => dates::parse_past_date("date", d, today)?,
                None => today,
            },
            name: text::name("name", &args.name)?,
            city: text::optional_line("city", args.city.as_deref())?,
            province: text::optional_line("province", args.province.as_deref())?,
            country: args
                .country
                .as_deref()
                .map(|c| values::parse_country("country", c))
                .transpose()?,
            lines: args
                .lines
                .as_deref()
                .map(|n| values::parse_count("lines", n))
                .transpose()?,
            supplier: args.supplier,
        })
    }
}

async fn add(ctx: &Context, args: SiteAddArgs) -> Result<()> {
    let new = NewSite::try_from(ctx.dated(args))?;
    let store = ctx.store().await?;
    let site = sites::add(&store, new).await?;
    ctx.done(
        &format!("Added site #{} {} of {}", site.id, site.name, site.supplier),
        "site",
        &site,
    )
}

async fn list(ctx: &Context, args: SiteListArgs) -> Result<()> {
    let SiteListArgs { supplier } = args;
    let store = ctx.store().await?;
    let list = sites::list(&store, supplier.as_deref()).await?;
    ctx.print(&ctx.output.list(
        &list,
        &["id", "supplier", "name", "city", "province", "country", "lines"],
    )?)
}
