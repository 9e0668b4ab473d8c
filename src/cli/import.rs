//! `gridstrain import`: read a user's hourly load (tidy CSV/Parquet, local-time CSV or an
//! EIA-930 balance file), check and optionally gap-fill it, and write a region load file
//! (Parquet) with a provenance file beside it; print a `[[region]]` table to paste into a
//! region set.
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use clap::{Args, ValueEnum};

use super::{note, print_stdout};
use crate::input::bounded::{LOAD_CSV_LIMIT, read_text_limited};
use crate::input::import::{clean_rows, provenance_text};
use crate::input::load_file::read_parquet_rows;
use crate::input::parse_time_zone;
use crate::input::series::RawRows;
use crate::input::text_rows::{EiaDemand, eia930_rows, local_rows, tidy_rows};
use crate::output::{RunDir, write_load_parquet};

/// Input forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportForm {
    /// `timestamp_utc,demand_mw` as CSV or Parquet (UTC, hour-beginning).
    Tidy,
    /// `timestamp_local,demand_mw` CSV in the time zone given by --time-zone.
    Local,
    /// An EIA-930 balance file as EIA publishes it (pick the BA with --ba).
    Eia930,
}

/// Arguments of `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The file to import.
    #[arg(value_name = "FILE")]
    pub input: PathBuf,
    /// More files of the same region (e.g. EIA's half-year files), joined in time order;
    /// hours in two files must agree and are kept once.
    #[arg(value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// The form of the input; default: recognised from the file (an EIA-930 balance file by
    /// its header, `timestamp_local` as local time, otherwise tidy).
    #[arg(long, value_enum)]
    pub format: Option<ImportForm>,
    /// Where to write the load file (.parquet); a provenance file `<name>.provenance.md`
    /// is written beside it.
    #[arg(long, value_name = "FILE.parquet")]
    pub out: PathBuf,
    /// IANA time zone of a local-time CSV (e.g. America/Chicago).
    #[arg(long, value_name = "TZ", value_parser = super::parse_time_zone_arg)]
    pub time_zone: Option<String>,
    /// Balancing authority to pick from an EIA-930 file (e.g. PJM).
    #[arg(long, value_name = "CODE")]
    pub ba: Option<String>,
    /// EIA-930 demand column.
    #[arg(long, value_enum, default_value = "adjusted")]
    pub eia_demand: EiaDemand,
    /// Fill gaps (missing hours, empty cells) by linear interpolation.
    #[arg(long)]
    pub fill_gaps: bool,
    /// Longest gap --fill-gaps may fill (hours).
    #[arg(long, default_value_t = 6, value_name = "H", value_parser = super::parse_max_gap_h)]
    pub max_gap_h: usize,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// The region-set file the printed `[[region]]` table will be pasted into: its
    /// `load_file` is written relative to that file's folder (default: the folder import
    /// runs in).
    #[arg(long, value_name = "FILE.toml")]
    pub region_set: Option<PathBuf>,
}

/// Read the input rows in the chosen form.
///
/// # Errors
/// Any problem in the input, with file and line.
pub fn read_rows(args: &ImportArgs) -> Result<(RawRows, ImportForm)> {
    let file = args.input.display().to_string();
    let is_parquet = args
        .input
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    let text = if is_parquet {
        None
    } else {
        Some(read_text_limited(&args.input, LOAD_CSV_LIMIT)?)
    };
    let form = import_form(args, text.as_deref());
    if args.time_zone.is_some() && form != ImportForm::Local {
        bail!("--time-zone is only used with --format local");
    }
    if args.ba.is_some() && form != ImportForm::Eia930 {
        bail!("--ba is only used with --format eia930");
    }
    let Some(text) = text else {
        return match form {
            ImportForm::Tidy => Ok((read_parquet_rows(&args.input)?, form)),
            _ => bail!(
                "{file}: a Parquet file is read as tidy (timestamp_utc, demand_mw); expected no --format, or --format tidy"
            ),
        };
    };
    let rows = match form {
        ImportForm::Tidy => tidy_rows(&text, &file),
        ImportForm::Local => {
            let Some(zone) = &args.time_zone else {
                bail!(
                    "{file}: local timestamps (`timestamp_local`) need --time-zone (an IANA name such as America/Chicago)"
                );
            };
            let zone = parse_time_zone(zone).map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?;
            local_rows(&text, &file, zone)
        }
        ImportForm::Eia930 => eia930_rows(&text, &file, args.ba.as_deref(), args.eia_demand),
    }?;
    Ok((rows, form))
}

