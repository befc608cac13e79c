//! `vetted supplier add|edit|list|show|archive`.

use super::Context;
use super::capitalised;
use crate::cli::{
    MergeArgs, SupplierAddArgs, SupplierArchiveArgs, SupplierCommand, SupplierEditArgs, SupplierFields,
    SupplierListArgs, SupplierShowArgs,
};
use crate::domain::status::ScarceOverride;
use crate::domain::values::{self, Invalid};
use crate::domain::{dates, text};
use crate::error::Result;
use crate::store::merge;
use crate::store::suppliers::{self, SupplierChanges, SupplierFilter};

/// Validates the profile flags. An empty string clears a field (`Some(None)`).
fn changes(fields: SupplierFields, today: chrono::NaiveDate) -> Result<SupplierChanges, Invalid> {
    let checked = |field: &str, v: Option<String>, parse: fn(&str, &str) -> Result<String, Invalid>| {
        text::clearable(field, v.as_deref(), parse)
    };
    Ok(SupplierChanges {
        name: None,
        native_name: checked("native-name", fields.native_name, text::name)?,
        country: checked("country", fields.country, values::parse_country)?,
        province: checked("province", fields.province, text::line)?,
        city: checked("city", fields.city, text::line)?,
        address: checked("address", fields.address, text::line)?,
        website: checked("website", fields.website, values::parse_website)?,
        scarce: fields.scarce.as_deref().map(ScarceOverride::parse).transpose()?,
        note: checked("note", fields.note, text::long)?,
        add_aliases: fields
            .aliases
            .iter()
            .map(|a| text::list_name("alias", a).map(|(alias, _)| alias))
            .collect::<Result<_, _>>()?,
        remove_aliases: Vec::new(),
        add_capabilities: fields
            .capabilities
            .iter()
            .map(|c| values::parse_capability("capability", c))
            .collect::<Result<_, _>>()?,
        remove_capabilities: Vec::new(),
        date: fields
            .date
            .as_deref()
            .map(|d| dates::parse_past_date("date", d, today))
            .transpose()?,
    })
}

pub async fn run(ctx: &Context, cmd: SupplierCommand) -> Result<()> {
    match cmd {
        SupplierCommand::Add(args) => add(ctx, args).await,
        SupplierCommand::Edit(args) => edit(ctx, args).await,
        SupplierCommand::List(args) => list(ctx, args).await,
        SupplierCommand::Show(args) => show(ctx, args).await,
        SupplierCommand::Archive(args) => archive(ctx, args).await,
        SupplierCommand::Merge(args) => merge(ctx, args).await,
    }
}

async fn merge(ctx: &Context, args: MergeArgs) -> Result<()> {
    let store = ctx.store().await?;
    let merged = merge::suppliers(&store, &args.duplicate, &args.into).await?;
    ctx.done(&capitalised(&merged.summary), "supplier", &merged.kept)
}

async fn add(ctx: &Context, args: SupplierAddArgs) -> Result<()> {
    let SupplierAddArgs { name, fields } = args;
    let mut changes = changes(fields, ctx.today)?;
    changes.name = Some(text::name("name", &name)?);
    let store = ctx.store().await?;
    let supplier = suppliers::add(&store, changes).await?;
    ctx.done(
        &format!("Added supplier #{} {}", supplier.id, supplier.name),
        "supplier",
        &supplier,
    )
}

async fn edit(ctx: &Context, args: SupplierEditArgs) -> Result<()> {
    let SupplierEditArgs {
        supplier,
        name,
        fields,
        remove_aliases,
        remove_capabilities,
    } = args;
    let mut changes = changes(fields, ctx.today)?;
    changes.name = name.as_deref().map(|n| text::name("name", n)).transpose()?;
    changes.remove_aliases = remove_aliases;
    changes.remove_capabilities = remove_capabilities
        .iter()
        .map(|c| values::parse_capability("remove-capability", c))
        .collect::<Result<_, _>>()?;
    let store = ctx.store().await?;
    let outcome = suppliers::edit(&store, &supplier, changes).await?;
    ctx.corrected(outcome, "supplier", |s| {
        format!("Saved supplier #{} {}", s.id, s.name)
    })
}

async fn list(ctx: &Context, args: SupplierListArgs) -> Result<()> {
    let SupplierListArgs {
        capability,
        country,
        search,
        all,
    } = args;
    let filter = SupplierFilter {
        capability: capability
            .as_deref()
            .map(|c| values::parse_capability("capability", c))
            .transpose()?,
        country: country
            .as_deref()
            .map(|c| values::parse_country("country", c))
            .transpose()?,
        search,
        include_archived: all,
    };
    let store = ctx.store().await?;
    let list = suppliers::list(&store, filter).await?;
    let mut columns = vec![
        "id",
        "name",
        "native_name",
        "country",
        "city",
        "capabilities",
        "scarce",
    ];
    if all {
        columns.push("archived");
    }
    ctx.print(&ctx.output.list(&list, &columns)?)
}

async fn show(ctx: &Context, args: SupplierShowArgs) -> Result<()> {
    let SupplierShowArgs { supplier } = args;
    let store = ctx.store().await?;
    let file = suppliers::show(&store, &supplier).await?;
    ctx.print(&ctx.output.document("supplier", &file))
}

async fn archive(ctx: &Context, args: SupplierArchiveArgs) -> Result<()> {
    let SupplierArchiveArgs {
        supplier,
        restore,
        reason,
        date,
    } = args;
    let change = suppliers::ArchiveChange {
        supplier,
        restore,
        reason: crate::domain::text::optional_long("reason", reason.as_deref())?,
        date: date.as_deref().map(|d| ctx.past_date("date", d)).transpose()?,
    };
    let store = ctx.store().await?;
    let changed = suppliers::archive(&store, &change).await?;
    let verb = if restore { "Restored" } else { "Archived" };
    ctx.done(
        &format!("{verb} supplier #{} {}", changed.id, changed.name),
        "supplier",
        &changed,
    )
}
