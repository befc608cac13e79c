//! Files in and out: the supplier CSV reader (with physical line numbers) and exports.

pub mod supplier_csv;
