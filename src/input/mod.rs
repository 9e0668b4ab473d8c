//! The input layer: every file the program reads goes through here and comes out as a
//! validated domain type, or as one clear error that names the file, the line or key, what
//! was found and what is allowed.
//!
//! * [`bounded`] opens every file the program reads: regular files only, each kind with a
//!   stated largest size, never read past it; [`excerpt`] shortens input text quoted in
//!   messages;
//! * [`read_toml`] parses a TOML file into raw structs (which all reject unknown keys) and
//!   turns the parser's error into a message with the file, line and key;
//! * the `de_*` functions are serde validators (finite, non-negative, fractions, time
//!   zones), so range errors carry the line of the offending value too;
//! * [`region_set`], [`scenario`] and [`profile`] read the three kinds of TOML file;
//! * [`parquet_read`] decodes every Parquet file from outside in a child process (a
//!   corrupt file cannot abort the program); [`load_file`] reads a region's hourly load
//!   (Parquet or tidy CSV), [`text_rows`] the text forms `import` takes, and
//!   [`series`] holds the one validator of an hourly series that both use; [`import`]
//!   fills gaps on request and reports what it did;
//! * [`study`] reads everything a run needs into a [`Study`](crate::model::study::Study): validated inputs with
//!   their hourly series in memory, ready for [`crate::simulation`].
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

pub mod bounded;
pub mod catalogue;
pub mod forecasts;
pub mod import;
pub mod load_centres;
pub mod load_file;
pub mod parquet_read;
pub mod profile;
pub mod ranges;
pub mod region_set;
pub mod scenario;
pub mod series;
pub mod study;
pub mod text_rows;

/// Read a whole TOML or forecast file (a regular file of at most
/// [`bounded::TEXT_LIMIT`]), with the file named in the error. A UTF-8 byte-order mark is
/// dropped and `\r\n` line endings become `\n`. Load CSV files have their own limit
/// ([`bounded::LOAD_CSV_LIMIT`], read with [`bounded::read_text_limited`]).
///
/// # Errors
/// When the file is not a regular file, is too large, cannot be read or is not UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    bounded::read_text_limited(path, bounded::TEXT_LIMIT)
}

/// The most characters of input text a message quotes ([`excerpt`]).
pub const EXCERPT_CHARS: usize = 200;

/// Input text as a message quotes it: control characters (a newline inside a quoted
/// cell) escaped, and at most [`EXCERPT_CHARS`] characters, then `… (N more characters)`.
#[must_use]
pub fn excerpt(text: &str) -> String {
    shorten(text, EXCERPT_CHARS)
}

/// [`excerpt`] with another length (a command-line value, an id in a message).
#[must_use]
pub fn shorten(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(max_chars) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    let more = chars.count();
    if more > 0 {
        let _ = write!(out, "… ({more} more characters)");
    }
    out
}

/// Parse TOML `text` (from `path`) into `T`, with errors that name the file, line and key.
///
/// # Errors
/// A message `FILE, line N (key `K`): WHAT` for syntax errors, unknown keys, wrong types
/// and values out of range.
pub fn parse_toml<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    toml::from_str(text).map_err(|e| anyhow::anyhow!(format_toml_error(&e, text, path)))
}

/// Read and parse a TOML file into `T`.
///
/// # Errors
/// As [`read_text`] and [`parse_toml`].
pub fn read_toml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = read_text(path)?;
    if text.trim().is_empty() {
        bail!("{}: the file is empty", path.display());
    }
    parse_toml(&text, path)
}

