//! Seeded datasets at a chosen scale, generated server-side — by the manifest's `[scale]`
//! SQL where it has some, from the catalog everywhere else — and built once per scale
//! into a template database that scenarios clone.

mod deferred;
pub mod derived;
mod load;

mod template;

pub use crate::subject::manifest::scales::{parse_scale, parse_scales, scale_label};
pub use load::{
    load, load_part_way, load_with, scale_of, DataSource, LoadOptions, LoadReport, LoadStrategy,
};
pub use template::{seeded_template, SeededTemplate};
