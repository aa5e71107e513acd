//! Indonesia's provinces and regencies/cities with their Kemendagri codes.
//!
//! The tables ship inside the core (`core/data/regions/`, from the `idn-area-data` package; see
//! the README there for source and licence) and are parsed once, on first use. Codes are digits
//! only: a province is 2 digits (`33`), a regency or city 4 (`3327`), a district 6 and a village
//! 10. A producer's region must name at least a known regency.

use crate::error::{Error, Result, Rule};
use serde::Serialize;
use std::sync::OnceLock;

const PROVINCES_CSV: &str = include_str!("../../data/regions/provinces.csv");
const REGENCIES_CSV: &str = include_str!("../../data/regions/regencies.csv");

/// A province (*provinsi*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Province {
    /// Two-digit Kemendagri code, such as `33` for Jawa Tengah.
    pub code: String,
    /// Official name.
    pub name: String,
}

/// A regency (*kabupaten*) or city (*kota*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regency {
    /// Four-digit Kemendagri code, such as `3327` for Kabupaten Pemalang.
    pub code: String,
    /// The code of its province.
    pub province_code: String,
    /// Official name, with its `Kabupaten` or `Kota` prefix.
    pub name: String,
}

struct Tables {
    provinces: Vec<Province>,
    regencies: Vec<Regency>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let rows = |csv: &'static str| {
            csv.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim().split(','))
        };
        let mut provinces: Vec<Province> = rows(PROVINCES_CSV)
            .filter_map(|mut cols| {
                Some(Province {
                    code: digits(cols.next()?),
                    name: cols.next()?.to_owned(),
                })
            })
            .collect();
        let mut regencies: Vec<Regency> = rows(REGENCIES_CSV)
            .filter_map(|mut cols| {
                Some(Regency {
                    code: digits(cols.next()?),
                    province_code: digits(cols.next()?),
                    name: cols.next()?.to_owned(),
                })
            })
            .collect();
        provinces.sort_by(|a, b| a.code.cmp(&b.code));
        regencies.sort_by(|a, b| a.code.cmp(&b.code));
        Tables {
            provinces,
            regencies,
        }
    })
}

fn digits(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// Every province, by code.
pub fn provinces() -> &'static [Province] {
    &tables().provinces
}

/// Every regency and city, by code.
pub fn regencies() -> &'static [Regency] {
    &tables().regencies
}

/// The province with this code (dots allowed: `33` or `33.`).
pub fn province(code: &str) -> Option<&'static Province> {
    let code = digits(code);
    let t = tables();
    t.provinces
        .binary_search_by(|p| p.code.as_str().cmp(&code))
        .ok()
        .map(|i| &t.provinces[i])
}

/// The regency or city with this code (`3327` or `33.27`).
pub fn regency(code: &str) -> Option<&'static Regency> {
    let code = digits(code);
    let t = tables();
    t.regencies
        .binary_search_by(|r| r.code.as_str().cmp(&code))
        .ok()
        .map(|i| &t.regencies[i])
}

/// Regencies and cities whose name contains every word of the query, ignoring case and the
/// `Kabupaten`/`Kota` prefix words in the query. At most `limit` results, by code.
pub fn search_regencies(query: &str, limit: usize) -> Vec<&'static Regency> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|w| !matches!(w.as_str(), "kabupaten" | "kab" | "kab." | "kota"))
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    regencies()
        .iter()
        .filter(|r| {
            let name = r.name.to_lowercase();
            words.iter().all(|w| name.contains(w.as_str()))
        })
        .take(limit)
        .collect()
}

/// Checks a region code for a producer or a delivery address and returns it as digits.
///
/// Accepted: a 4-digit regency code, a 6-digit district code or a 10-digit village code, with or
/// without dots, whose first 4 digits name a known regency.
pub fn validate_code(raw: &str) -> Result<String> {
    let code = digits(raw);
    let only_code_chars = raw.trim().chars().all(|c| c.is_ascii_digit() || c == '.');
    let ok = only_code_chars && matches!(code.len(), 4 | 6 | 10) && regency(&code[..4]).is_some();
    if ok {
        Ok(code)
    } else {
        Err(Error::field("region_code", Rule::RegionCode))
    }
}

/// The regency part (first 4 digits) of a validated region code.
pub fn regency_of(code: &str) -> Option<&'static Regency> {
    code.get(..4).and_then(regency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_every_province_and_regency() {
        assert_eq!(provinces().len(), 38);
        assert_eq!(regencies().len(), 514);
        assert!(
            regencies()
                .iter()
                .all(|r| province(&r.province_code).is_some())
        );
    }

    #[test]
    fn looks_up_pemalang_and_banyumas_by_code() {
        assert_eq!(
            regency("33.27").map(|r| r.name.as_str()),
            Some("Kabupaten Pemalang")
        );
        assert_eq!(
            regency("3302").map(|r| r.name.as_str()),
            Some("Kabupaten Banyumas")
        );
        assert_eq!(province("33").map(|p| p.name.as_str()), Some("Jawa Tengah"));
    }

    #[test]
    fn search_by_name_ignores_case_and_the_kabupaten_prefix() {
        let found = search_regencies("kab pemalang", 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "3327");
        assert!(
            search_regencies("SURABAYA", 10)
                .iter()
                .any(|r| r.name == "Kota Surabaya")
        );
    }

    #[test]
    fn region_codes_need_at_least_a_known_regency() {
        assert_eq!(validate_code("3327").unwrap(), "3327");
        assert_eq!(validate_code("33.27.05.2001").unwrap(), "3327052001");
        assert!(
            validate_code("33").is_err(),
            "a province alone is not enough"
        );
        assert!(validate_code("3399").is_err(), "no such regency");
        assert!(validate_code("33270520011").is_err(), "11 digits");
        assert!(validate_code("33a7").is_err());
    }
}
