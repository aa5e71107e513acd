//! Stock as counted movements per variant.
//!
//! Current stock is the sum of a variant's movements: restocks, sales, order reservations and
//! their releases, and adjustments. Movements are append-only, so two devices that each sell the
//! last item both count, and the variant goes negative: it is flagged oversold, never clamped.
//! `variants.stock` caches the sum and is updated in the same transaction as each movement.

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::{Checks, MAX_QUANTITY};
use crate::sync::outbox::{Entity, Op};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

/// Why stock moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// New stock arrived or was made.
    Restock,
    /// A direct sale from the ledger.
    Sale,
    /// Held for an accepted order.
    Reserve,
    /// An order's hold given back (rejected or cancelled).
    Release,
    /// A correction after counting (either sign).
    Adjust,
    /// A voided sale's units back in stock. Never pushed: every replica makes it, with an id
    /// derived from the void, where a void meets its sale (see [`crate::sales`]).
    Void,
}

impl MovementKind {
    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            MovementKind::Restock,
            MovementKind::Sale,
            MovementKind::Reserve,
            MovementKind::Release,
            MovementKind::Adjust,
            MovementKind::Void,
        ]
        .into_iter()
        .find(|k| k.as_str() == code)
    }

    /// Whether a movement of this kind may move stock by `delta`: a restock or a release adds,
    /// a sale or a reservation takes away, an adjustment does either; none is zero.
    pub fn allows(self, delta: i64) -> bool {
        match self {
            MovementKind::Restock | MovementKind::Release | MovementKind::Void => delta > 0,
            MovementKind::Sale | MovementKind::Reserve => delta < 0,
            MovementKind::Adjust => delta != 0,
        }
    }

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Restock => "restock",
            MovementKind::Sale => "sale",
            MovementKind::Reserve => "reserve",
            MovementKind::Release => "release",
            MovementKind::Adjust => "adjust",
            MovementKind::Void => "void",
        }
    }
}

/// Records one movement of `delta` units and updates the cached stock.
pub(crate) fn record(
    tx: &mut Tx<'_>,
    variant: Id,
    kind: MovementKind,
    delta: i64,
    ref_id: Option<Id>,
) -> Result<Id> {
    record_with_id(tx, Id::new(), variant, kind, delta, ref_id)
}

/// The longest reason for a stock correction, in characters.
pub const REASON_MAX: usize = 200;

/// Like [`record`], with an id chosen by the caller (derived ids for order holds).
pub(crate) fn record_with_id(
    tx: &mut Tx<'_>,
    id: Id,
    variant: Id,
    kind: MovementKind,
    delta: i64,
    ref_id: Option<Id>,
) -> Result<Id> {
    record_movement(tx, id, variant, kind, delta, ref_id, None)
}

/// Records one movement with the reason it was made, if any; an empty reason is none. The
/// reason goes on the wire only when there is one, so a plain movement stays as old phones know
/// it.
fn record_movement(
    tx: &mut Tx<'_>,
    id: Id,
    variant: Id,
    kind: MovementKind,
    delta: i64,
    ref_id: Option<Id>,
    reason: Option<&str>,
) -> Result<Id> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM stock_movements WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some();
    if exists {
        // A movement with a derived id (an order's hold) made here or elsewhere counts once.
        return Ok(id);
    }
    let at = tx.now_ms();
    let updated = tx.execute(
        "UPDATE variants SET stock = stock + ?1 WHERE id = ?2",
        rusqlite::params![delta, variant],
    )?;
    if updated == 0 {
        return Err(Error::field("variant_id", Rule::Unknown));
    }
    tx.prepare_cached(
        "INSERT INTO stock_movements(id, variant_id, kind, delta, ref_id, at, reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        id,
        variant,
        kind.as_str(),
        delta,
        ref_id,
        at,
        reason
    ])?;
    let mut fields = Map::new();
    fields.insert("variant_id".into(), Value::from(variant.to_string()));
    fields.insert("kind".into(), Value::from(kind.as_str()));
    fields.insert("delta".into(), Value::from(delta));
    fields.insert(
        "ref_id".into(),
        ref_id.map_or(Value::Null, |r| Value::from(r.to_string())),
    );
    fields.insert("at".into(), Value::from(at));
    if let Some(reason) = reason {
        fields.insert("reason".into(), Value::from(reason));
    }
    tx.record(Entity::StockMovement, id, Op::Append, fields)?;
    Ok(id)
}

/// Adds stock that arrived.
pub(crate) fn restock(tx: &mut Tx<'_>, variant: Id, quantity: i64) -> Result<Id> {
    let mut c = Checks::new();
    let quantity = c.quantity("quantity", quantity);
    c.finish()?;
    record(tx, variant, MovementKind::Restock, quantity, None)
}

/// Corrects stock by a signed amount after a count, with the reason in the producer's words
/// (empty: none given).
pub(crate) fn adjust(tx: &mut Tx<'_>, variant: Id, delta: i64, reason: &str) -> Result<Id> {
    let mut c = Checks::new();
    let delta = c.range("delta", delta, -MAX_QUANTITY, MAX_QUANTITY);
    if delta == 0 {
        c.fail("delta", Rule::OutOfRange);
    }
    let reason = c.optional_text("reason", reason, REASON_MAX);
    c.finish()?;
    let reason = (!reason.is_empty()).then_some(reason.as_str());
    record_movement(
        tx,
        Id::new(),
        variant,
        MovementKind::Adjust,
        delta,
        None,
        reason,
    )
}

/// The stock of a variant recomputed from its movements (the cache should always agree).
pub(crate) fn recount(conn: &Connection, variant: Id) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE variant_id = ?1",
        [variant],
        |r| r.get(0),
    )?)
}

/// One stock movement, for a variant's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movement {
    /// Its id.
    pub id: Id,
    /// Why stock moved.
    pub kind: String,
    /// Signed change in units.
    pub delta: i64,
    /// The order or sale behind it.
    pub ref_id: Option<Id>,
    /// When (Unix ms).
    pub at: i64,
    /// Why it was corrected, in the producer's words (adjustments only).
    pub reason: Option<String>,
}

/// A variant's movements, newest first.
pub(crate) fn history(conn: &Connection, variant: Id, limit: u32) -> Result<Vec<Movement>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, delta, ref_id, at, reason FROM stock_movements WHERE variant_id = ?1 \
         ORDER BY at DESC, id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(rusqlite::params![variant, limit], |r| {
        Ok(Movement {
            id: r.get(0)?,
            kind: r.get(1)?,
            delta: r.get(2)?,
            ref_id: r.get(3)?,
            at: r.get(4)?,
            reason: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
