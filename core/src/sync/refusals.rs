//! What the user does about a change the server refused (an entry in quarantine): send it
//! again once fixed, or let it go and take the server's state.
//!
//! - **Send again** ([`resend`]): the entry goes back to the outbox under a new sequence
//!   number and a new clock. An entry that sets fields of a row (a create or an update) carries
//!   the row's values as they are now, so fixing the thing in its editor and sending again sends
//!   the fix; the row's clocks move to the new stamp with it, so this phone and the server judge
//!   later edits alike.
//! - **Discard** ([`discard`]): the entry and every change of the same thing still waiting leave,
//!   and what this phone did is undone: a refused creation or append is taken out (a sale with
//!   its stock movement, a movement with its effect on the cached stock, a void with the units it
//!   gave back), and a refused edit, transition or delete makes the phone forget its copy of the
//!   thing and pull the feed again from the start (one re-pull of its scope), which brings back
//!   the server's state.

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::sync::clock::Hlc;
use crate::sync::merge;
use crate::sync::wire::Change;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

/// A quarantined entry as it was sent.
struct Refused {
    entity: String,
    id: Id,
    op: String,
    fields: Map<String, Value>,
    hlc: Hlc,
}

fn load(tx: &Tx<'_>, seq: i64) -> Result<Refused> {
    let row: Option<(String, Id, String, String, String)> = tx
        .prepare_cached("SELECT entity, entity_id, op, fields, hlc FROM quarantine WHERE seq = ?1")?
        .query_row([seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((entity, id, op, fields, hlc)) = row else {
        return Err(Error::NotFound {
            entity: "quarantined change",
        });
    };
    Ok(Refused {
        entity,
        id,
        op,
        fields: serde_json::from_str(&fields)?,
        hlc: hlc.parse().map_err(Error::Decode)?,
    })
}

/// Puts a refused entry back in the outbox, with the row's current values; returns its new
/// sequence number. A row deleted since cannot be sent again (`not_found`).
pub(crate) fn resend(tx: &mut Tx<'_>, seq: i64) -> Result<i64> {
    let refused = load(tx, seq)?;
    let mut fields = refused.fields;
    if matches!(refused.op.as_str(), "create" | "update")
        && merge::table_of(&refused.entity).is_some()
    {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        let Some(now) = merge::row_fields(tx, &refused.entity, refused.id, &names)? else {
            return Err(Error::NotFound {
                entity: "quarantined change",
            });
        };
        fields.extend(now);
    }
    let hlc = tx.tick();
    let change = Change {
        entity: refused.entity,
        id: refused.id,
        op: refused.op,
        fields,
        hlc,
    };
    // The same rules a local write keeps: a value still wrong is refused here, before it costs
    // a round trip.
    crate::sync::rules::check(&change)?;
    super::restamp::restamp(
        tx,
        &change.entity,
        change.id,
        &change.op,
        &change.fields,
        refused.hlc,
        hlc,
    )?;
    if change.op == "create" {
        // The create carries every field as it is now: the edits still waiting behind it are
        // in it already, and would reach the server before it.
        tx.execute(
            "DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND op = 'update'",
            rusqlite::params![change.entity, change.id],
        )?;
    }
    tx.record_change(&change)?;
    tx.execute("DELETE FROM quarantine WHERE seq = ?1", [seq])?;
    Ok(tx.query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))?)
}

