//! Pure types and rules of the supplier due-diligence domain. Nothing here touches the database,
//! the command line or files.

pub mod capacity;
pub mod dates;
pub mod deal;
pub mod names;
pub mod scarcity;
pub mod status;
pub mod text;
pub mod timeline;
pub mod values;
