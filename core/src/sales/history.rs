//! The sales history: past direct sales with what was sold and whether they were voided, for
//! the screen where a producer finds a mistyped sale and takes it back.

use super::{Sale, SaleChannel, check_range};
use crate::error::Result;
use rusqlite::Connection;
use serde::Serialize;

/// One past sale as the history shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaleEntry {
    /// The sale.
    pub sale: Sale,
    /// The product's name (empty when the product is gone from this phone).
    pub product_name: String,
    /// The variant's options (`M`, `Biru`), in tier order.
    pub options: Vec<String>,
    /// When it was voided (Unix ms), if it was.
    pub voided_at: Option<i64>,
    /// Why it was voided, in the producer's words.
    pub void_reason: Option<String>,
}

/// Sales between two days inclusive (`YYYY-MM-DD`), newest first, voided ones included.
pub(crate) fn history(
    conn: &Connection,
    from: &str,
    to: &str,
    limit: u32,
) -> Result<Vec<SaleEntry>> {
    let (from, to) = check_range(from, to)?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.variant_id, s.quantity, s.unit_price, s.channel, s.sold_on, \
                coalesce(p.name, ''), v.option1, v.option2, sv.voided_at, sv.reason \
         FROM sales s \
         LEFT JOIN variants v ON v.id = s.variant_id \
         LEFT JOIN products p ON p.id = v.product_id \
         LEFT JOIN sale_voids sv ON sv.sale_id = s.id \
         WHERE s.sold_on BETWEEN ?1 AND ?2 ORDER BY s.sold_on DESC, s.created_at DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(rusqlite::params![from, to, limit], |r| {
        let channel: String = r.get(4)?;
        let options: Vec<String> = [r.get::<_, Option<String>>(7)?, r.get(8)?]
            .into_iter()
            .flatten()
            .collect();
        Ok(SaleEntry {
            sale: Sale {
                id: r.get(0)?,
                variant_id: r.get(1)?,
                quantity: r.get(2)?,
                unit_price: r.get(3)?,
                channel: SaleChannel::parse(&channel).unwrap_or(SaleChannel::MarketStall),
                sold_on: r.get(5)?,
            },
            product_name: r.get(6)?,
            options,
            voided_at: r.get(9)?,
            void_reason: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
