//! `vetted note add|resolve|list|edit|reopen|void`.

use super::Context;
use crate::cli::{
    NoteAddArgs, NoteCommand, NoteEditArgs, NoteListArgs, NoteReopenArgs, NoteResolveArgs, VoidArgs,
};
use crate::domain::status::Severity;
use crate::domain::{text, values};
use crate::error::Result;
use crate::store::notes::{self, NewNote, NoteEdit, NoteFilter, NoteTarget};

pub async fn run(ctx: &Context, cmd: NoteCommand) -> Result<()> {
    match cmd {
        NoteCommand::Add(args) => add(ctx, args).await,
        NoteCommand::Resolve(args) => resolve(ctx, args).await,
        NoteCommand::List(args) => list(ctx, args).await,
        NoteCommand::Edit(args) => edit(ctx, args).await,
        NoteCommand::Reopen(args) => reopen(ctx, args).await,
        NoteCommand::Void(args) => void(ctx, args).await,
    }
}

async fn edit(ctx: &Context, args: NoteEditArgs) -> Result<()> {
    let NoteEditArgs {
        id,
        topic,
        severity,
        text,
    } = args;
    let id = values::parse_id("id", &id)?;
    let edit = NoteEdit {
        topic: text::clearable("topic", topic.as_deref(), text::line)?,
        severity: severity.as_deref().map(Severity::parse).transpose()?,
        text: text.as_deref().map(|t| text::long("text", t)).transpose()?,
    };
    let store = ctx.store().await?;
    let outcome = notes::edit(&store, id, edit).await?;
    ctx.corrected(outcome, "note", |n| {
        format!("Corrected {} note #{}", n.severity, n.id)
    })
}

async fn reopen(ctx: &Context, args: NoteReopenArgs) -> Result<()> {
    let NoteReopenArgs { id, reason } = args;
    let id = values::parse_id("id", &id)?;
    let reason = text::long("reason", &reason)?;
    let store = ctx.store().await?;
    let note = notes::reopen(&store, id, reason).await?;
    ctx.done(&format!("Reopened {} note #{id}", note.severity), "note", &note)
}

async fn void(ctx: &Context, args: VoidArgs) -> Result<()> {
    let VoidArgs { id, reason } = args;
    let id = values::parse_id("id", &id)?;
    let reason = text::long("reason", &reason)?;
    let store = ctx.store().await?;
    let note = notes::void(&store, id, reason).await?;
    ctx.done(
        &format!(
            "Voided {} note #{id}: it leaves lists and reports (`vetted undo` takes it back)",
            note.severity
        ),
        "note",
        &note,
    )
}

async fn add(ctx: &Context, args: NoteAddArgs) -> Result<()> {
    let NoteAddArgs {
        visit,
        supplier,
        topic,
        severity,
        date,
        text,
    } = args;
    let target = match (visit, supplier) {
        (Some(id), _) => NoteTarget::Visit(values::parse_id("visit", &id)?),
        (None, Some(reference)) => NoteTarget::Supplier(reference),
        (None, None) => {
            return Err(crate::error::Error::invalid(
                "visit",
                "say which visit (--visit) or supplier (--supplier)",
            ));
        }
    };
    let new = NewNote {
        target,
        topic: text::optional_line("topic", topic.as_deref())?,
        severity: Severity::parse(&severity)?,
        text: text::long("text", &text)?,
        date: date.as_deref().map(|d| ctx.past_date("date", d)).transpose()?,
    };
    let store = ctx.store().await?;
    let note = notes::add(&store, new).await?;
    ctx.done(
        &format!("Added {} note #{}", note.severity, note.id),
        "note",
        &note,
    )
}

async fn resolve(ctx: &Context, args: NoteResolveArgs) -> Result<()> {
    let NoteResolveArgs { id, resolution, date } = args;
    let id = values::parse_id("id", &id)?;
    let date = ctx.past_date("date", &date)?;
    let resolution = text::optional_long("resolution", resolution.as_deref())?;
    let store = ctx.store().await?;
    let note = notes::resolve(&store, id, resolution, date).await?;
    ctx.done(&format!("Resolved note #{} on {date}", note.id), "note", &note)
}

async fn list(ctx: &Context, args: NoteListArgs) -> Result<()> {
    let NoteListArgs {
        supplier,
        open,
        severity,
    } = args;
    let filter = NoteFilter {
        supplier,
        open_only: open,
        min_severity: severity.as_deref().map(Severity::parse).transpose()?,
    };
    let store = ctx.store().await?;
    let list = notes::list(&store, filter).await?;
    ctx.print(&ctx.output.list(
        &list,
        &[
            "id", "date", "supplier", "visit_id", "severity", "topic", "text", "status",
        ],
    )?)
}