/// Rows of several files of one region joined in time order: an hour two files both
/// give is kept once when they agree (reported), and refused when they differ.
///
/// # Errors
/// Two files giving one hour different values, naming both files and lines.
pub fn join_rows(parts: Vec<(String, RawRows)>) -> Result<RawRows> {
    let mut all: Vec<(i64, Option<f64>, usize, usize)> = Vec::new();
    let mut notes = Vec::new();
    let place = parts[0].1.place;
    for (index, (_, rows)) in parts.iter().enumerate() {
        notes.extend(rows.notes.iter().cloned());
        for i in 0..rows.epoch_hours.len() {
            all.push((rows.epoch_hours[i], rows.demand_mw[i], rows.lines[i], index));
        }
    }
    // Stable: within one file the rows keep their order (its own duplicates stay for the
    // series check to report with their lines).
    all.sort_by_key(|row| row.0);
    let mut joined = RawRows {
        epoch_hours: Vec::with_capacity(all.len()),
        demand_mw: Vec::with_capacity(all.len()),
        lines: Vec::with_capacity(all.len()),
        place,
        notes,
    };
    let mut overlap = 0_usize;
    let mut last: Option<(i64, Option<f64>, usize, usize)> = None;
    for row in all {
        if let Some(previous) = last.filter(|p| p.0 == row.0 && p.3 != row.3) {
            if previous.1 == row.1 {
                overlap += 1;
                continue;
            }
            bail!(
                "{} line {} and {} line {} both give hour {}: {} vs {} MW; expected files that agree where they overlap",
                parts[previous.3].0,
                previous.2,
                parts[row.3].0,
                row.2,
                crate::time::epoch_hour_to_datetime(row.0).format("%Y-%m-%dT%H:%M:%SZ"),
                previous.1.map_or("empty".to_owned(), |v| v.to_string()),
                row.1.map_or("empty".to_owned(), |v| v.to_string()),
            );
        }
        joined.epoch_hours.push(row.0);
        joined.demand_mw.push(row.1);
        joined.lines.push(row.2);
        last = Some(row);
    }
    joined.notes.push(format!(
        "joined {} files in time order; {overlap} hour(s) given by two files with the same value, kept once",
        parts.len()
    ));
    Ok(joined)
}

/// The form of the input: `--format` when given, else what its header (or the flags)
/// show: an EIA-930 balance file by its `Balancing Authority` and `UTC Time at End of
/// Hour` columns (or `--ba`), local time by `timestamp_local` (or `--time-zone`),
/// otherwise tidy.
#[must_use]
pub fn import_form(args: &ImportArgs, text: Option<&str>) -> ImportForm {
    if let Some(form) = args.format {
        return form;
    }
    let header = text
        .and_then(|t| t.lines().next())
        .map(|line| line.trim_start_matches('\u{feff}'))
        .unwrap_or("");
    if args.ba.is_some()
        || (header.contains(crate::input::text_rows::EIA_BA_COLUMN)
            && header.contains(crate::input::text_rows::EIA_TIME_COLUMN))
    {
        ImportForm::Eia930
    } else if args.time_zone.is_some() || header.contains("timestamp_local") {
        ImportForm::Local
    } else {
        ImportForm::Tidy
    }
}

