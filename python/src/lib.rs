//! `gridstrain._native`: the Rust side of the Python package (PyO3).
//!
//! * [`main`]: the `gridstrain` command (`cli::main_from`) with the interpreter's
//!   arguments, the GIL released; the Python wrapper exits with its code.
//! * [`run`], [`sweep`], [`headroom`]: the library calls behind the notebook API; each
//!   returns an object whose tables cross to Python through the **Arrow C stream
//!   interface** ([`ArrowTable::__arrow_c_stream__`], a PyCapsule): polars and pyarrow
//!   take the Rust buffers without a copy through files or bytes.
//! * Every error is a `GridstrainError` (a `ValueError`) carrying the message the command
//!   prints after `error: `.
//!
//! Untrusted Parquet (load files) is decoded in a child process, as the command does; the
//! Python side names the child with [`set_reader`] (`python -m gridstrain`), since here the
//! running executable is the Python interpreter, not gridstrain.
use std::ffi::OsString;
use std::path::PathBuf;

use gridstrain::api::{StudyRun, SweepRun, run_study, sweep_study};
use gridstrain::cli::headroom::{HeadroomArgs, headroom_request};
use gridstrain::cli::{CommonArgs, YearArgs, resolve_input, resolve_regions};
use gridstrain::input::study::{LoadedStudy, StudyFiles, check_uncertainty, load_study};
use gridstrain::output::table_frame;
use gridstrain::results::{BandRow, HeadroomRow, RangeRow, key_ranges};
use gridstrain::simulation::headroom::analyse_headroom;
use gridstrain::simulation::sweep::{Engine, SweepSpec};
use polars::prelude::{CompatLevel, DataFrame, SchemaExt as _};
use polars_arrow::array::{Array, StructArray};
use polars_arrow::datatypes::{ArrowDataType, Field};
use polars_arrow::ffi::export_iterator;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyCapsule, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

// Of the module `gridstrain` (which exports it), so an error pickles across processes
// (multiprocessing, joblib) and reads `gridstrain.GridstrainError` in a traceback.
create_exception!(
    gridstrain,
    GridstrainError,
    PyValueError,
    "Bad input or a failed run: the message the command prints after `error: `."
);

/// An error as the command prints it (its chain of causes), as a `GridstrainError`.
fn to_py(error: &anyhow::Error) -> PyErr {
    GridstrainError::new_err(format!("{error:#}"))
}

/// Write a folder with the GIL released: its path as text, or the error as Python's.
fn write_folder(
    py: Python<'_>,
    write: impl FnOnce() -> anyhow::Result<PathBuf> + Send,
) -> PyResult<String> {
    py.detach(write)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| to_py(&e))
}

/// A frame handed to Python through the Arrow C stream interface.
#[pyclass(frozen, module = "gridstrain._native")]
pub struct ArrowTable {
    /// The table.
    frame: DataFrame,
}

impl ArrowTable {
    /// A table of result rows.
    fn of<T: gridstrain::results::TableRow>(rows: &[T]) -> PyResult<Self> {
        let mut frame = table_frame(rows).map_err(|e| to_py(&e))?;
        frame.rechunk_mut();
        Ok(Self { frame })
    }
}

#[pymethods]
impl ArrowTable {
    /// The table as an Arrow C stream (the PyCapsule interface): `polars.DataFrame(t)`,
    /// `pyarrow.table(t)`. The buffers are shared, not copied. `requested_schema` is
    /// ignored (the table's own schema is given).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches: Vec<_> = self
            .frame
            .iter_chunks(CompatLevel::newest(), false)
            .collect();
        let schema = self.frame.schema().to_arrow(CompatLevel::newest());
        let fields: Vec<Field> = schema.iter_values().cloned().collect();
        let dtype = ArrowDataType::Struct(fields);
        let struct_type = dtype.clone();
        let arrays = batches.into_iter().map(move |batch| {
            let length = batch.height();
            let array: Box<dyn Array> = Box::new(StructArray::try_new(
                struct_type.clone(),
                length,
                batch.into_arrays(),
                None,
            )?);
            Ok(array)
        });
        let stream = export_iterator(Box::new(arrays), Field::new("".into(), dtype, false));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// Rows × columns.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        self.frame.shape()
    }
}

