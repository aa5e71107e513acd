//! The ordered list of photos of one owner (a product or a producer): add, reorder, remove.

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::sync::outbox::{Entity, Op};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

/// One photo of a product or producer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Photo {
    /// The photo row's id.
    pub id: Id,
    /// The product or producer it shows.
    pub owner_id: Id,
    /// Place in the owner's list, from 0.
    pub position: i64,
    /// Content hash (lowercase hex BLAKE3) of the display image.
    pub hash: String,
    /// Content hash of the thumbnail, when known.
    pub thumb_hash: Option<String>,
}

pub(crate) fn owner_exists(conn: &Connection, owner: Id) -> Result<bool> {
    let found = conn
        .prepare_cached(
            "SELECT 1 FROM products WHERE id = ?1 UNION ALL SELECT 1 FROM producers WHERE id = ?1",
        )?
        .query_row([owner], |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

/// Whether a photo file name is a BLAKE3 hash: 64 lowercase hex digits.
pub(crate) fn is_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Appends a photo row at the end of the owner's list.
pub(crate) fn add(tx: &mut Tx<'_>, owner: Id, hash: &str, thumb_hash: Option<&str>) -> Result<Id> {
    if !is_hash(hash) || thumb_hash.is_some_and(|h| !is_hash(h)) {
        return Err(Error::field("hash", Rule::Id));
    }
    if !owner_exists(tx, owner)? {
        return Err(Error::field("owner_id", Rule::Unknown));
    }
    let position: i64 = tx.query_row(
        "SELECT coalesce(max(position) + 1, 0) FROM photos WHERE owner_id = ?1",
        [owner],
        |r| r.get(0),
    )?;
    let id = Id::new();
    tx.insert(
        "photos",
        Entity::Photo,
        id,
        vec![
            ("owner_id", owner.into()),
            ("position", position.into()),
            ("hash", hash.into()),
            ("thumb_hash", thumb_hash.into()),
        ],
    )?;
    Ok(id)
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Photo> {
    Ok(Photo {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        position: r.get(2)?,
        hash: r.get(3)?,
        thumb_hash: r.get(4)?,
    })
}

/// Whether a photo or thumbnail with this hash belongs to a listed product of a producer who
/// consented to publication, or is the QRIS image such a producer is paid with
/// (`crate::selling`), so anyone may see it.
pub(crate) fn is_public(conn: &Connection, hash: &str) -> Result<bool> {
    let sql = format!(
        "SELECT 1 FROM photos f JOIN products p ON p.id = f.owner_id \
         WHERE (f.hash = ?1 OR f.thumb_hash = ?1) AND p.status = 'listed' \
         AND p.producer_id IN ({0}) \
         UNION ALL SELECT 1 FROM producers WHERE payment_qris = ?1 AND id IN ({0}) LIMIT 1",
        crate::catalogue::listing::PUBLISHED_PRODUCERS
    );
    let found = conn
        .prepare_cached(&sql)?
        .query_row([hash], |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

/// The producers whose photos use the image file with this hash (as display image or
/// thumbnail): the product's producer, or the producer the photo shows.
pub(crate) fn producers_of(conn: &Connection, hash: &str) -> Result<Vec<Id>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT coalesce(p.producer_id, f.owner_id) FROM photos f \
         LEFT JOIN products p ON p.id = f.owner_id WHERE f.hash = ?1 OR f.thumb_hash = ?1",
    )?;
    let rows = stmt.query_map([hash], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The owner's photos in order.
pub(crate) fn list(conn: &Connection, owner: Id) -> Result<Vec<Photo>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, owner_id, position, hash, thumb_hash FROM photos WHERE owner_id = ?1 \
         ORDER BY position, id",
    )?;
    let rows = stmt.query_map([owner], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One photo row.
pub(crate) fn get(conn: &Connection, id: Id) -> Result<Option<Photo>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, owner_id, position, hash, thumb_hash FROM photos WHERE id = ?1",
        )?
        .query_row([id], from_row)
        .optional()?)
}

/// Puts the owner's photos in the order given. `order` must name each photo exactly once.
pub(crate) fn reorder(tx: &mut Tx<'_>, owner: Id, order: &[Id]) -> Result<()> {
    let current = list(tx, owner)?;
    let mut wanted = order.to_vec();
    wanted.sort();
    let mut have: Vec<Id> = current.iter().map(|p| p.id).collect();
    have.sort();
    if wanted != have {
        return Err(Error::field("order", Rule::Unknown));
    }
    for (position, id) in order.iter().enumerate() {
        let old = current.iter().find(|p| p.id == *id).map(|p| p.position);
        if old != Some(position as i64) {
            tx.update(
                "photos",
                Entity::Photo,
                *id,
                vec![("position", (position as i64).into())],
            )?;
        }
    }
    Ok(())
}

/// Removes a photo row. Returns its display and thumbnail hashes, so the caller can delete the
/// files once no other row refers to them.
pub(crate) fn remove(tx: &mut Tx<'_>, id: Id) -> Result<(String, Option<String>)> {
    let row: Option<(Id, String, Option<String>)> = tx
        .prepare_cached("SELECT owner_id, hash, thumb_hash FROM photos WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((owner, hash, thumb_hash)) = row else {
        return Err(Error::NotFound { entity: "photo" });
    };
    // The others keep their positions: a gap sorts the same, and renumbering them would be
    // changes of their own to sync.
    tx.execute("DELETE FROM photos WHERE id = ?1", [id])?;
    let hlc = tx.tick();
    tx.execute(
        "INSERT OR REPLACE INTO tombstones(entity, id, hlc) VALUES ('photo', ?1, ?2)",
        rusqlite::params![id, hlc.to_string()],
    )?;
    let mut fields = Map::new();
    fields.insert("owner_id".into(), Value::from(owner.to_string()));
    tx.record(Entity::Photo, id, Op::Delete, fields)?;
    Ok((hash, thumb_hash))
}