/// `gridstrain import`.
///
/// # Errors
/// Bad input or an unwritable output.
pub fn handle_import(args: &ImportArgs) -> Result<()> {
    if args
        .out
        .extension()
        .is_none_or(|e| !e.eq_ignore_ascii_case("parquet"))
    {
        bail!(
            "--out {}: expected a .parquet file name",
            args.out.display()
        );
    }
    let provenance_path = args.out.with_extension("provenance.md");
    let staging = RunDir::create_files(&[args.out.clone(), provenance_path.clone()], args.force)?;
    let (rows, read_form) = read_rows(args)?;
    let (rows, label) = if args.more.is_empty() {
        (rows, args.input.display().to_string())
    } else {
        let mut parts = vec![(args.input.display().to_string(), rows)];
        for path in &args.more {
            let one = ImportArgs {
                input: path.clone(),
                more: Vec::new(),
                ..args.clone()
            };
            let (rows, form) = read_rows(&one)?;
            if form != read_form {
                bail!(
                    "{}: read as {form:?}, but {} as {read_form:?}; expected files of one form (give --format)",
                    path.display(),
                    args.input.display()
                );
            }
            parts.push((path.display().to_string(), rows));
        }
        let label = parts
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        (join_rows(parts)?, label)
    };
    let (load, report) = clean_rows(&rows, &label, args.fill_gaps, args.max_gap_h)?;
    let form = match read_form {
        ImportForm::Tidy => "tidy (timestamp_utc, demand_mw)".to_owned(),
        ImportForm::Local => format!("local time in {}", args.time_zone.as_deref().unwrap_or("")),
        ImportForm::Eia930 => format!(
            "EIA-930 balance file, BA {}, column {:?}, hour-ending shifted to hour-beginning",
            args.ba.as_deref().unwrap_or("(only one)"),
            args.eia_demand
        ),
    };
    // The provenance travels inside the Parquet file (its key-value metadata, the
    // authoritative copy); the Markdown beside it is for people and names the Parquet
    // file's SHA-256, so a pair from two different imports is recognisable.
    let provenance = provenance_text(&args.input, &form, &load, &report);
    let staged_parquet = staging.staged(&args.out);
    write_load_parquet(&load, &staged_parquet, Some(&provenance))?;
    let checksum = crate::output::sweep::file_checksum(&staged_parquet)?.sha256;
    std::fs::write(
        staging.staged(&provenance_path),
        provenance_markdown(&provenance, &args.out, &checksum),
    )?;
    staging.commit()?;
    note(&format!(
        "imported {} hours ({} filled, {} zero, {} far outliers) into {}; provenance in its metadata and in {}",
        load.demand_mw.len(),
        report.filled.len(),
        report.zero_hours.len(),
        report.outlier_hours.len(),
        args.out.display(),
        provenance_path.display()
    ));
    print_stdout(&region_block(args))
}

/// The provenance file beside an imported load file: the provenance text, then which
/// Parquet file (by SHA-256) it belongs to.
#[must_use]
pub fn provenance_markdown(provenance: &str, parquet: &std::path::Path, sha256: &str) -> String {
    let name = parquet
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!(
        "{provenance}\n---\n\nThis file is a copy for people. The authoritative provenance is in the key-value metadata (`{}`) of `{name}`, whose SHA-256 at import was\n`{sha256}`; if the Parquet file's checksum differs, this copy belongs to another import.\n",
        crate::output::PROVENANCE_KEY
    )
}

/// The `[[region]]` table printed for pasting into a region set; every value is a TOML
/// string written by the `toml` crate, so any path or name stays valid TOML. A region the
/// national catalogue knows (the `--ba` code, or the output's file name) takes its name,
/// IANA time zone, people served and baseline growth from there and stands for that
/// catalogue region; otherwise what is unknown is left out with a comment saying what it
/// is for.
#[must_use]
pub fn region_block(args: &ImportArgs) -> String {
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let stem = args
        .out
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let known = crate::input::catalogue::find_catalogue()
        .and_then(|path| crate::input::catalogue::read_catalogue(&path).ok())
        .and_then(|catalogue| {
            let wanted = args.ba.clone().unwrap_or_else(|| stem.clone());
            catalogue
                .regions
                .into_iter()
                .find(|r| r.id.eq_ignore_ascii_case(&wanted))
        });
    let load_file = load_file_line(&args.out, args.region_set.as_deref());
    if let Some(region) = known {
        return format!(
            "# What the table leaves out (data-centre load and pipeline, emission rates, price,\n# reserve margins) is the catalogue region's; a key given here replaces it.\n[[region]]\nid = {}  # the catalogue's region: this one stands for it in the national siting\nname = {}\ntime_zone = {}\npopulation = {}  # people served: the catalogue's figure\nbaseline_growth_per_year_frac = {}\n{load_file}",
            quoted(&region.id),
            quoted(&region.name),
            quoted(region.time_zone.name()),
            region.population.round(),
            region.baseline_growth_per_year_frac,
        );
    }
    // A code EIA-930 knows that the catalogue does not (a generation-only, retired or
    // foreign BA, or Seminole): its name and time zone from the shipped table.
    let listed = args.ba.as_deref().and_then(eia930_code);
    let id = listed.map_or_else(|| region_id_from(&stem), |code| code.code.to_owned());
    let id_comment = if id == stem || listed.is_some() {
        String::new()
    } else {
        "  # derived from the file name; ids are 1-64 letters, digits, '-', '_', '.'".to_owned()
    };
    let name = listed.map_or_else(|| id.clone(), |code| code.name.to_owned());
    let zone = match (args.time_zone.as_deref(), listed) {
        (Some(zone), _) => format!("time_zone = {}", quoted(zone)),
        (None, Some(code)) => format!(
            "time_zone = {}  # EIA-930 code table (regions/catalogue/eia930_codes.csv)",
            quoted(code.time_zone)
        ),
        (None, None) => "# time_zone = \"America/Chicago\"  # required: the region's IANA time zone (local hours of the profiles)".to_owned(),
    };
    let status = listed.map_or_else(String::new, |code| {
        format!(
            "# {}: {} — {}; not a region of the national catalogue\n",
            code.code, code.status, code.note
        )
    });
    format!(
        "{status}[[region]]\nid = {id}{id_comment}\nname = {name}\n{zone}\n# population = 0  # required: people served (inference siting by people)\nbaseline_growth_per_year_frac = 0.01\n{load_file}# replaces = \"PJM\"  # the catalogue region this one stands for, when it lies in one\n",
        id = quoted(&id),
        name = quoted(&name),
    )
}

