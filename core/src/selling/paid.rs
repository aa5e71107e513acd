//! An order marked paid: the producer taps "Tandai sudah dibayar" when the transfer, the QRIS
//! payment or the cash has arrived.
//!
//! Being paid is a fact beside the status, not a status: a transfer is paid before shipping,
//! cash on delivery after it. It travels as an order `transition` entry that carries only
//! `paid_at` (no `status`), and merges like a step's time does (see
//! [`crate::orders::Progress::take`]): once paid, an order stays paid, and the time kept is the
//! earliest any phone recorded, so phones converge whatever order the marks arrive in. A
//! rejected or cancelled order cannot be marked paid here; a mark merged from another phone
//! still counts (the money did arrive).

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::orders::OrderStatus;
use crate::sync::merge::Applied;
use crate::sync::outbox::{Entity, Op};
use crate::sync::wire::Change;
use serde_json::{Map, Value};

/// Marks an order paid now. Marking a paid order again changes nothing.
pub(crate) fn mark(tx: &mut Tx<'_>, order: Id) -> Result<()> {
    let row: Option<(String, Option<i64>)> = rusqlite::OptionalExtension::optional(
        tx.prepare_cached("SELECT status, paid_at FROM orders WHERE id = ?1")?
            .query_row([order], |r| Ok((r.get(0)?, r.get(1)?))),
    )?;
    let (status, paid_at) = row.ok_or(Error::NotFound { entity: "order" })?;
    let status = OrderStatus::parse(&status).unwrap_or(OrderStatus::New);
    if status.closes() {
        return Err(Error::InvalidTransition {
            from: status.as_str(),
            to: "paid",
        });
    }
    if paid_at.is_some() {
        return Ok(());
    }
    let now = tx.now_ms();
    tx.execute(
        "UPDATE orders SET paid_at = ?1 WHERE id = ?2",
        rusqlite::params![now, order],
    )?;
    let mut fields = Map::new();
    fields.insert("paid_at".into(), Value::from(now));
    tx.record(Entity::Order, order, Op::Transition, fields)
}

/// Whether a pulled or pushed transition is a paid mark (it carries no status).
pub(crate) fn is_mark(change: &Change) -> bool {
    !change.fields.contains_key("status") && change.fields.contains_key("paid_at")
}

/// Merges a paid mark: the earliest time wins, and paid never goes back.
pub(crate) fn merge(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let Some(at) = change.fields.get("paid_at").and_then(Value::as_i64) else {
        return Ok(Applied::Unchanged);
    };
    let changed = tx.execute(
        "UPDATE orders SET paid_at = ?1 WHERE id = ?2 AND (paid_at IS NULL OR paid_at > ?1)",
        rusqlite::params![at, change.id],
    )?;
    Ok(if changed == 0 {
        Applied::Unchanged
    } else {
        Applied::Changed
    })
}
