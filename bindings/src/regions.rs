//! Regions by name: a facilitator types "pemalang" and picks "Kabupaten Pemalang" instead of
//! typing the Kemendagri code `3327`.

use sentra_core::regions;

/// A regency (*kabupaten*) or city (*kota*) with its province.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Region {
    /// Four-digit Kemendagri code (`3327`), what a producer's `region_code` takes.
    pub code: String,
    /// Official name with its `Kabupaten`/`Kota` prefix (`Kabupaten Pemalang`).
    pub name: String,
    /// Its province's name (`Jawa Tengah`).
    pub province: String,
}

impl From<&regions::Regency> for Region {
    fn from(r: &regions::Regency) -> Self {
        Region {
            code: r.code.clone(),
            name: r.name.clone(),
            province: regions::province(&r.province_code)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        }
    }
}

/// Regencies and cities whose name holds every word of `query` (case ignored, the words
/// `Kabupaten`, `Kab` and `Kota` in the query ignored), by code; at most `limit` (1–100).
/// Works offline: the table ships inside the library.
#[uniffi::export]
pub fn search_regions(query: String, limit: u32) -> Vec<Region> {
    regions::search_regencies(&query, limit.clamp(1, 100) as usize)
        .into_iter()
        .map(Region::from)
        .collect()
}

/// The regency or city of a region code (`3327`, `33.27.05`), if the code names a known one:
/// what a form shows beside a code it already holds.
#[uniffi::export]
pub fn region_of(code: String) -> Option<Region> {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    digits.get(..4).and_then(regions::regency).map(Region::from)
}