/// The `load_file = …` line of the printed table: relative to the region-set file's
/// folder when `--region-set` names it, else the path as given (relative paths are then
/// right for a set saved in the folder import ran in).
fn load_file_line(out: &Path, region_set: Option<&Path>) -> String {
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let absolute = |path: &Path| std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    match region_set {
        Some(set) => {
            let folder = absolute(set)
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf);
            let relative =
                pathdiff::diff_paths(absolute(out), &folder).unwrap_or_else(|| absolute(out));
            format!(
                "load_file = {}  # relative to the folder of {}\n",
                quoted(&relative.display().to_string()),
                quoted(&set.display().to_string())
            )
        }
        None if out.is_absolute() => format!(
            "load_file = {}  # absolute: right wherever the region set is saved\n",
            quoted(&out.display().to_string())
        ),
        None => format!(
            "load_file = {}  # relative to the region-set file: right for a set saved in the folder import ran in (--region-set FILE writes it for another)\n",
            quoted(&out.display().to_string())
        ),
    }
}

/// One row of the shipped EIA-930 code table (codes the national catalogue does not hold).
#[derive(Debug, Clone, Copy)]
pub struct Eia930Code {
    /// EIA's code.
    pub code: &'static str,
    /// EIA's name.
    pub name: &'static str,
    /// IANA time zone.
    pub time_zone: &'static str,
    /// `generation only`, `retired`, `outside the US` or `reporting`.
    pub status: &'static str,
    /// What that means for a study.
    pub note: &'static str,
}

/// The shipped table `regions/catalogue/eia930_codes.csv`, compiled in (a simple CSV:
/// no field but the last holds a comma, and the last is quoted).
const EIA930_CODES: &str = include_str!("../../regions/catalogue/eia930_codes.csv");

/// The EIA-930 code's row of the shipped table, if it has one (case-insensitive).
#[must_use]
pub fn eia930_code(code: &str) -> Option<Eia930Code> {
    EIA930_CODES.lines().skip(1).find_map(|line| {
        let mut fields = line.splitn(5, ',');
        let row = Eia930Code {
            code: fields.next()?,
            name: fields.next()?,
            time_zone: fields.next()?,
            status: fields.next()?,
            note: fields.next()?.trim_matches('"'),
        };
        row.code.eq_ignore_ascii_case(code).then_some(row)
    })
}

