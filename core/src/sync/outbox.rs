//! The outbox: every local change, recorded in the transaction that made it.
//!
//! An entry names the entity and its id, the operation, the changed fields with their new
//! values, the HLC timestamp, this device's id and a gapless per-device sequence number. Sync
//! pushes entries in sequence order and removes them once the server has acknowledged them.

use crate::error::Result;
use crate::id::Id;
use crate::sync::clock::Hlc;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value};

/// The kinds of synced things.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A producer (UMKM).
    Producer,
    /// A cluster or cooperative.
    Organisation,
    /// Membership of a producer in an organisation.
    OrganisationMember,
    /// An admin of an organisation.
    OrganisationAdmin,
    /// A product.
    Product,
    /// A product variant.
    Variant,
    /// A stock movement.
    StockMovement,
    /// A photo row.
    Photo,
    /// An order with its lines.
    Order,
    /// A direct sale.
    Sale,
    /// A direct sale taken back.
    SaleVoid,
}

impl Entity {
    /// The stable name stored in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Producer => "producer",
            Entity::Organisation => "organisation",
            Entity::OrganisationMember => "organisation_member",
            Entity::OrganisationAdmin => "organisation_admin",
            Entity::Product => "product",
            Entity::Variant => "variant",
            Entity::StockMovement => "stock_movement",
            Entity::Photo => "photo",
            Entity::Order => "order",
            Entity::Sale => "sale",
            Entity::SaleVoid => "sale_void",
        }
    }
}

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// It was made, with every field.
    Create,
    /// Some fields changed; only those are in the entry.
    Update,
    /// It was deleted (a tombstone).
    Delete,
    /// An append-only record (a stock movement or a sale).
    Append,
    /// An order moved to a new status.
    Transition,
    /// A membership ended (a producer left an organisation).
    Remove,
}

impl Op {
    /// The stable name stored in the outbox.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Append => "append",
            Op::Transition => "transition",
            Op::Remove => "remove",
        }
    }
}

/// One recorded change, waiting to be pushed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEntry {
    /// The device that made the change.
    pub device_id: Id,
    /// The device's sequence number of the change, gapless from 1.
    pub seq: i64,
    /// The kind of thing changed (`product`, `order`, …).
    pub entity: String,
    /// Its id.
    pub entity_id: Id,
    /// `create`, `update`, `delete`, `append` or `transition`.
    pub op: String,
    /// The changed fields with their new values.
    pub fields: Map<String, Value>,
    /// When, on the hybrid logical clock.
    pub hlc: Hlc,
}

impl OutboxEntry {
    /// The change this entry carries, as it goes on the wire.
    pub(crate) fn into_change(self) -> crate::sync::wire::Change {
        crate::sync::wire::Change {
            entity: self.entity,
            id: self.entity_id,
            op: self.op,
            fields: self.fields,
            hlc: self.hlc,
        }
    }
}

/// Up to `limit` pending entries after `after_seq`, oldest first.
pub(crate) fn pending(
    conn: &Connection,
    device: Id,
    after_seq: i64,
    limit: usize,
) -> Result<Vec<OutboxEntry>> {
    let entries = read(
        conn,
        "SELECT seq, entity, entity_id, op, fields, hlc FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        rusqlite::params![after_seq, limit as i64],
    )?;
    Ok(entries
        .into_iter()
        .map(|(seq, change)| OutboxEntry {
            device_id: device,
            seq,
            entity: change.entity,
            entity_id: change.id,
            op: change.op,
            fields: change.fields,
            hlc: change.hlc,
        })
        .collect())
}

/// The changes `sql` selects (`seq, entity, entity_id, op, fields, hlc`), with their sequence
/// numbers, from the outbox or a table shaped like it (the salvage of a damaged file).
pub(crate) fn read(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(i64, crate::sync::wire::Change)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Id>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (seq, entity, entity_id, op, fields, hlc) = row?;
        let fields: Map<String, Value> = serde_json::from_str(&fields)?;
        let hlc: Hlc = hlc.parse().map_err(crate::error::Error::Decode)?;
        entries.push((
            seq,
            crate::sync::wire::Change {
                entity,
                id: entity_id,
                op,
                fields,
                hlc,
            },
        ));
    }
    Ok(entries)
}

/// The number of pending entries per entity kind.
pub(crate) fn pending_counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT entity, count(*) FROM outbox GROUP BY entity ORDER BY entity")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes the entries up to and including `seq`, once the server has acknowledged them.
/// Returns how many were removed.
pub(crate) fn acknowledge(conn: &Connection, seq: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM outbox WHERE seq <= ?1", [seq])?)
}

/// The sequence number of the newest pending entry, if any.
pub(crate) fn last_seq(conn: &Connection) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))?)
}
