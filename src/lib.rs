//! vetted: a supplier due-diligence tracker for sourcing teams. The binary needs four things from
//! the library; everything else is private to it, so the compiler finds what nothing uses.
// Each command's future nests the retried write transaction's (`store::transaction`): the
// release build's layout of `commands::run` goes deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

mod cli;
mod commands;
mod domain;
pub mod error;
mod io;
mod output;
mod report;
mod store;

pub use cli::parse;
pub use commands::run;
pub use output::visible;