/// Name the command untrusted Parquet is read in (`[sys.executable, "-m", "gridstrain"]`);
/// set once per process, a later call is ignored.
#[pyfunction]
fn set_reader(program: PathBuf, leading_args: Vec<OsString>) {
    gridstrain::input::parquet_read::use_reader_command(program, leading_args);
}

/// The `gridstrain` command with `argv` (the first is the program's name): its exit code.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    let code = py.detach(|| gridstrain::cli::main_from(argv));
    (0..=u8::MAX)
        .find(|n| std::process::ExitCode::from(*n) == code)
        .unwrap_or(1)
}

/// Resolve a shipped name or a path as the command does: `kind` is `"scenario"` or
/// `"regions"` (a set name or path; catalogue ids are resolved by [`run`]).
#[pyfunction]
fn resolve(kind: &str, value: &str) -> PyResult<String> {
    let path = match kind {
        "scenario" => resolve_input(value, "scenarios", "scenario"),
        "regions" => resolve_input(value, "regions", "region set"),
        other => return Err(PyValueError::new_err(format!("unknown kind {other}"))),
    }
    .map_err(|e| to_py(&e))?;
    Ok(path.to_string_lossy().into_owned())
}

/// A Python value as a TOML value (dicts, lists, str, int, float, bool).
fn toml_value(value: &Bound<'_, PyAny>, key: &str) -> PyResult<toml::Value> {
    if value.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(value.extract()?));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(toml::Value::Integer(value.extract().map_err(|_| {
            GridstrainError::new_err(format!(
                "scenario dict: {key}: found {value}, expected a whole number that fits 64 bits"
            ))
        })?));
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(toml::Value::Float(value.extract()?));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(value.extract()?));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        return toml_table(dict, key).map(toml::Value::Table);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            items.push(toml_value(&item?, &format!("{key}[{i}]"))?);
        }
        return Ok(toml::Value::Array(items));
    }
    Err(GridstrainError::new_err(format!(
        "scenario dict: {key}: found a {}, expected a dict, list, str, int, float or bool",
        value.get_type().name()?
    )))
}

/// A Python dict as a TOML table.
fn toml_table(dict: &Bound<'_, PyDict>, prefix: &str) -> PyResult<toml::Table> {
    let mut table = toml::Table::new();
    for (k, v) in dict.iter() {
        let k: String = k.extract().map_err(|_| {
            let at = if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}: ")
            };
            GridstrainError::new_err(format!(
                "scenario dict: {at}found a key {k}, expected text keys"
            ))
        })?;
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if v.is_none() {
            continue;
        }
        table.insert(k, toml_value(&v, &path)?);
    }
    Ok(table)
}

/// A scenario given as a Python dict, as TOML text (keys set to None are left out).
#[pyfunction]
fn toml_text(value: &Bound<'_, PyDict>) -> PyResult<String> {
    let table = toml_table(value, "")?;
    toml::to_string(&table).map_err(|e| GridstrainError::new_err(format!("scenario dict: {e}")))
}

/// The study files a scenario path, a region set (name, ids or path) and years name.
fn study_files(
    scenario: &str,
    regions: &str,
    years: Option<(i32, i32)>,
    weather_years: Option<(i32, i32)>,
) -> anyhow::Result<StudyFiles> {
    let (regions, catalogue_ids) = resolve_regions(regions)?;
    Ok(StudyFiles {
        scenario: PathBuf::from(scenario),
        regions,
        catalogue_ids,
        years,
        weather_years: YearArgs {
            years,
            weather_years,
        }
        .weather_year_list(),
    })
}

/// A study run in memory, with the study it ran.
#[pyclass(frozen, module = "gridstrain._native")]
pub struct Run {
    /// The study as loaded.
    loaded: LoadedStudy,
    /// Its run.
    run: StudyRun,
}

/// The names of a run's tables, in order.
const RUN_TABLES: [&str; 9] = [
    "metrics",
    "regionset_metrics",
    "summary",
    "siting",
    "power_by_year",
    "reality_check",
    "bands",
    "ranges",
    "report_data",
];

