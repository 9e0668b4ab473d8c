//! Hourly Parquet files, `hourly/<scenario>/<region>/<year>.parquet` (every weather year
//! of a region-year in one file: baseline, gross inference, new inference, training and non-AI data centres
//! — the load added on top of the measured baseline — and the threshold), written by one writer thread behind a bounded channel.
//! The simulation's workers hand each series to [`HourlyWriter`] (the kernel's
//! [`HourlySink`]); the writer gathers a region-year's weather years and sends the
//! finished block to its writer threads (as many as the workers: compressing Parquet
//! costs more than computing the series), so the workers never wait on polars or the disk
//! unless the channel is full, and memory stays flat: at most one block per worker and
//! per writer plus the channel's few.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

use anyhow::{Context, Result, anyhow, bail};
use polars::prelude::*;

use super::{timestamp_column, write_parquet};
use crate::simulation::{HourlySeries, HourlySink};

/// Blocks that may wait in the channel for the writer thread.
const CHANNEL_BLOCKS: usize = 4;

/// The columns of one region-year, all weather years, gathered for one file.
#[derive(Default)]
struct Block {
    scenario: String,
    region: String,
    year: i32,
    received: usize,
    epoch_hours: Vec<i64>,
    weather_year: Vec<i32>,
    baseline_mw: Vec<f64>,
    inference_mw: Vec<f64>,
    new_inference_mw: Vec<f64>,
    new_training_mw: Vec<f64>,
    new_training_after_flex_mw: Vec<f64>,
    new_non_ai_mw: Vec<f64>,
    threshold_mw: Vec<f64>,
}

impl Block {
    fn push(&mut self, s: &HourlySeries<'_>, weather_years: usize) {
        let n = s.baseline_mw.len();
        if self.received == 0 {
            // One allocation per column for the whole region-year.
            let total = n * weather_years;
            self.epoch_hours.reserve(total);
            self.weather_year.reserve(total);
            self.baseline_mw.reserve(total);
            self.inference_mw.reserve(total);
            self.new_inference_mw.reserve(total);
            self.new_training_mw.reserve(total);
            self.new_training_after_flex_mw.reserve(total);
            self.new_non_ai_mw.reserve(total);
            self.threshold_mw.reserve(total);
        }
        self.epoch_hours
            .extend((0..n as i64).map(|i| s.first_epoch_hour + i));
        self.weather_year
            .extend(std::iter::repeat_n(s.weather_year, n));
        self.baseline_mw.extend_from_slice(s.baseline_mw);
        self.inference_mw.extend_from_slice(s.inference_mw);
        self.new_inference_mw.extend_from_slice(s.new_inference_mw);
        self.new_training_mw.extend_from_slice(s.new_training_mw);
        self.new_training_after_flex_mw
            .extend_from_slice(s.new_training_after_flex_mw);
        self.new_non_ai_mw
            .extend(std::iter::repeat_n(s.new_non_ai_mw, n));
        self.threshold_mw.extend_from_slice(s.threshold_mw);
        self.received += 1;
    }

    fn write(self, dir: &Path) -> Result<()> {
        // Names become folders: each must stay one plain component inside `dir`.
        let folder = super::replace::join_inside(
            &super::replace::join_inside(dir, &self.scenario)?,
            &self.region,
        )?;
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let n = self.epoch_hours.len();
        let mut frame = DataFrame::new_infer_height(vec![
            timestamp_column("timestamp_utc", self.epoch_hours.into_iter()),
            Column::new("scenario".into(), vec![self.scenario.clone(); n]),
            Column::new("region".into(), vec![self.region.clone(); n]),
            Column::new("year".into(), vec![self.year; n]),
            Column::new("weather_year".into(), self.weather_year),
            Column::new("baseline_mw".into(), self.baseline_mw),
            Column::new("inference_mw".into(), self.inference_mw),
            Column::new("new_inference_mw".into(), self.new_inference_mw),
            Column::new("new_training_mw".into(), self.new_training_mw),
            Column::new(
                "new_training_after_flex_mw".into(),
                self.new_training_after_flex_mw,
            ),
            Column::new("new_non_ai_mw".into(), self.new_non_ai_mw),
            Column::new("threshold_mw".into(), self.threshold_mw),
        ])?;
        write_parquet(&mut frame, &folder.join(format!("{}.parquet", self.year)))
    }
}

/// The hourly sink of `run --hourly`: one Parquet file per region-year.
pub struct HourlyWriter {
    weather_years: usize,
    pending: Mutex<HashMap<(String, i32), Block>>,
    sender: Mutex<Option<SyncSender<Block>>>,
    failed: std::sync::Arc<AtomicBool>,
    /// The first write error, as words, for the workers' messages.
    first_error: std::sync::Arc<Mutex<Option<String>>>,
    threads: Vec<JoinHandle<Result<()>>>,
}

