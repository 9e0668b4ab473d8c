//! gridstrain: from projections of AI compute to hourly electricity demand on real grid
//! regions, and what that demand does to the grid.
//!
//! Data flows one way (see `docs/architecture.md`):
//!
//! ```text
//! scenario ─► power ─► siting ─► profiles ─► flexibility ─► metrics ─► output
//! ```
//!
//! * [`input`] reads and validates every file (TOML, CSV, Parquet) into domain types;
//! * [`scenario`], [`power`], [`siting`], [`profiles`], [`baseline`], [`headroom`],
//!   [`flexibility`] and [`metrics`] are the pure computing core, on plain `&[f64]` slices;
//! * [`simulation`] runs the stages for every region × year × weather year (rayon);
//! * [`output`] writes tables (polars) atomically; [`cli`] is the command line.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod baseline;
pub mod cli;
pub mod flexibility;
pub mod headroom;
pub mod import;
pub mod input;
pub mod load;
pub mod metrics;
pub mod output;
pub mod power;
pub mod profiles;
pub mod progress;
pub mod region;
pub mod scenario;
pub mod simulation;
pub mod siting;
pub mod time;
