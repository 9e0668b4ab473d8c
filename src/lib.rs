//! gridstrain: from projections of AI compute to hourly electricity demand on real grid
//! regions, and what that demand does to the grid.
//!
//! The modules read in pipeline order, and dependencies point one way (see
//! `docs/architecture.md`):
//!
//! ```text
//! input ─► model ─► stages ─► simulation ─► results ─► output
//!  files    validated  pure      the one       row types,   polars,
//!           types      maths     kernel        summaries    files
//! ```
//!
//! * [`model`]: validated domain types (regions, scenarios, profiles, hourly series, a
//!   study); no I/O;
//! * [`input`]: files → model (TOML, load files, imports), one message per bad input;
//! * [`stages`]: the pure computing stages on plain `&[f64]` slices;
//! * [`simulation`]: the kernel that computes every hourly series and metric of a
//!   [`model::study::Study`] in memory (rayon), and the headroom analysis;
//! * [`results`]: the row types of every table (each column defined once) and the
//!   summary over weather years;
//! * [`output`]: polars and files only, every write staged then renamed;
//! * [`report`]: the policymaker's report (HTML and Markdown, plotters charts), rendered
//!   from a run folder's files;
//! * [`api`]: a study run in memory and written as a run folder (tables, `run.toml`,
//!   report) — what `run` and `batch` call;
//! * [`cli`]: arguments → library calls.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
#[cfg(test)]
pub(crate) mod fixture;
pub mod input;
pub mod model;
pub mod output;
pub mod report;
pub mod results;
pub mod simulation;
pub mod stages;
pub mod time;