#[pymethods]
impl Run {
    /// The names of the tables [`Run::table`] gives.
    #[staticmethod]
    fn table_names() -> Vec<&'static str> {
        RUN_TABLES.to_vec()
    }

    /// One table of the run, by its file's name (without extension).
    fn table(&self, name: &str) -> PyResult<ArrowTable> {
        let result = &self.run.result;
        let study = &self.loaded.study;
        match name {
            "metrics" => ArrowTable::of(&result.metrics),
            "regionset_metrics" => ArrowTable::of(&result.set_metrics),
            "summary" => ArrowTable::of(&result.summary()),
            "siting" => ArrowTable::of(&result.siting),
            "power_by_year" => ArrowTable::of(&result.power),
            "reality_check" => ArrowTable::of(&result.reality_check),
            "bands" => ArrowTable::of::<BandRow>(&self.run.bands),
            "ranges" => ArrowTable::of::<RangeRow>(&key_ranges(
                (&study.scenario.name, &study.regions.id),
                &study.target_years().collect::<Vec<_>>(),
                &result.set_metrics,
                &self.run.bands,
            )),
            "report_data" => ArrowTable::of(&self.run.report_rows),
            other => Err(PyValueError::new_err(format!(
                "no table `{other}`; expected one of {}",
                RUN_TABLES.join(", ")
            ))),
        }
    }

    /// What the user should know about the run (the notes the command prints).
    fn notes(&self) -> Vec<String> {
        let mut notes = self.run.result.notes.clone();
        notes.extend(self.run.range_note.clone());
        notes
    }

    /// The study: scenario name, region set id, years, weather years, region ids.
    fn study<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let study = &self.loaded.study;
        let out = PyDict::new(py);
        out.set_item("scenario", &study.scenario.name)?;
        out.set_item("regions", &study.regions.id)?;
        out.set_item("years", study.years)?;
        out.set_item("weather_years", study.weather_years.clone())?;
        out.set_item(
            "region_ids",
            study
                .regions
                .regions
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>(),
        )?;
        Ok(out)
    }

    /// Write the run folder `out` as `gridstrain run --out` does (every table, run.toml
    /// recording `command`, the report); an existing folder only with `force`. Returns the
    /// folder.
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        force: bool,
        command: String,
    ) -> PyResult<String> {
        write_folder(py, || self.run.write(&self.loaded, &out, force, command))
    }
}

/// Run a study (scenario file path, region set name/ids/path, years) in memory, the GIL
/// released.
#[pyfunction]
#[pyo3(signature = (scenario, regions, years=None, weather_years=None))]
fn run(
    py: Python<'_>,
    scenario: String,
    regions: String,
    years: Option<(i32, i32)>,
    weather_years: Option<(i32, i32)>,
) -> PyResult<Run> {
    py.detach(|| -> anyhow::Result<Run> {
        let loaded = load_study(&study_files(&scenario, &regions, years, weather_years)?)?;
        let run = run_study(&loaded, None, &|| {})?;
        Ok(Run { loaded, run })
    })
    .map_err(|e| to_py(&e))
}

/// A sweep in memory: its bands and drivers, and what `write` needs to write its folder.
#[pyclass(frozen, module = "gridstrain._native")]
pub struct Sweep {
    /// The study as loaded.
    loaded: LoadedStudy,
    /// What was swept.
    spec: SweepSpec,
    /// Its result and notes.
    run: SweepRun,
}

#[pymethods]
impl Sweep {
    /// One table: `bands` or `drivers`.
    fn table(&self, name: &str) -> PyResult<ArrowTable> {
        match name {
            "bands" => ArrowTable::of(&self.run.result.bands),
            "drivers" => ArrowTable::of(&self.run.result.drivers),
            other => Err(PyValueError::new_err(format!(
                "no table `{other}`; expected bands or drivers"
            ))),
        }
    }

    /// The sweep's notes.
    fn notes(&self) -> Vec<String> {
        self.run.notes.clone()
    }

    /// Write the folder `gridstrain sweep --out` writes (bands, drivers, ranges, samples,
    /// run.toml recording `command`, the report) from this sweep; an existing folder only
    /// with `force`. Returns the folder.
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        force: bool,
        command: String,
    ) -> PyResult<String> {
        write_folder(py, || {
            self.run
                .write(&self.loaded, &self.spec, &out, force, command)
        })
    }
}