/// Turn a TOML error into one line: file, line, key, message.
fn format_toml_error(error: &toml::de::Error, text: &str, path: &Path) -> String {
    // The parser's message may quote a value of the file: shortened, but long enough for
    // a list of the keys allowed.
    let message = shorten(
        &plain_type_names(&error.message().trim().replace('\n', " ")),
        4 * EXCERPT_CHARS,
    );
    let Some(span) = error.span() else {
        return format!("{}: {message}", path.display());
    };
    let start = span.start.min(text.len());
    let line_number = text[..start].matches('\n').count() + 1;
    let line_text = text.lines().nth(line_number - 1).unwrap_or("").trim();
    // A value on a continuation line of a multi-line array belongs to the key above it.
    let key = key_of_line(line_text).or_else(|| {
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        text[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .find(|l| key_of_line(l).is_some())
            .filter(|l| {
                !l.starts_with('[')
                    && l.split_once('=')
                        .is_some_and(|(_, value)| value.trim_start().starts_with('['))
            })
            .and_then(key_of_line)
    });
    let mut out = format!("{}, line {line_number}", path.display());
    if let Some(key) = key {
        let _ = write!(out, " (key `{}`)", excerpt(&key));
    }
    let _ = write!(out, ": {message}");
    if !line_text.is_empty() {
        let _ = write!(out, "\n  {line_number} | {}", excerpt(line_text));
    }
    out
}

/// Replace Rust type names in serde's messages ("expected f64") with words.
fn plain_type_names(message: &str) -> String {
    [
        ("expected f64", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected u8", "expected a whole number from 0 to 255"),
    ]
    .iter()
    .fold(message.to_owned(), |m, (from, to)| m.replace(from, to))
}

/// The key a TOML line assigns (`key = value`), or the table it opens (`[a.b]`).
fn key_of_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('[') {
        return Some(
            line.trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned(),
        );
    }
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_start_matches('{').trim();
    (!key.is_empty()).then(|| key.to_owned())
}

/// Names a key of a TOML file in messages about rules checked after parsing: the file,
/// the line when the text is at hand, and the key. Lines come from the TOML parser's own
/// spans (`toml::de::DeTable`), so every spelling of a key is found: quoted and dotted
/// keys, `[ a . "b" ]` headers, inline tables.
#[derive(Debug, Clone)]
pub struct KeyLocator<'a> {
    path: &'a Path,
    text: Option<&'a str>,
    /// The document with the span of every key (`None` without text, or when it does
    /// not parse: the parser's own error names the line then).
    document: Option<toml::de::DeTable<'a>>,
}

impl<'a> KeyLocator<'a> {
    /// A locator for `path`, whose text may be known.
    #[must_use]
    pub fn new(path: &'a Path, text: Option<&'a str>) -> Self {
        let document = text
            .and_then(|t| toml::de::DeTable::parse(t).ok())
            .map(toml::Spanned::into_inner);
        Self {
            path,
            text,
            document,
        }
    }

    /// `FILE, line N (key `table.key`)` for a key of table `table` (`""` = top level;
    /// segments as written in a header, e.g. `uncertainty."facility.pue"`).
    #[must_use]
    pub fn key(&self, table: &str, key: &str) -> String {
        let name = excerpt(&if table.is_empty() {
            key.to_owned()
        } else {
            format!("{table}.{key}")
        });
        self.describe(self.line_of(table, None, key), &format!("key `{name}`"))
    }

    /// `FILE, line N (region 3 `ID`, key `key`)` for a key of the `nth` (0-based) table of
    /// the array of tables `array`.
    #[must_use]
    pub fn array_key(&self, array: &str, nth: usize, label: &str, key: &str) -> String {
        let what = format!(
            "{array} {} `{}`, key `{}`",
            nth + 1,
            excerpt(label),
            excerpt(key)
        );
        self.describe(self.line_of(array, Some(nth), key), &what)
    }

    fn describe(&self, line: Option<usize>, what: &str) -> String {
        match line {
            Some(line) => format!("{}, line {line} ({what})", self.path.display()),
            None => format!("{} ({what})", self.path.display()),
        }
    }

    /// 1-based line of `key` inside table `table` (the `nth` of an array of tables).
    fn line_of(&self, table: &str, nth: Option<usize>, key: &str) -> Option<usize> {
        let (text, document) = (self.text?, self.document.as_ref()?);
        let mut current = document;
        let segments = key_segments(table);
        for (i, segment) in segments.iter().enumerate() {
            let (_, value) = current.iter().find(|(k, _)| k.get_ref() == segment)?;
            current = match (value.get_ref(), nth) {
                (toml::de::DeValue::Table(t), _) => t,
                (toml::de::DeValue::Array(array), Some(n)) if i + 1 == segments.len() => {
                    match array.get(n)?.get_ref() {
                        toml::de::DeValue::Table(t) => t,
                        _ => return None,
                    }
                }
                _ => return None,
            };
        }
        let (found, _) = current.iter().find(|(k, _)| k.get_ref() == key)?;
        let start = found.span().start;
        Some(text.get(..start)?.matches('\n').count() + 1)
    }
}

