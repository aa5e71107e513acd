//! The delivery fee of an order, from the producer's courier setting: a flat fee, or a rate per
//! started kilogram by zone, the way Indonesian couriers charge (the chargeable weight is the
//! larger of the weight and the volumetric weight L×W×H/6000, at least 1 kg).

use super::{Courier, MAX_FEE};
use crate::catalogue::volumetric_weight_g;
use crate::error::Result;
use crate::id::Id;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// How far the buyer is from the producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// The same regency or city.
    Regency,
    /// The same province.
    Province,
    /// Anywhere else.
    National,
}

impl Zone {
    /// The zone of a delivery to `destination` (a regency code, 4 digits, or longer) from a
    /// producer in `origin` (any Kemendagri code of at least the regency).
    pub fn between(origin: &str, destination: &str) -> Zone {
        let same = |n: usize| {
            origin.len() >= n && destination.len() >= n && origin[..n] == destination[..n]
        };
        if same(4) {
            Zone::Regency
        } else if same(2) {
            Zone::Province
        } else {
            Zone::National
        }
    }

    /// The name shown to people.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::{En, Id};
        match (self, lang) {
            (Zone::Regency, Id) => "dalam kabupaten/kota",
            (Zone::Regency, En) => "within the regency or city",
            (Zone::Province, Id) => "dalam provinsi",
            (Zone::Province, En) => "within the province",
            (Zone::National, Id) => "luar provinsi",
            (Zone::National, En) => "outside the province",
        }
    }
}

/// The weight a courier charges for one unit, in grams: the larger of its weight and its
/// volumetric weight.
pub fn chargeable_g(weight_g: i64, length_cm: i64, width_cm: i64, height_cm: i64) -> i64 {
    weight_g.max(volumetric_weight_g(length_cm, width_cm, height_cm))
}

/// The courier fee for a parcel of `grams` to `zone`; `None` when the producer does not deliver
/// there. Capped at [`MAX_FEE`] (a fee larger than that is a setting nobody meant).
pub fn courier_fee(courier: &Courier, zone: Zone, grams: i64) -> Option<i64> {
    match courier {
        Courier::Flat(fee) => Some(*fee),
        Courier::PerKg(rates) => {
            let rate = match zone {
                Zone::Regency => rates.regency,
                Zone::Province => rates.province,
                Zone::National => rates.national,
            }?;
            let kg = ((grams.max(1) + 999) / 1000).max(1);
            Some(kg.saturating_mul(rate).min(MAX_FEE))
        }
    }
}

/// The chargeable grams of an order's lines (variant, quantity), from the catalogue here.
pub(crate) fn lines_g(conn: &Connection, lines: &[(Id, i64)]) -> Result<i64> {
    let mut grams: i64 = 0;
    for (variant, quantity) in lines {
        let dims: Option<(i64, i64, i64, i64)> = conn
            .prepare_cached(
                "SELECT p.weight_g, p.length_cm, p.width_cm, p.height_cm FROM variants v \
                 JOIN products p ON p.id = v.product_id WHERE v.id = ?1",
            )?
            .query_row([variant], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        if let Some((w, l, wd, h)) = dims {
            grams = grams.saturating_add(quantity.saturating_mul(chargeable_g(w, l, wd, h)));
        }
    }
    Ok(grams)
}
