//! vetted: a supplier due-diligence tracker for sourcing teams.
// Each command's future nests the retried write transaction's (`store::transaction`): the
// release build's layout of `commands::run` goes deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

pub mod cli;
pub mod commands;
pub mod domain;
pub mod error;
pub mod io;
pub mod output;
pub mod report;
pub mod store;