/// The keys of a dotted table name as written in a header: `uncertainty."facility.pue"` →
/// `uncertainty`, `facility.pue` (quotes, single or double, keep their dots; spaces around
/// the dots are dropped).
fn key_segments(table: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in table.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, '.') => segments.push(std::mem::take(&mut current).trim().to_owned()),
            (None, c) => current.push(c),
        }
    }
    if !table.is_empty() {
        segments.push(current.trim().to_owned());
    }
    segments
}

/// Resolve `relative` against the directory of `base_file` (absolute paths stay as they are).
#[must_use]
pub fn resolve_beside(base_file: &Path, relative: &Path) -> PathBuf {
    if relative.is_absolute() {
        relative.to_path_buf()
    } else {
        base_file
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join(relative)
    }
}

/// Folders searched for shipped inputs named without a path: `$GRIDSTRAIN_HOME`, the
/// current folder, then the source tree the binary was built from.
#[must_use]
pub fn shipped_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(home) = std::env::var_os("GRIDSTRAIN_HOME") {
        roots.push(PathBuf::from(home));
    }
    roots.push(PathBuf::from("."));
    roots.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    roots
}

/// Format a list, capped at 10 items and then "and N more".
#[must_use]
pub fn format_capped<T: std::fmt::Display>(items: &[T]) -> String {
    const CAP: usize = 10;
    let mut out = items
        .iter()
        .take(CAP)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > CAP {
        let _ = write!(out, " and {} more", items.len() - CAP);
    }
    out
}

fn finite<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(serde::de::Error::custom(format!(
            "found {value}, expected a finite number"
        )))
    }
}

/// A finite number ≥ 0.
///
/// # Errors
/// When the value is negative, NaN or infinite.
pub fn de_non_negative<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = finite(deserializer)?;
    if value < 0.0 {
        return Err(serde::de::Error::custom(format!(
            "found {value}, expected a number ≥ 0"
        )));
    }
    Ok(value)
}

/// A finite number > 0.
///
/// # Errors
/// When the value is not positive, NaN or infinite.
pub fn de_positive<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    let value = finite(deserializer)?;
    if value <= 0.0 {
        return Err(serde::de::Error::custom(format!(
            "found {value}, expected a number > 0"
        )));
    }
    Ok(value)
}

/// An optional finite number > 0.
///
/// # Errors
/// When present and not positive, NaN or infinite.
pub fn de_opt_positive<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    de_positive(deserializer).map(Some)
}

/// An optional finite number ≥ 0.
///
/// # Errors
/// When present and negative, NaN or infinite.
pub fn de_opt_non_negative<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    de_non_negative(deserializer).map(Some)
}

/// A fraction in [0, 1] ([`ranges::Fraction`]).
///
/// # Errors
/// When the value is outside [0, 1], NaN or infinite.
pub fn de_fraction<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    ranges::de_in::<ranges::Fraction, D>(deserializer)
}

/// A growth rate per year as a fraction, from −0.5 to 0.5 ([`ranges::ChangePerYear`];
/// e.g. 0.01 for +1 %/yr).
///
/// # Errors
/// When the value is outside the range, NaN or infinite.
pub fn de_growth_rate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    ranges::de_in::<ranges::ChangePerYear, D>(deserializer)
}

/// A calendar year from 2000 to 2100 ([`ranges::Year`]).
///
/// # Errors
/// When the year is outside 2000–2100.
pub fn de_year<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
    let value = i64::deserialize(deserializer)?;
    // Years are small: the cast to f64 is exact for every value the range allows.
    #[allow(clippy::cast_precision_loss)]
    <ranges::Year as ranges::Domain>::RANGE
        .check(value as f64)
        .map_err(serde::de::Error::custom)?;
    Ok(i32::try_from(value).expect("checked range"))
}

/// An IANA time zone name such as `America/New_York`.
///
/// # Errors
/// When the name is not in the IANA database.
pub fn de_time_zone<'de, D: Deserializer<'de>>(deserializer: D) -> Result<chrono_tz::Tz, D::Error> {
    let name = String::deserialize(deserializer)?;
    parse_time_zone(&name).map_err(serde::de::Error::custom)
}

/// Parse an IANA time zone name.
///
/// # Errors
/// A message naming what was found and what is allowed.
pub fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        format!(
            "unknown time zone '{name}', expected an IANA time zone name such as 'America/New_York' or 'UTC'"
        )
    })
}

