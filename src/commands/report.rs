//! `vetted report status|gaps`.

use super::Context;
use crate::cli::{ReportArgs, ReportCommand};
use crate::error::{Error, Result};
use crate::report::{gaps, render, status};

pub async fn run(ctx: &Context, cmd: ReportCommand) -> Result<()> {
    let (text, args) = match cmd {
        ReportCommand::Status { buyer, args } => {
            let as_of = as_of(ctx, &args)?;
            let store = ctx.store().await?;
            let report = status::build(&store.db, buyer.as_deref(), threshold(&args)?, as_of).await?;
            (render::status(&ctx.output, &report), args)
        }
        ReportCommand::Gaps { buyer, args } => {
            let as_of = as_of(ctx, &args)?;
            let store = ctx.store().await?;
            let report = gaps::build(&store.db, &buyer, threshold(&args)?, as_of).await?;
            (render::gaps(&ctx.output, &report), args)
        }
    };
    match &args.out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| Error::invalid("out", format!("cannot write {}: {e}", path.display()))),
        None => ctx.print(&text),
    }
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
