//! Files in and out: the supplier CSV reader (with physical line numbers), and output files that
//! never overwrite the database or the input and are written whole or not at all.

pub mod out_file;
mod records;
pub mod supplier_csv;
