//! What a sync did to the user's own work that they must hear about. Today one thing: an edit
//! made on this phone that lost to a delete made elsewhere. The merge keeps its rule (a deleted
//! product stays deleted) but the edit was a change the user made, so the phone keeps a notice
//! until the user dismisses it.
//!
//! A delete carries `seen`: the newest clock the deleting phone held for the product and its
//! variants. An edit this phone made with a later clock was not in front of the person who
//! deleted, so it was lost, not overruled. A delete from a phone too old to send `seen` is
//! judged by its own clock instead.

use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use crate::sync::clock::Hlc;
use crate::sync::wire::Change;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

/// An edit made on this phone that lost to a delete made on another.
pub const EDIT_LOST_TO_DELETE: &str = "edit_lost_to_delete";

/// Something a sync did to the user's own work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// Its number on this phone, to dismiss it.
    pub id: i64,
    /// What happened: [`EDIT_LOST_TO_DELETE`].
    pub kind: String,
    /// The kind of thing (`product`).
    pub entity: String,
    /// The thing's id.
    pub entity_id: Id,
    /// The name the user knew it by.
    pub name: String,
    /// When this phone learned of it (Unix milliseconds).
    pub at: i64,
}

/// The newest clock held for a product and its variants (packed; see [`Hlc::packed`]), which a
/// delete carries as `seen`.
pub(crate) fn newest_clock(conn: &Connection, product: Id) -> Result<i64> {
    let mut newest = i64::MIN;
    for (created, clocks) in rows(conn, product)?.1 {
        newest = newest.max(created);
        for hlc in field_clocks(clocks.as_deref()) {
            newest = newest.max(hlc.packed());
        }
    }
    Ok(newest)
}

/// Before a pulled delete is applied: when this phone holds an edit to the product (or one of
/// its variants) that the deleting phone had not seen, keeps a notice.
pub(crate) fn before_delete(tx: &mut Tx<'_>, change: &Change, node: u64) -> Result<()> {
    if change.entity != "product" || change.op != "delete" || change.hlc.node == node {
        return Ok(());
    }
    let seen = change
        .fields
        .get("seen")
        .and_then(Value::as_i64)
        .unwrap_or_else(|| change.hlc.packed());
    let (name, rows) = rows(tx, change.id)?;
    let Some(name) = name else {
        return Ok(());
    };
    let lost = rows.iter().any(|(_, clocks)| {
        field_clocks(clocks.as_deref()).any(|hlc| hlc.node == node && hlc.packed() > seen)
    });
    if lost {
        let at = tx.now_ms();
        tx.execute(
            "INSERT INTO notices(kind, entity, entity_id, name, at) VALUES (?1, 'product', ?2, ?3, ?4)",
            rusqlite::params![EDIT_LOST_TO_DELETE, change.id, name, at],
        )?;
    }
    Ok(())
}

/// The product's name and the (creation clock, field clocks) of its row and its variants' rows.
type Rows = (Option<String>, Vec<(i64, Option<String>)>);

fn rows(conn: &Connection, product: Id) -> Result<Rows> {
    let Some((name, hlc, clocks)) = conn
        .prepare_cached("SELECT name, hlc, clocks FROM products WHERE id = ?1")?
        .query_row([product], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
    else {
        return Ok((None, Vec::new()));
    };
    let mut rows = vec![(hlc, clocks)];
    let (first, last) = Id::children(product);
    let mut stmt = conn.prepare_cached(
        "SELECT hlc, clocks FROM variants WHERE id BETWEEN ?1 AND ?2 AND product_id = ?3",
    )?;
    for row in stmt.query_map([first, last, product], |r| Ok((r.get(0)?, r.get(1)?)))? {
        rows.push(row?);
    }
    Ok((Some(name), rows))
}

fn field_clocks(clocks: Option<&str>) -> impl Iterator<Item = Hlc> {
    let clocks: Map<String, Value> = clocks
        .and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or_default();
    clocks
        .into_iter()
        .filter_map(|(_, v)| v.as_str().and_then(|s| s.parse().ok()))
}

/// The notices not yet dismissed, newest first.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Notice>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, entity, entity_id, name, at FROM notices ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Notice {
            id: r.get(0)?,
            kind: r.get(1)?,
            entity: r.get(2)?,
            entity_id: r.get(3)?,
            name: r.get(4)?,
            at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Dismisses a notice; dismissing one already gone does nothing.
pub(crate) fn dismiss(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM notices WHERE id = ?1", [id])?;
    Ok(())
}
