//! `gridstrain regions`: what a study may name with `--regions` — the shipped region
//! sets (`us-48`, `us-48-zones`, `us-22`, one per ISO's zones, …) and every region of the
//! national catalogue by id, with its name, kind, ISO, time zone, people served, today's
//! data-centre load and the full years of its hourly data.
use anyhow::{Result, bail};
use clap::Args;

use super::{available_names, print_stdout, resolve_input};
use crate::input::catalogue::{Catalogue, find_catalogue, read_catalogue};
use crate::input::load_file::read_load_file;

/// Arguments of `regions`.
#[derive(Debug, Clone, Args)]
pub struct RegionsArgs {
    /// Also read every region's load file to show its full years (slower).
    #[arg(long)]
    pub years: bool,
    /// Comma-separated values instead of an aligned table.
    #[arg(long)]
    pub csv: bool,
}

/// List the region sets and the catalogue's regions.
///
/// # Errors
/// No catalogue found, or one that fails its checks.
pub fn handle_regions(args: &RegionsArgs) -> Result<()> {
    let Some(path) = find_catalogue() else {
        bail!(
            "no catalogue found: expected regions/catalogue.toml under $GRIDSTRAIN_HOME, the current folder or the source tree"
        );
    };
    let catalogue = read_catalogue(&path)?;
    let mut text = String::new();
    if !args.csv {
        text.push_str("Region sets (--regions NAME):\n");
        for name in available_names("regions") {
            let described = resolve_input(&name, "regions", "region set")
                .ok()
                .and_then(|p| crate::input::read_text(&p).ok())
                .and_then(|t| t.parse::<toml::Table>().ok())
                .map(|t| {
                    let count = t.get("regions").and_then(|r| r.as_array()).map_or_else(
                        || {
                            t.get("region")
                                .and_then(|r| r.as_array())
                                .map_or(0, Vec::len)
                        },
                        Vec::len,
                    );
                    let title = t
                        .get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or("")
                        .to_owned();
                    format!("{count:>4} regions  {title}")
                })
                .unwrap_or_default();
            text.push_str(&format!("  {name:<14}{described}\n"));
        }
        text.push_str(&format!(
            "\nCatalogue {} ({} regions; --regions ID or ID,ID,…):\n",
            path.display(),
            catalogue.regions.len()
        ));
    }
    text.push_str(&table(&catalogue, args)?);
    print_stdout(&text)
}

fn table(catalogue: &Catalogue, args: &RegionsArgs) -> Result<String> {
    // The years column only when asked for (it reads every load file).
    let header: Vec<&str> = [
        "id",
        "kind",
        "iso",
        "time_zone",
        "population",
        "existing_datacenter_mw",
        "full_years",
        "name",
    ]
    .into_iter()
    .filter(|h| args.years || *h != "full_years")
    .collect();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(catalogue.regions.len());
    for region in &catalogue.regions {
        let kind = if region.parent.is_some() {
            "zone"
        } else if catalogue.zones_of(&region.id).is_empty() {
            "ba"
        } else {
            "iso"
        };
        let years = if args.years {
            let load = read_load_file(&region.load_path)?;
            let years = load.weather_years();
            match (years.first(), years.last()) {
                (Some(a), Some(b)) => format!("{a}-{b}"),
                _ => "none".to_owned(),
            }
        } else {
            String::new()
        };
        let mut row = vec![
            region.id.clone(),
            kind.to_owned(),
            region.parent.clone().unwrap_or_default(),
            region.time_zone.name().to_owned(),
            format!("{:.0}", region.population),
            region
                .existing_datacenter_mw
                .map_or_else(String::new, |mw| format!("{mw:.0}")),
        ];
        if args.years {
            row.push(years);
        }
        row.push(region.name.clone());
        rows.push(row);
    }
    if args.csv {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&header)?;
        for row in &rows {
            writer.write_record(row)?;
        }
        return Ok(String::from_utf8(writer.into_inner()?)?);
    }
    let widths: Vec<usize> = (0..header.len() - 1)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain(std::iter::once(header[c].len()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| -> String {
        let mut out = String::from("  ");
        for (c, cell) in cells.iter().enumerate() {
            if c + 1 < cells.len() {
                out.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            } else {
                out.push_str(cell);
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut text = line(&header);
    for row in &rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        text.push_str(&line(&cells));
    }
    Ok(text)
}
