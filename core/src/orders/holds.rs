//! The stock an order holds: `reserve` movements while it is accepted, shipped or completed,
//! `release` movements when it is rejected or cancelled, with ids every device derives alike.

use super::{OrderStatus, get};
use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use crate::stock::MovementKind;
use rusqlite::{Connection, OptionalExtension};

fn order_reserved(conn: &Connection, id: Id) -> Result<bool> {
    Ok(
        conn.query_row("SELECT reserved FROM orders WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// The id of the stock movement that holds (`reserve`), gives back (`release`) or holds again
/// (`rereserve`) one line of an order: the same on every device, so a hold is counted once
/// however many devices make it.
fn derived_id(order: Id, step: &str, line_no: usize) -> Id {
    Id::derived(order, format!("{step}:{line_no}").as_bytes())
}

/// Makes the stock held for an order match its status: held while accepted, shipped or
/// completed; given back when rejected or cancelled. Called after every local transition and
/// every merged one, so when two phones disagree (one accepted, the other cancelled) the phone
/// that ends up holding the wrong amount corrects it, with movement ids every phone agrees on.
/// Lines whose variant is gone (its product was deleted) are skipped.
pub(crate) fn settle_hold(tx: &mut Tx<'_>, id: Id) -> Result<()> {
    let Some(order) = get(tx, id)? else {
        return Ok(());
    };
    let held = order_reserved(tx, id)?;
    let want = matches!(
        order.status,
        OrderStatus::Accepted | OrderStatus::Shipped | OrderStatus::Completed
    );
    if want == held {
        return Ok(());
    }
    let (kind, step, sign) = if !want {
        (MovementKind::Release, "release", 1)
    } else if movement_exists(tx, derived_id(id, "release", 0))? {
        (MovementKind::Reserve, "rereserve", -1)
    } else {
        (MovementKind::Reserve, "reserve", -1)
    };
    for (line_no, line) in order.lines.iter().enumerate() {
        if crate::catalogue::product_of_variant(tx, line.variant_id)?.is_none() {
            continue;
        }
        let movement = derived_id(id, step, line_no);
        crate::stock::record_with_id(
            tx,
            movement,
            line.variant_id,
            kind,
            sign * line.quantity,
            Some(id),
        )?;
    }
    tx.execute(
        "UPDATE orders SET reserved = ?1 WHERE id = ?2",
        rusqlite::params![want, id],
    )?;
    Ok(())
}

fn movement_exists(conn: &Connection, id: Id) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM stock_movements WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}
