//! sea-orm entities, one per table. Relations are not declared: queries join explicitly.

pub mod audit_entry;
pub mod buyer;
pub mod capacity;
pub mod dated_fact;
pub mod deal;
pub mod deal_event;
pub mod holding;
pub mod note;
pub mod operation;
pub mod quote;
pub mod site;
pub mod supplier;
pub mod supplier_alias;
pub mod supplier_capability;
pub mod visit;
pub mod visit_visitor;