impl HourlyWriter {
    /// Start `writers` writer threads for files under `dir`, each region-year expecting
    /// `weather_years` series.
    #[must_use]
    pub fn start(dir: PathBuf, weather_years: usize, writers: usize) -> Self {
        let (sender, receiver) = sync_channel::<Block>(CHANNEL_BLOCKS);
        let receiver = std::sync::Arc::new(Mutex::new(receiver));
        let failed = std::sync::Arc::new(AtomicBool::new(false));
        let first_error = std::sync::Arc::new(Mutex::new(None::<String>));
        let threads = (0..writers.max(1))
            .map(|_| {
                let (receiver, flag, dir) = (receiver.clone(), failed.clone(), dir.clone());
                let shared_error = first_error.clone();
                std::thread::spawn(move || {
                    let mut first_error = None;
                    // Keep draining after a failure so no worker blocks on a full channel.
                    loop {
                        let next = receiver
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .recv();
                        let Ok(block) = next else { break };
                        if first_error.is_none() {
                            if let Err(e) = block.write(&dir) {
                                shared_error
                                    .lock()
                                    .unwrap_or_else(PoisonError::into_inner)
                                    .get_or_insert_with(|| format!("{e:#}"));
                                flag.store(true, Ordering::SeqCst);
                                first_error = Some(e);
                            }
                        }
                    }
                    first_error.map_or(Ok(()), Err)
                })
            })
            .collect();
        Self {
            weather_years,
            pending: Mutex::new(HashMap::new()),
            sender: Mutex::new(Some(sender)),
            failed,
            first_error,
            threads,
        }
    }

    /// Wait for every file to be written.
    ///
    /// # Errors
    /// The first write that failed, or a region-year left incomplete.
    pub fn finish(mut self) -> Result<()> {
        drop(
            self.sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        for thread in self.threads.drain(..) {
            thread
                .join()
                .map_err(|_| anyhow!("an hourly writer thread stopped unexpectedly"))??;
        }
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((region, year)) = pending.keys().next() {
            bail!("hourly series of {region} {year} are incomplete");
        }
        Ok(())
    }
}

impl HourlySink for HourlyWriter {
    fn accept(&self, series: &HourlySeries<'_>) -> Result<()> {
        if self.failed.load(Ordering::SeqCst) {
            let first = self
                .first_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
                .unwrap_or_default();
            bail!("the hourly files cannot be written: {first}");
        }
        let key = (series.region.to_owned(), series.year);
        let done = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            let block = pending.entry(key.clone()).or_insert_with(|| Block {
                scenario: series.scenario.to_owned(),
                region: series.region.to_owned(),
                year: series.year,
                ..Block::default()
            });
            block.push(series, self.weather_years);
            if block.received == self.weather_years {
                pending.remove(&key)
            } else {
                None
            }
        };
        if let Some(block) = done {
            let sender = self
                .sender
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            sender
                .ok_or_else(|| anyhow!("the hourly writer is closed"))?
                .send(block)
                .map_err(|_| anyhow!("the hourly writer thread stopped"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series<'a>(region: &'a str, year: i32, values: &'a [f64]) -> HourlySeries<'a> {
        HourlySeries {
            scenario: "s",
            region,
            year,
            weather_year: 2020,
            weather_index: 0,
            first_epoch_hour: 0,
            baseline_mw: values,
            inference_mw: values,
            new_inference_mw: values,
            new_training_mw: values,
            new_training_after_flex_mw: values,
            new_non_ai_mw: 0.0,
            threshold_mw: values,
        }
    }

    #[test]
    fn a_failed_write_is_named_in_later_errors_and_at_finish() {
        let dir = tempfile::tempdir().unwrap();
        let writer = HourlyWriter::start(dir.path().to_path_buf(), 1, 1);
        let values = [1.0, 2.0];
        // A region id that would leave the folder: refused where the path is joined.
        writer.accept(&series("..", 2030, &values)).unwrap();
        let start = std::time::Instant::now();
        while !writer.failed.load(Ordering::SeqCst) {
            assert!(start.elapsed().as_secs() < 30, "the write never failed");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let message = writer
            .accept(&series("r", 2031, &values))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("hourly files cannot be written: refusing to write under"),
            "{message}"
        );
        assert!(message.contains("`..` is not a plain"), "{message}");
        let finish = writer.finish().unwrap_err().to_string();
        assert!(finish.contains("`..` is not a plain"), "{finish}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
