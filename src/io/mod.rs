//! Files in and out: the supplier CSV reader (with physical line numbers) and exports.

mod records;
pub mod supplier_csv;
