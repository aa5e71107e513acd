//! Voiding a direct sale: a mistyped sale is taken back by a void, its own synced entry, and
//! its units come back to stock.
//!
//! - **Once.** A void's id is derived from its sale's ([`void_id`]), so two phones that void
//!   the same sale offline make one void, and a void under any other id is refused by the wire
//!   rules (and so by the server).
//! - **The sale stays.** The ledger keeps the sale (the history shows it struck out); summaries,
//!   the dashboard's sales by channel and every other total leave voided sales out.
//! - **Stock is counted where the void meets its sale.** The `void` movement that gives the
//!   units back is never sent: every replica (each phone, the server's) makes it from the void
//!   and the sale it holds, with an id derived from the void, whichever of the two arrives
//!   first. Its quantity is the sale's own, never a number a phone sends.

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::Checks;
use crate::stock::MovementKind;
use crate::sync::outbox::{Entity, Op};
use rusqlite::OptionalExtension;
use serde_json::{Map, Value};

/// The longest reason for a void, in characters.
pub const VOID_REASON_MAX: usize = 200;

/// The id of the void of `sale`: the same on every device.
pub fn void_id(sale: Id) -> Id {
    Id::derived(sale, b"void")
}

/// The id of the stock movement that gives a voided sale's units back.
fn movement_id(void: Id) -> Id {
    Id::derived(void, b"stock")
}

/// Voids a sale recorded here or pulled from elsewhere: records the void for sync and gives its
/// units back to stock. A sale already voided is refused (`sale_id` duplicate).
pub(crate) fn void(tx: &mut Tx<'_>, sale: &str, reason: &str) -> Result<Id> {
    let mut c = Checks::new();
    let sale = Id::parse("sale_id", sale).ok();
    if sale.is_none() {
        c.fail("sale_id", Rule::Id);
    }
    let reason = c.optional_text("reason", reason, VOID_REASON_MAX);
    c.finish()?;
    let Some(sale) = sale else {
        return Err(Error::field("sale_id", Rule::Id));
    };
    let known = tx
        .prepare_cached("SELECT 1 FROM sales WHERE id = ?1")?
        .query_row([sale], |_| Ok(()))
        .optional()?
        .is_some();
    if !known {
        return Err(Error::NotFound { entity: "sale" });
    }
    let id = void_id(sale);
    let now = tx.now_ms();
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sale_voids(id, sale_id, reason, voided_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![id, sale, reason, now])?;
    if added == 0 {
        return Err(Error::field("sale_id", Rule::Duplicate));
    }
    let mut fields = Map::new();
    fields.insert("sale_id".into(), Value::from(sale.to_string()));
    fields.insert("reason".into(), Value::from(reason));
    fields.insert("voided_at".into(), Value::from(now));
    tx.record(Entity::SaleVoid, id, Op::Append, fields)?;
    settle(tx, sale)?;
    Ok(id)
}

/// Applies a void made elsewhere; false when it was here already.
pub(crate) fn apply(tx: &mut Tx<'_>, id: Id, sale: Id, reason: &str, at: i64) -> Result<bool> {
    if id != void_id(sale) {
        return Err(Error::Decode(
            "a void under another id than its sale's".into(),
        ));
    }
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sale_voids(id, sale_id, reason, voided_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(rusqlite::params![id, sale, reason, at])?;
    if added > 0 {
        settle(tx, sale)?;
    }
    Ok(added > 0)
}

/// Gives a voided sale's units back to stock once both the sale and its void are here, whatever
/// order they arrived in. Counted once: the movement's id comes from the void.
pub(crate) fn settle(tx: &mut Tx<'_>, sale: Id) -> Result<()> {
    let both: Option<(Id, Id, i64, i64)> = tx
        .prepare_cached(
            "SELECT v.id, s.variant_id, s.quantity, v.voided_at FROM sale_voids v \
             JOIN sales s ON s.id = v.sale_id WHERE v.sale_id = ?1",
        )?
        .query_row([sale], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((void, variant, quantity, at)) = both else {
        return Ok(());
    };
    let movement = movement_id(void);
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO stock_movements(id, variant_id, kind, delta, ref_id, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(rusqlite::params![
            movement,
            variant,
            MovementKind::Void.as_str(),
            quantity,
            sale,
            at
        ])?;
    if added > 0 {
        tx.execute(
            "UPDATE variants SET stock = stock + ?1 WHERE id = ?2",
            rusqlite::params![quantity, variant],
        )?;
    }
    Ok(())
}

/// Takes back a void this phone made and the server refused (see `sync::refusals`): the void
/// and its movement leave, and the sale counts again.
pub(crate) fn undo(tx: &mut Tx<'_>, id: Id) -> Result<()> {
    let movement = movement_id(id);
    let moved: Option<(Id, i64)> = tx
        .prepare_cached("SELECT variant_id, delta FROM stock_movements WHERE id = ?1")?
        .query_row([movement], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((variant, delta)) = moved {
        tx.execute("DELETE FROM stock_movements WHERE id = ?1", [movement])?;
        tx.execute(
            "UPDATE variants SET stock = stock - ?1 WHERE id = ?2",
            rusqlite::params![delta, variant],
        )?;
    }
    tx.execute("DELETE FROM sale_voids WHERE id = ?1", [id])?;
    Ok(())
}