/// Lets a refused entry go and takes the server's state for the thing it changed (see the
/// module docs). Returns whether the next sync pulls the feed again from the start.
pub(crate) fn discard(tx: &mut Tx<'_>, seq: i64) -> Result<bool> {
    let refused = load(tx, seq)?;
    let id = refused.id;
    tx.execute("DELETE FROM quarantine WHERE seq = ?1", [seq])?;
    tx.execute(
        "DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2",
        rusqlite::params![refused.entity, id],
    )?;
    let mut repull = false;
    match (refused.entity.as_str(), refused.op.as_str()) {
        ("sale", "append") => {
            let movements: Vec<Id> = ids(
                tx,
                "SELECT id FROM stock_movements WHERE ref_id = ?1 AND kind = 'sale'",
                id,
            )?;
            for movement in movements {
                take_movement(tx, movement)?;
            }
            crate::sales::undo_void(tx, crate::sales::void_id(id))?;
            tx.execute("DELETE FROM sales WHERE id = ?1", [id])?;
        }
        ("sale_void", "append") => crate::sales::undo_void(tx, id)?,
        ("stock_movement", "append") => take_movement(tx, id)?,
        ("organisation_member", "append") | ("organisation_admin", "append") => {
            let (table, column) = if refused.entity == "organisation_member" {
                ("organisation_members", "producer_id")
            } else {
                ("organisation_admins", "user_id")
            };
            let other = refused
                .fields
                .get(column)
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<Id>().ok());
            if let Some(other) = other {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE organisation_id = ?1 AND {column} = ?2"),
                    rusqlite::params![id, other],
                )?;
            }
        }
        (entity, "create") => forget_created(tx, entity, id)?,
        (entity, _) => {
            // An edit, a transition or a delete: the phone's copy is not the server's. It goes,
            // and the next sync pulls the feed from the start to bring the server's copy back.
            if let Some(table) = merge::table_of(entity) {
                tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
            }
            if entity == "order" {
                tx.execute("DELETE FROM order_lines WHERE order_id = ?1", [id])?;
            }
            tx.execute(
                "DELETE FROM tombstones WHERE entity = ?1 AND id = ?2",
                rusqlite::params![entity, id],
            )?;
            tx.execute("DELETE FROM meta WHERE key = 'pull_cursor'", [])?;
            repull = true;
        }
    }
    Ok(repull)
}

/// Takes out a creation the server never took: the row, and a product's variants, photos and
/// their stock and sales, or a variant's.
fn forget_created(tx: &mut Tx<'_>, entity: &str, id: Id) -> Result<()> {
    let variants: Vec<Id> = match entity {
        "product" => ids(tx, "SELECT id FROM variants WHERE product_id = ?1", id)?,
        "variant" => vec![id],
        _ => Vec::new(),
    };
    for variant in variants {
        for statement in [
            "DELETE FROM sale_voids WHERE sale_id IN (SELECT id FROM sales WHERE variant_id = ?1)",
            "DELETE FROM sales WHERE variant_id = ?1",
            "DELETE FROM stock_movements WHERE variant_id = ?1",
            "DELETE FROM variants WHERE id = ?1",
        ] {
            tx.execute(statement, [variant])?;
        }
    }
    if entity == "product" {
        tx.execute("DELETE FROM photos WHERE owner_id = ?1", [id])?;
    }
    if entity == "order" {
        tx.execute("DELETE FROM order_lines WHERE order_id = ?1", [id])?;
    }
    if let Some(table) = merge::table_of(entity) {
        tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
    }
    Ok(())
}

/// Removes one stock movement and its effect on the cached stock.
fn take_movement(tx: &mut Tx<'_>, id: Id) -> Result<()> {
    let moved: Option<(Id, i64)> = tx
        .prepare_cached("SELECT variant_id, delta FROM stock_movements WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((variant, delta)) = moved {
        tx.execute("DELETE FROM stock_movements WHERE id = ?1", [id])?;
        tx.execute(
            "UPDATE variants SET stock = stock - ?1 WHERE id = ?2",
            rusqlite::params![delta, variant],
        )?;
        tx.execute(
            "DELETE FROM outbox WHERE entity = 'stock_movement' AND entity_id = ?1",
            [id],
        )?;
        tx.execute(
            "DELETE FROM quarantine WHERE entity = 'stock_movement' AND entity_id = ?1",
            [id],
        )?;
    }
    Ok(())
}

fn ids(tx: &Tx<'_>, sql: &str, id: Id) -> Result<Vec<Id>> {
    let mut stmt = tx.prepare(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Products with a change the server refused (the product itself, one of its variants or one of
/// its photos): the catalogue shows them as refused, not as listed.
pub(crate) fn refused_products(conn: &Connection) -> Result<Vec<Id>> {
    let mut stmt = conn.prepare_cached(
        "SELECT entity_id FROM quarantine WHERE entity = 'product' \
         UNION SELECT v.product_id FROM quarantine q JOIN variants v ON v.id = q.entity_id \
           WHERE q.entity = 'variant' \
         UNION SELECT p.id FROM quarantine q JOIN photos ph ON ph.id = q.entity_id \
           JOIN products p ON p.id = ph.owner_id WHERE q.entity = 'photo'",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