/// The longest identifier accepted, in characters. Identifiers become folder and file
/// names (`hourly/<scenario>/<region>/`, unit folders, shard partitions) and cells of
/// every table; 64 is far more than any name needs and keeps paths short.
pub const MAX_ID_CHARS: usize = 64;

/// An identifier: see [`check_id`].
///
/// # Errors
/// When the identifier breaks a rule of [`check_id`].
pub fn de_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let id = String::deserialize(deserializer)?;
    check_id(&id).map_err(serde::de::Error::custom)?;
    Ok(id)
}

/// What an identifier may be, as said in messages.
const ID_RULE: &str =
    "a name of 1 to 64 letters, digits, '-', '_' or '.', starting with a letter, digit or '_'";

/// Check an identifier: 1 to [`MAX_ID_CHARS`] ASCII letters, digits, `-`, `_` and `.`,
/// not starting with `.` (a hidden file, and `.`/`..` would leave the output folder when
/// the identifier becomes a path) nor with `-` (or `=`, `+`, `@`: a spreadsheet reads a
/// cell starting so as a formula).
///
/// # Errors
/// A message naming what was found and what is allowed.
pub fn check_id(id: &str) -> Result<(), String> {
    let shown = shorten(id, 80);
    let problem = if id.is_empty() {
        Some("it is empty".to_owned())
    } else if id.chars().count() > MAX_ID_CHARS {
        Some(format!("it has {} characters", id.chars().count()))
    } else if id == "." || id == ".." {
        Some("it would name the folder itself or its parent".to_owned())
    } else if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        Some(format!("it holds {c:?}"))
    } else if id.starts_with('.') {
        Some("it starts with '.' (a hidden file)".to_owned())
    } else if id.starts_with(['-', '=', '+', '@']) {
        Some("it starts with a character spreadsheets read as a formula".to_owned())
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(why) => Err(format!(
            "found identifier '{shown}' ({why}), expected {ID_RULE}"
        )),
    }
}

