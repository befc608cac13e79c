//! vetted: a supplier due-diligence tracker for sourcing teams.

pub mod cli;
pub mod commands;
pub mod domain;
pub mod error;
pub mod io;
pub mod output;
pub mod report;
pub mod store;
