//! Validated domain types: regions and region sets, scenarios, profiles and hourly
//! series. They hold no I/O and no polars: [`crate::input`] builds them from files, a
//! library user may build them in memory, and [`crate::stages`] and
//! [`crate::simulation`] compute on them.
pub mod distribution;
pub mod nation;
pub mod profile;
pub mod ranges;
pub mod region;
pub mod scenario;
pub mod series;
pub mod study;
pub mod uncertainty;