/// A region id that passes [`crate::input::check_id`], from a file stem (see
/// [`crate::input::id_from_stem`]).
#[must_use]
pub fn region_id_from(stem: &str) -> String {
    crate::input::id_from_stem(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(out: &str, zone: Option<&str>) -> ImportArgs {
        ImportArgs {
            input: PathBuf::from("in.csv"),
            more: Vec::new(),
            format: Some(if zone.is_some() {
                ImportForm::Local
            } else {
                ImportForm::Tidy
            }),
            out: PathBuf::from(out),
            time_zone: zone.map(str::to_owned),
            ba: None,
            eia_demand: EiaDemand::Adjusted,
            fill_gaps: false,
            max_gap_h: 6,
            force: false,
            region_set: None,
        }
    }

    #[test]
    fn the_load_file_is_relative_to_the_region_set_named() {
        let line = load_file_line(
            Path::new("data/my.parquet"),
            Some(Path::new("sets/mine.toml")),
        );
        assert!(
            line.starts_with("load_file = \"../data/my.parquet\""),
            "{line}"
        );
        let line = load_file_line(Path::new("my.parquet"), Some(Path::new("mine.toml")));
        assert!(line.starts_with("load_file = \"my.parquet\""), "{line}");
        let line = load_file_line(Path::new("my.parquet"), None);
        assert!(line.contains("--region-set"), "{line}");
        let line = load_file_line(Path::new("/abs/my.parquet"), None);
        assert!(line.contains("absolute"), "{line}");
    }

    #[test]
    fn eia930_codes_outside_the_catalogue_have_a_time_zone() {
        let spc = eia930_code("spc").unwrap();
        assert_eq!((spc.code, spc.time_zone), ("SPC", "America/Regina"));
        assert_eq!(spc.status, "outside the US");
        for line in EIA930_CODES.lines().skip(1) {
            let code = line.split(',').next().unwrap();
            let row = eia930_code(code).unwrap();
            assert!(row.time_zone.parse::<chrono_tz::Tz>().is_ok(), "{line}");
            assert!(!row.note.is_empty() && !row.note.contains('"'), "{line}");
        }
        assert!(
            eia930_code("PJM").is_none(),
            "the catalogue's codes are not repeated"
        );
        let mut with_code = args("out/sec.parquet", None);
        with_code.ba = Some("SEC".to_owned());
        let block = region_block(&with_code);
        let parsed: toml::Table = toml::from_str(&block).unwrap();
        let region = parsed["region"].as_array().unwrap()[0].as_table().unwrap();
        assert_eq!(region["time_zone"].as_str(), Some("America/New_York"));
        assert_eq!(region["id"].as_str(), Some("SEC"));
        assert!(
            block.contains("not a region of the national catalogue"),
            "{block}"
        );
    }

    #[test]
    fn the_printed_region_id_always_passes_the_id_rule() {
        for (stem, expected) in [
            ("pjm", "pjm"),
            ("=x", "x"),
            ("..", "region"),
            ("", "region"),
            ("@+-=.a b", "a_b"),
            ("é", "region"),
            ("us-22.v2", "us-22.v2"),
        ] {
            let id = region_id_from(stem);
            assert_eq!(id, expected, "{stem:?}");
            crate::input::check_id(&id).unwrap();
        }
        assert_eq!(
            region_id_from(&"a".repeat(100)).len(),
            crate::input::MAX_ID_CHARS
        );
        let text = region_block(&args("out/=x.parquet", None));
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        let region = parsed["region"].as_array().unwrap()[0].as_table().unwrap();
        assert_eq!(region["id"].as_str(), Some("x"));
        assert!(text.contains("# derived from the file name"), "{text}");
        assert!(!region_block(&args("out/pjm.parquet", None)).contains("derived"));
        // A region the catalogue knows: its name, zone and people, no placeholders.
        let pjm = region_block(&args("out/pjm.parquet", None));
        let parsed: toml::Table = toml::from_str(&pjm).unwrap();
        let region = parsed["region"].as_array().unwrap()[0].as_table().unwrap();
        assert_eq!(
            region["time_zone"].as_str(),
            Some("America/New_York"),
            "{pjm}"
        );
        assert_eq!(
            region["name"].as_str(),
            Some("PJM Interconnection"),
            "{pjm}"
        );
        assert!(
            region["population"].as_integer().unwrap() > 60_000_000,
            "{pjm}"
        );
        // One it does not: time zone and people left out, with what they are for.
        let unknown = region_block(&args("out/my-load.parquet", None));
        assert!(
            unknown.contains("# time_zone =") && unknown.contains("# population ="),
            "{unknown}"
        );
    }

    #[test]
    fn the_region_block_is_toml_whatever_the_path_holds() {
        for out in [
            "plain/pjm.parquet",
            "we\"ird\nload_file = \"/etc/passwd\"\n/x.parquet",
            "back\\slash/'single'/tab\there.parquet",
        ] {
            for zone in [None, Some("America/Chicago")] {
                let text = region_block(&args(out, zone));
                let parsed: toml::Table = toml::from_str(&text)
                    .unwrap_or_else(|e| panic!("{out:?}: not TOML: {e}\n{text}"));
                let regions = parsed["region"].as_array().unwrap();
                assert_eq!(regions.len(), 1, "{text}");
                let region = regions[0].as_table().unwrap();
                assert_eq!(region["load_file"].as_str(), Some(out), "{text}");
                // Only the block's own keys (a catalogue region gives all six; an unknown
                // one leaves time zone and people out, commented).
                for key in region.keys() {
                    assert!(
                        [
                            "id",
                            "name",
                            "time_zone",
                            "population",
                            "baseline_growth_per_year_frac",
                            "load_file"
                        ]
                        .contains(&key.as_str()),
                        "injected key {key}: {text}"
                    );
                }
            }
        }
    }
}
