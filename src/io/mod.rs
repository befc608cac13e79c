//! Files in and out: inputs (a file or standard input), the supplier CSV reader (with physical
//! line numbers), the import's reject file, and output files that never overwrite the database or
//! the input and are written whole or not at all.

pub mod input;
pub mod out_file;
mod records;
pub mod rejects;
pub mod statement_csv;
pub mod supplier_csv;
