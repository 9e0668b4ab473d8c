//! Where each catalogue region sits on a map: one point per region at the city or load
//! centre it mostly serves (`regions/catalogue/load_centres.csv`, compiled in), for the
//! report's map only — never an input to the model. Hand-placed to about 0.1°: a zone
//! at its main city (Dallas–Fort Worth, New York City, Northern Virginia), a large BA or
//! ISO at the centre of its footprint.
use std::sync::OnceLock;

/// The shipped table: `region,latitude,longitude,place`.
const LOAD_CENTRES: &str = include_str!("../../regions/catalogue/load_centres.csv");

/// A region's point: latitude and longitude (degrees) and the place it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadCentre {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east (negative in the US).
    pub longitude: f64,
    /// The city or area the point stands for.
    pub place: String,
}

fn table() -> &'static Vec<(String, LoadCentre)> {
    static TABLE: OnceLock<Vec<(String, LoadCentre)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(LOAD_CENTRES.as_bytes());
        reader
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| {
                Some((
                    r.get(0)?.to_owned(),
                    LoadCentre {
                        latitude: r.get(1)?.parse().ok()?,
                        longitude: r.get(2)?.parse().ok()?,
                        place: r.get(3)?.to_owned(),
                    },
                ))
            })
            .collect()
    })
}

/// The point of a catalogue region by id, if it has one.
#[must_use]
pub fn load_centre(id: &str) -> Option<&'static LoadCentre> {
    table().iter().find(|(r, _)| r == id).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_reads_and_lies_in_the_lower_48() {
        let rows = LOAD_CENTRES.lines().count() - 1;
        assert_eq!(table().len(), rows, "a row did not parse");
        for (id, c) in table() {
            assert!((24.0..50.0).contains(&c.latitude), "{id}");
            assert!((-125.0..-66.0).contains(&c.longitude), "{id}");
        }
        let nyc = load_centre("NYIS-ZONJ").unwrap();
        assert!((nyc.latitude - 40.7).abs() < 0.1 && (nyc.longitude + 74.0).abs() < 0.1);
        assert!(load_centre("nowhere").is_none());
    }

    #[test]
    fn every_catalogue_region_has_a_point() {
        let catalogue = include_str!("../../regions/catalogue.toml");
        let ids: Vec<&str> = catalogue
            .lines()
            .filter_map(|l| l.strip_prefix("id = \""))
            .filter_map(|l| l.split('"').next())
            .skip(1) // the catalogue's own id
            .collect();
        assert!(ids.len() > 100);
        let missing: Vec<&&str> = ids.iter().filter(|id| load_centre(id).is_none()).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }
}