/// A region id that passes [`check_id`], from a file stem: characters
/// outside letters, digits, `-`, `_`, `.` become `_`, leading `.`, `-`, `=`, `+`, `@` and
/// `_` are dropped, the rest is cut to the longest id allowed; `region` if nothing is left.
#[must_use]
pub fn id_from_stem(stem: &str) -> String {
    let replaced: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let id: String = replaced
        .trim_start_matches(['.', '-', '=', '+', '@', '_'])
        .chars()
        .take(MAX_ID_CHARS)
        .collect();
    if check_id(&id).is_ok() {
        id
    } else {
        "region".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        #[serde(deserialize_with = "de_fraction")]
        share_frac: f64,
        #[serde(default, deserialize_with = "de_opt_positive")]
        cap_mw: Option<f64>,
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let text = "share_frac = 0.5\nshare_fract = 0.2\n";
        let err = parse_toml::<Sample>(text, Path::new("x.toml")).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("x.toml, line 2 (key `share_fract`)"),
            "{message}"
        );
        assert!(message.contains("unknown field `share_fract`"), "{message}");
    }

    #[test]
    fn out_of_range_value_names_the_line() {
        let text = "share_frac = 1.5\n";
        let message = parse_toml::<Sample>(text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("line 1 (key `share_frac`)"), "{message}");
        assert!(
            message.contains("found 1.5, expected a number from 0 to 1 (fraction)"),
            "{message}"
        );
    }

    #[test]
    fn negative_option_is_refused() {
        let text = "share_frac = 0.5\ncap_mw = -3.0\n";
        let message = parse_toml::<Sample>(text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(message.contains("line 2 (key `cap_mw`)"), "{message}");
        assert!(
            message.contains("found -3, expected a number > 0"),
            "{message}"
        );
    }

    #[test]
    fn locator_finds_keys_in_tables_and_arrays() {
        let text = "name = \"x\"\n[compute.crossover]\nbase_year = 2024\n[[region]]\nid = \"A\"\n[[region]]\nid = \"B\"\nload_file = \"b.parquet\"\n";
        let locator = KeyLocator::new(Path::new("f.toml"), Some(text));
        assert_eq!(locator.key("", "name"), "f.toml, line 1 (key `name`)");
        assert_eq!(
            locator.key("compute.crossover", "base_year"),
            "f.toml, line 3 (key `compute.crossover.base_year`)"
        );
        assert_eq!(
            locator.array_key("region", 1, "B", "load_file"),
            "f.toml, line 8 (region 2 `B`, key `load_file`)"
        );
        assert_eq!(
            KeyLocator::new(Path::new("f.toml"), None).key("", "name"),
            "f.toml (key `name`)"
        );
    }

    /// Every spelling of a key is found by the parser's spans: a quoted table name with
    /// spaces, single quotes, a dotted key, an inline table.
    #[test]
    fn locator_finds_every_spelling_of_a_key() {
        let text = "facility.pue = 1.2\n[ uncertainty . \"facility.pue\" ]\ndist = \"uniform\"\n[uncertainty.'training.power_frac']\n\n  low = 0.5\n[flexibility]\nlimits = { depth = 0.25 }\n";
        let locator = KeyLocator::new(Path::new("f.toml"), Some(text));
        assert_eq!(
            locator.key("facility", "pue"),
            "f.toml, line 1 (key `facility.pue`)"
        );
        assert_eq!(
            locator.key("uncertainty.\"facility.pue\"", "dist"),
            "f.toml, line 3 (key `uncertainty.\"facility.pue\".dist`)"
        );
        assert!(
            locator
                .key("uncertainty.\"training.power_frac\"", "low")
                .starts_with("f.toml, line 6 ")
        );
        assert!(
            locator
                .key("flexibility.limits", "depth")
                .starts_with("f.toml, line 8 ")
        );
        assert_eq!(locator.key("", "missing"), "f.toml (key `missing`)");
        assert_eq!(key_segments("a . \"b.c\".'d'"), ["a", "b.c", "d"]);
        assert!(key_segments("").is_empty());
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct List {
        factors: Vec<f64>,
    }

    #[test]
    fn a_bad_value_in_a_multi_line_array_names_the_array_key() {
        let text = "factors = [\n  1.0, 2.0,\n  \"high\", 3.0,\n]\n";
        let message = parse_toml::<List>(text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("x.toml, line 3 (key `factors`)"),
            "{message}"
        );
        assert!(
            message.contains("string \"high\", expected a number"),
            "{message}"
        );
    }

    #[test]
    fn excerpts_are_short_and_char_safe() {
        assert_eq!(excerpt("22.759,0"), "22.759,0");
        let long = "é".repeat(250_000);
        let short = excerpt(&long);
        assert!(short.starts_with(&"é".repeat(200)), "{short}");
        assert!(short.ends_with("… (249800 more characters)"), "{short}");
        assert_eq!(excerpt("a\nb"), "a\\nb");
    }

    #[test]
    fn a_huge_toml_line_is_quoted_short() {
        let text = format!("share_frac = \"{}\"\n", "x".repeat(300_000));
        let message = parse_toml::<Sample>(&text, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(message.len() < 2_000, "{} characters", message.len());
        assert!(message.contains("more characters)"), "{message}");
    }

    #[test]
    fn capped_lists_say_how_many_more() {
        let items: Vec<usize> = (0..13).collect();
        assert_eq!(
            format_capped(&items),
            "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 3 more"
        );
    }

    #[test]
    fn hostile_identifiers_are_refused_with_the_reason() {
        for (id, why) in [
            (".", "folder itself or its parent"),
            ("..", "folder itself or its parent"),
            ("../x", "holds '/'"),
            ("a/b", "holds '/'"),
            ("=cmd", "holds '='"),
            ("+1", "holds '+'"),
            ("-x", "formula"),
            ("@x", "holds '@'"),
            (".hidden", "hidden file"),
            ("", "empty"),
            (&"a".repeat(300), "300 characters"),
        ] {
            let message = check_id(id).unwrap_err();
            assert!(message.contains(why), "{id}: {message}");
            assert!(message.contains("expected a name of 1 to 64"), "{message}");
            assert!(
                message.chars().count() < 300,
                "the id is shortened: {message}"
            );
        }
        for id in [
            "us-22",
            "PJM",
            "default",
            "a.b",
            "_x",
            "2030",
            &"a".repeat(64),
        ] {
            assert_eq!(check_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn time_zones_are_checked() {
        assert!(parse_time_zone("America/New_York").is_ok());
        assert!(
            parse_time_zone("America/NewYork")
                .unwrap_err()
                .contains("unknown time zone")
        );
    }
}
