//! `vetted db status|migrate`.

use super::Context;
use crate::cli::DbCommand;
use crate::error::Result;
use crate::store::{OnOpen, name_keys, schema};

pub async fn run(ctx: &Context, cmd: DbCommand) -> Result<()> {
    let store = ctx.open(OnOpen::AsIs).await?;
    match cmd {
        DbCommand::Status => {
            let states = schema::status(&store.db).await?;
            ctx.print(&ctx.output.list(&states, &[])?)
        }
        DbCommand::Migrate => {
            let location = crate::store::connect::Location::resolve(ctx.db.as_deref())?;
            let before = schema::status(&store.db).await?;
            schema::refuse_unknown(&before, &location.display())?;
            let pending = schema::count_pending(&before);
            schema::migrate(&store.db, &location).await?;
            let states = schema::status(&store.db).await?;
            // Records the naming rules now read as one are listed, never merged silently.
            let shared = name_keys::shared(&store.db).await?;
            let mut message = format!("Applied {pending} migration(s); the schema is current");
            for s in &shared {
                let line = format!(
                    "\n{} name '{}' is now shared by {}{}",
                    s.kind,
                    s.key,
                    s.records.join(" and "),
                    s.suggestion
                        .as_ref()
                        .map_or(String::new(), |m| format!(": if they are one company, `{m}`")),
                );
                if ctx.output.format == crate::output::Format::Table {
                    message.push_str(&line);
                } else {
                    eprintln!("vetted: {}", line.trim_start());
                }
            }
            ctx.done(&message, "migrations", &states)
        }
    }
}
