//! `vetted completions SHELL` and `vetted man`, generated from the clap types in `cli.rs`.

use super::Context;
use crate::cli::{self, ManArgs};
use crate::error::{Error, Result};

pub fn completions(ctx: &Context, shell: clap_complete::Shell) -> Result<()> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut cli::command(), "vetted", &mut buffer);
    ctx.print(&String::from_utf8_lossy(&buffer))
}

/// The main page on standard output, or every page written into `--dir`.
pub fn man(ctx: &Context, args: ManArgs) -> Result<()> {
    let Some(dir) = args.dir else {
        let mut buffer = Vec::new();
        clap_mangen::Man::new(cli::command()).render(&mut buffer)?;
        return ctx.print(&String::from_utf8_lossy(&buffer));
    };
    std::fs::create_dir_all(&dir)
        .and_then(|()| clap_mangen::generate_to(cli::command(), &dir))
        .map_err(|e| {
            Error::invalid(
                "dir",
                format!("cannot write the pages into {}: {e}", dir.display()),
            )
        })?;
    let pages = std::fs::read_dir(&dir)?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".1"))
        .count();
    if !ctx.quiet {
        eprintln!("wrote {pages} manual pages into {}", dir.display());
    }
    Ok(())
}
