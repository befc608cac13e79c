//! `vetted completions SHELL` and `vetted man`, generated from the clap types in `cli.rs`.

use super::Context;
use crate::cli;
use crate::error::Result;

pub fn completions(ctx: &Context, shell: clap_complete::Shell) -> Result<()> {
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut cli::command(), "vetted", &mut buffer);
    ctx.print(&String::from_utf8_lossy(&buffer))
}

pub fn man(ctx: &Context) -> Result<()> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(cli::command()).render(&mut buffer)?;
    ctx.print(&String::from_utf8_lossy(&buffer))
}
