//! `vetted db status|migrate`.

use super::Context;
use crate::cli::DbCommand;
use crate::error::Result;
use crate::store::{OnOpen, schema};

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
            ctx.done(
                &format!("Applied {pending} migration(s); the schema is current"),
                "migrations",
                &states,
            )
        }
    }
}
