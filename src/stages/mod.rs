//! The pure computing stages, in pipeline order, on plain `&[f64]` slices: compute →
//! [`power`], [`siting`] over regions, hourly [`shapes`] and the weather-year
//! [`baseline`], training [`flexibility`], curtailment-enabled [`headroom`] and the
//! series [`metrics`]. No I/O, no polars; [`crate::simulation`] orchestrates them.
pub mod baseline;
pub mod flexibility;
pub mod hardware;
pub mod headroom;
pub mod metrics;
pub mod power;
pub mod sensitivity;
pub mod shapes;
pub mod siting;
