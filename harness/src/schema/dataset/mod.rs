//! Seeded datasets at a chosen scale, generated server-side from the manifest's `[scale]`
//! section and built once per scale into a template database that scenarios clone.

mod deferred;
mod load;

mod template;

pub use crate::subject::manifest::scales::{parse_scale, parse_scales, scale_label};
pub use load::{load, load_with, scale_of, LoadReport, LoadStrategy};
pub use template::{seeded_template, SeededTemplate};
