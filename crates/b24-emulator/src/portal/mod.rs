//! The emulated portal: its data model, the seeded generator, and who may see what.

mod model;

pub use model::*;
