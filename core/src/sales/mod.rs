//! The direct-sales ledger: quick entry of sales made away from the app (a market stall, a
//! reseller, an exhibition, another marketplace), which take the stock down, and summaries by
//! day, month and channel. A mistyped sale is voided (`void.rs`); the history (`history.rs`)
//! lists past sales, voided ones struck out.

mod history;
mod void;

pub use history::SaleEntry;
pub(crate) use history::history;
pub use void::{VOID_REASON_MAX, void_id};
pub(crate) use void::{apply as apply_void, settle as settle_void, undo as undo_void, void};

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::Checks;
use crate::stock::{self, MovementKind};
use crate::sync::outbox::{Entity, Op};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a direct sale happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleChannel {
    /// A market stall (*lapak pasar*).
    MarketStall,
    /// Through a reseller.
    Reseller,
    /// At an exhibition or bazaar (*pameran*).
    Exhibition,
    /// On another online marketplace.
    OtherMarketplace,
}

impl SaleChannel {
    /// Every channel.
    pub const ALL: [SaleChannel; 4] = [
        SaleChannel::MarketStall,
        SaleChannel::Reseller,
        SaleChannel::Exhibition,
        SaleChannel::OtherMarketplace,
    ];

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            SaleChannel::MarketStall => "market_stall",
            SaleChannel::Reseller => "reseller",
            SaleChannel::Exhibition => "exhibition",
            SaleChannel::OtherMarketplace => "other_marketplace",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        SaleChannel::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// A new direct sale.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewSale {
    /// The variant sold.
    pub variant_id: String,
    /// Units sold, at least 1.
    pub quantity: i64,
    /// Price per unit in rupiah; the catalogue price when `None`.
    pub unit_price: Option<i64>,
    /// Channel code (see [`SaleChannel`]).
    pub channel: String,
    /// The day of the sale, `YYYY-MM-DD`.
    pub sold_on: String,
}

/// A recorded direct sale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sale {
    /// Its id.
    pub id: Id,
    /// The variant sold.
    pub variant_id: Id,
    /// Units sold.
    pub quantity: i64,
    /// Price per unit in rupiah.
    pub unit_price: i64,
    /// Where.
    pub channel: SaleChannel,
    /// The day, `YYYY-MM-DD`.
    pub sold_on: String,
}

/// How to group a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// One row per day and channel.
    Day,
    /// One row per month and channel.
    Month,
}

/// One row of a sales summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SalesSummary {
    /// `YYYY-MM-DD` for days, `YYYY-MM` for months.
    pub period: String,
    /// The channel.
    pub channel: SaleChannel,
    /// Number of sales.
    pub sales: i64,
    /// Units sold.
    pub quantity: i64,
    /// Revenue in rupiah.
    pub revenue: i64,
}

/// Records a direct sale and takes its quantity out of stock. Selling more than is in stock is
/// allowed (the count may be off) and flags the variant oversold.
pub(crate) fn record(tx: &mut Tx<'_>, input: &NewSale) -> Result<Id> {
    let mut c = Checks::new();
    let variant = Id::parse("variant_id", &input.variant_id).ok();
    if variant.is_none() {
        c.fail("variant_id", Rule::Id);
    }
    let quantity = c.quantity("quantity", input.quantity);
    let price = input.unit_price.map(|p| c.rupiah("unit_price", p));
    let channel = SaleChannel::parse(input.channel.trim());
    if channel.is_none() {
        c.fail("channel", Rule::Unknown);
    }
    let sold_on = c.date("sold_on", &input.sold_on);
    c.finish()?;
    let (Some(variant), Some(channel)) = (variant, channel) else {
        return Err(Error::field("variant_id", Rule::Id));
    };
    let catalogue_price: Option<i64> = tx
        .prepare_cached(
            "SELECT coalesce(v.price, p.price) FROM variants v JOIN products p ON p.id = v.product_id \
             WHERE v.id = ?1 AND v.removed = 0",
        )?
        .query_row([variant], |r| r.get(0))
        .optional()?;
    let Some(catalogue_price) = catalogue_price else {
        return Err(Error::field("variant_id", Rule::Unknown));
    };
    let unit_price = price.unwrap_or(catalogue_price);
    if quantity.saturating_mul(unit_price) > crate::input::MAX_AMOUNT {
        return Err(Error::field("quantity", Rule::OutOfRange));
    }
    let now = tx.now_ms();
    let id = Id::new();
    tx.prepare_cached(
        "INSERT INTO sales(id, variant_id, quantity, unit_price, channel, sold_on, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        id,
        variant,
        quantity,
        unit_price,
        channel.as_str(),
        sold_on,
        now
    ])?;
    let mut fields = Map::new();
    fields.insert("variant_id".into(), Value::from(variant.to_string()));
    fields.insert("quantity".into(), Value::from(quantity));
    fields.insert("unit_price".into(), Value::from(unit_price));
    fields.insert("channel".into(), Value::from(channel.as_str()));
    fields.insert("sold_on".into(), Value::from(sold_on));
    fields.insert("created_at".into(), Value::from(now));
    tx.record(Entity::Sale, id, Op::Append, fields)?;
    stock::record(tx, variant, MovementKind::Sale, -quantity, Some(id))?;
    Ok(id)
}

/// Sales between two days inclusive (`YYYY-MM-DD`), newest first; voided sales left out (the
/// history shows them).
pub(crate) fn list(conn: &Connection, from: &str, to: &str, limit: u32) -> Result<Vec<Sale>> {
    let (from, to) = check_range(from, to)?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, variant_id, quantity, unit_price, channel, sold_on FROM sales \
         WHERE sold_on BETWEEN ?1 AND ?2 \
           AND NOT EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = sales.id) \
         ORDER BY sold_on DESC, created_at DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(rusqlite::params![from, to, limit], |r| {
        let channel: String = r.get(4)?;
        Ok(Sale {
            id: r.get(0)?,
            variant_id: r.get(1)?,
            quantity: r.get(2)?,
            unit_price: r.get(3)?,
            channel: SaleChannel::parse(&channel).unwrap_or(SaleChannel::MarketStall),
            sold_on: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Totals per day or month and channel between two days inclusive, oldest period first.
pub(crate) fn summary(
    conn: &Connection,
    period: Period,
    from: &str,
    to: &str,
) -> Result<Vec<SalesSummary>> {
    let (from, to) = check_range(from, to)?;
    let key = match period {
        Period::Day => "sold_on",
        Period::Month => "substr(sold_on, 1, 7)",
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {key} AS period, channel, count(*), sum(quantity), CAST(total(quantity * unit_price) AS INTEGER) \
         FROM sales WHERE sold_on BETWEEN ?1 AND ?2 \
           AND NOT EXISTS (SELECT 1 FROM sale_voids v WHERE v.sale_id = sales.id) \
         GROUP BY period, channel ORDER BY period, channel"
    ))?;
    let rows = stmt.query_map(rusqlite::params![from, to], |r| {
        let channel: String = r.get(1)?;
        Ok(SalesSummary {
            period: r.get(0)?,
            channel: SaleChannel::parse(&channel).unwrap_or(SaleChannel::MarketStall),
            sales: r.get(2)?,
            quantity: r.get(3)?,
            revenue: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn check_range(from: &str, to: &str) -> Result<(String, String)> {
    let mut c = Checks::new();
    let from = c.date("from", from);
    let to = c.date("to", to);
    c.finish()?;
    if from > to {
        return Err(Error::field("to", Rule::OutOfRange));
    }
    Ok((from, to))
}
