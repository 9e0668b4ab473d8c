//! The one integration-test binary (one link of polars, not one per file). Each module
//! covers one area; `common` holds the helpers.
mod api;
mod architecture;
mod atomic;
mod bad_input;
mod batch;
mod capacity;
mod catalogue_checks;
mod cli;
mod common;
mod golden;
mod input_ranges;
mod nation;
mod non_ai;
mod output_safety;
mod paper;
mod pipeline;
mod presets;
mod properties;
mod report;
mod spreadsheet;
mod sweep;