/// A Monte Carlo sweep over the scenario's `[uncertainty]` tables and the weather years,
/// in memory, the GIL released.
#[pyfunction]
#[pyo3(signature = (scenario, regions, years=None, weather_years=None, samples=1000, seed=None, all_weather_years=false))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    scenario: String,
    regions: String,
    years: Option<(i32, i32)>,
    weather_years: Option<(i32, i32)>,
    samples: usize,
    seed: Option<u64>,
    all_weather_years: bool,
) -> PyResult<Sweep> {
    if !(1..=gridstrain::output::sweep::MAX_SWEEP_SAMPLES).contains(&samples) {
        return Err(GridstrainError::new_err(format!(
            "samples: found {samples}, expected 1 to {}",
            gridstrain::output::sweep::MAX_SWEEP_SAMPLES
        )));
    }
    if let Some(seed) = seed {
        gridstrain::cli::parse_seed(&seed.to_string())
            .map_err(|e| GridstrainError::new_err(format!("seed: {e}")))?;
    }
    py.detach(|| -> anyhow::Result<Sweep> {
        let mut loaded = load_study(&study_files(&scenario, &regions, years, weather_years)?)?;
        check_uncertainty(&loaded)?;
        if let Some(seed) = seed {
            loaded.study.scenario.seed = seed;
        }
        let study = &loaded.study;
        let spec = SweepSpec {
            engine: Engine::Pruned,
            samples,
            seed: study.scenario.seed,
            all_weather_years,
            shard: None,
        };
        let run = sweep_study(&loaded, &spec, &|| {})?;
        Ok(Sweep { loaded, spec, run })
    })
    .map_err(|e| to_py(&e))
}

/// A headroom analysis: its table.
#[pyclass(frozen, module = "gridstrain._native")]
pub struct Headroom {
    /// One row per region and limit.
    rows: Vec<HeadroomRow>,
}

#[pymethods]
impl Headroom {
    /// The table (`headroom`).
    fn table(&self) -> PyResult<ArrowTable> {
        ArrowTable::of(&self.rows)
    }

    /// Write headroom.csv and headroom.parquet into the folder `out`, as `gridstrain
    /// headroom --out` does. Returns the folder.
    fn write(&self, py: Python<'_>, out: PathBuf, force: bool) -> PyResult<String> {
        write_folder(py, || {
            let dir = gridstrain::output::RunDir::create(&out, force)?;
            gridstrain::output::write_table_both(&self.rows, dir.path(), "headroom")?;
            dir.commit()
        })
    }
}

/// Curtailment-enabled headroom of a region set's regions (or of one load file), the GIL
/// released.
#[pyfunction]
#[pyo3(signature = (regions, load=None, limits_pct=vec![0.25, 0.5, 1.0, 5.0], profile=None, time_zone="UTC".to_owned(), weather_years=None))]
fn headroom(
    py: Python<'_>,
    regions: String,
    load: Option<PathBuf>,
    limits_pct: Vec<f64>,
    profile: Option<PathBuf>,
    time_zone: String,
    weather_years: Option<(i32, i32)>,
) -> PyResult<Headroom> {
    gridstrain::cli::parse_time_zone_arg(&time_zone)
        .map_err(|e| GridstrainError::new_err(format!("time_zone: {e}")))?;
    let args = HeadroomArgs {
        regions,
        load,
        limits: limits_pct,
        profile,
        time_zone,
        weather_years,
        out: None,
        force: false,
        common: CommonArgs {
            threads: None,
            quiet: true,
        },
    };
    py.detach(|| -> anyhow::Result<Headroom> {
        let rows = analyse_headroom(&headroom_request(&args)?)?;
        Ok(Headroom { rows })
    })
    .map_err(|e| to_py(&e))
}

/// The module `gridstrain._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("GridstrainError", m.py().get_type::<GridstrainError>())?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<ArrowTable>()?;
    m.add_class::<Run>()?;
    m.add_class::<Sweep>()?;
    m.add_class::<Headroom>()?;
    m.add_function(wrap_pyfunction!(set_reader, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(resolve, m)?)?;
    m.add_function(wrap_pyfunction!(toml_text, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(headroom, m)?)?;
    Ok(())
}
