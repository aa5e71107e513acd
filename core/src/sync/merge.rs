//! The merge rules: how a change made elsewhere is applied here. The server applies pushed
//! changes with the same rules, so every replica converges whatever order changes arrive in.
//!
//! - Fields of producers, organisations, products, variants and photos: **last write wins per
//!   field**, by HLC, the device breaking ties. A field never edited since creation carries its
//!   row's creation clock.
//! - Stock movements, sales and memberships: **append-only**, keyed by id, so concurrent ones all
//!   count and a repeated one counts once. A membership can end (`remove`): an add and a removal
//!   of the same producer in the same organisation resolve by the later clock. A sale's void is
//!   append-only too, its id derived from the sale's, so a sale is voided once however many phones
//!   void it; the units it gives back are a movement each replica makes where the void meets its
//!   sale (see [`crate::sales`]).
//! - Order status: **the furthest valid status wins** (see [`crate::orders::OrderStatus`]).
//!   An order's paid mark (a transition with only `paid_at`) is a fact like a step's time: the
//!   earliest wins and paid never goes back (see [`crate::selling::paid`]).
//! - Deletes: **explicit tombstones**; a deleted thing stays deleted. An edit made on a phone
//!   that had not seen the delete is lost, and that phone keeps a notice for its user (see
//!   [`super::notices`]).
//! - Variants: one per options. A variant's id comes from its product and its options
//!   ([`Id::variant`]), so the same size added on two phones offline is one row, and both phones'
//!   opening stock counts. Its fields are last-write-wins like any others; a field never edited
//!   since creation carries its creation's full clock (kept under `*` in `clocks`), so two
//!   creations of one variant resolve by the later one, device included. A variant leaves sale
//!   by its `removed` field (history names it), so a removal and a later edit on another phone
//!   resolve by the later write.
//!
//! Applying a change twice changes nothing the second time.

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::orders::OrderStatus;
use crate::sync::clock::Hlc;
use crate::sync::wire::Change;
use rusqlite::OptionalExtension;
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

/// How a column's JSON value becomes SQL.
#[derive(Clone, Copy)]
enum Kind {
    /// An id: hyphenated text in JSON, a 16-byte blob in SQL.
    Id,
    /// Text, an integer, or null, as is.
    Plain,
}

/// A synced table: its entity name, table, and the columns a change may set.
struct Spec {
    entity: &'static str,
    table: &'static str,
    columns: &'static [(&'static str, Kind)],
}

use Kind::{Id as I, Plain as P};

const SPECS: &[Spec] = &[
    Spec {
        entity: "producer",
        table: "producers",
        columns: &[
            ("business_name", P),
            ("owner_name", P),
            ("phone", P),
            ("address", P),
            ("region_code", P),
            ("sector", P),
            ("workforce", P),
            ("year_founded", P),
            ("nib", P),
            ("certifications", P),
            ("consent_publish", P),
            ("consent_date", P),
            ("registered_by", P),
            ("created_at", P),
            // How the producer sells (`crate::selling`).
            ("delivery_pickup", P),
            ("delivery_courier", P),
            ("payment_bank", P),
            ("payment_qris", P),
            ("payment_cod", P),
            ("contact_whatsapp", P),
        ],
    },
    Spec {
        entity: "organisation",
        table: "organisations",
        columns: &[
            ("kind", P),
            ("name", P),
            ("region_code", P),
            ("created_at", P),
        ],
    },
    Spec {
        entity: "product",
        table: "products",
        columns: &[
            ("producer_id", I),
            ("name", P),
            ("description", P),
            ("category", P),
            ("unit", P),
            ("price", P),
            ("min_order", P),
            ("weight_g", P),
            ("length_cm", P),
            ("width_cm", P),
            ("height_cm", P),
            ("status", P),
            ("tier1", P),
            ("tier2", P),
            ("created_at", P),
        ],
    },
    Spec {
        entity: "variant",
        table: "variants",
        columns: &[
            ("product_id", I),
            ("position", P),
            ("sku", P),
            ("option1", P),
            ("option2", P),
            ("price", P),
            ("removed", P),
        ],
    },
    Spec {
        entity: "photo",
        table: "photos",
        columns: &[
            ("owner_id", I),
            ("position", P),
            ("hash", P),
            ("thumb_hash", P),
        ],
    },
    Spec {
        entity: "order",
        table: "orders",
        columns: &[
            ("code", P),
            ("producer_id", I),
            ("channel", P),
            ("status", P),
            ("buyer_name", P),
            ("buyer_phone", P),
            ("buyer_regency", P),
            ("buyer_address", P),
            ("note", P),
            ("total", P),
            ("created_at", P),
            // The buyer's choice and the fee (`crate::selling`).
            ("delivery", P),
            ("delivery_fee", P),
            ("payment", P),
        ],
    },
];

/// Every synced table's entity and the columns a change may set in it (the rules in
/// [`super::rules`] must cover each).
pub fn columns() -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    SPECS
        .iter()
        .map(|s| (s.entity, s.columns.iter().map(|(name, _)| *name).collect()))
}

/// The table that holds an entity's rows, if it is a row-per-thing entity.
pub(crate) fn table_of(entity: &str) -> Option<&'static str> {
    spec(entity).map(|s| s.table)
}

/// The current values of `names` in an entity's row, as a change carries them (ids
/// hyphenated); names that are not columns are left out. `None` when the row is not here.
pub(crate) fn row_fields(
    tx: &Tx<'_>,
    entity: &str,
    id: Id,
    names: &[&str],
) -> Result<Option<Map<String, Value>>> {
    let Some(spec) = spec(entity) else {
        return Ok(None);
    };
    let columns: Vec<(&str, Kind)> = spec
        .columns
        .iter()
        .filter(|(name, _)| names.contains(name))
        .copied()
        .collect();
    let list: Vec<&str> = std::iter::once("1")
        .chain(columns.iter().map(|(name, _)| *name))
        .collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE id = ?1",
        list.join(", "),
        spec.table
    );
    let row = tx
        .prepare(&sql)?
        .query_row([id], |r| {
            let mut fields = Map::new();
            for (i, (name, kind)) in columns.iter().enumerate() {
                let value = match r.get::<_, Sql>(i + 1)? {
                    Sql::Null => Value::Null,
                    Sql::Integer(n) => Value::from(n),
                    Sql::Text(t) => Value::from(t),
                    Sql::Blob(b) if matches!(kind, Kind::Id) => {
                        Value::from(Id::from_bytes(b.try_into().unwrap_or([0; 16])).to_string())
                    }
                    Sql::Blob(_) | Sql::Real(_) => Value::Null,
                };
                fields.insert((*name).to_owned(), value);
            }
            Ok(fields)
        })
        .optional()?;
    Ok(row)
}

fn spec(entity: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.entity == entity)
}

fn bad(what: &str) -> Error {
    Error::Decode(format!("malformed change: {what}"))
}

fn to_sql(kind: Kind, value: &Value) -> Result<Sql> {
    Ok(match (kind, value) {
        (_, Value::Null) => Sql::Null,
        (Kind::Id, Value::String(s)) => {
            let id: Id = s.parse().map_err(|_| bad("id"))?;
            Sql::Blob(id.as_bytes().to_vec())
        }
        (Kind::Plain, Value::String(s)) => Sql::Text(s.clone()),
        (Kind::Plain, Value::Number(n)) => Sql::Integer(n.as_i64().ok_or_else(|| bad("number"))?),
        (Kind::Plain, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        _ => return Err(bad("value")),
    })
}

/// What applying one change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The change altered local state.
    Changed,
    /// Nothing to do: already here, superseded, or deleted.
    Unchanged,
}

/// Applies a change made elsewhere. The caller observes its HLC on the clock.
pub(crate) fn apply(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    if tombstoned(tx, &change.entity, change.id)? {
        return Ok(Applied::Unchanged);
    }
    match (change.entity.as_str(), change.op.as_str()) {
        (_, "delete") => delete(tx, change),
        ("order", "transition") => transition(tx, change),
        ("stock_movement", "append") => append_movement(tx, change),
        ("sale", "append") => append_sale(tx, change),
        ("organisation_member", "append") => append_member(tx, change),
        ("organisation_member", "remove") => remove_member(tx, change),
        ("sale_void", "append") => append_void(tx, change),
        ("organisation_admin", "append") => {
            append_pair(tx, change, "organisation_admins", "user_id")
        }
        (entity, "create" | "update") => {
            let spec = spec(entity).ok_or_else(|| bad("entity"))?;
            upsert(tx, spec, change)
        }
        _ => Err(bad("op")),
    }
}

fn tombstoned(tx: &Tx<'_>, entity: &str, id: Id) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM tombstones WHERE entity = ?1 AND id = ?2")?
        .query_row(rusqlite::params![entity, id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The key under which a variant's `clocks` keep its creation's full clock.
pub(crate) const CREATION: &str = "*";

/// Last write wins per field. A create for a row that is not here inserts it whole; anything
/// else compares each field's clock.
fn upsert(tx: &mut Tx<'_>, spec: &Spec, change: &Change) -> Result<Applied> {
    let current: Option<(i64, Option<String>)> = tx
        .prepare_cached(&format!(
            "SELECT hlc, clocks FROM {} WHERE id = ?1",
            spec.table
        ))?
        .query_row([change.id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let fields: Vec<(&str, Kind, &Value)> = spec
        .columns
        .iter()
        .filter_map(|(name, kind)| change.fields.get(*name).map(|v| (*name, *kind, v)))
        .collect();
    let Some((created, clocks)) = current else {
        if change.op != "create" {
            // An edit of something this phone does not hold (out of scope, or not yet pulled).
            return Ok(Applied::Unchanged);
        }
        let names: Vec<&str> = fields.iter().map(|(n, _, _)| *n).collect();
        let marks: Vec<String> = (3..fields.len() + 3).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {}(id, hlc{}{}) VALUES (?1, ?2{}{})",
            spec.table,
            if names.is_empty() { "" } else { ", " },
            names.join(", "),
            if marks.is_empty() { "" } else { ", " },
            marks.join(", ")
        );
        let mut params: Vec<Sql> = vec![
            Sql::Blob(change.id.as_bytes().to_vec()),
            Sql::Integer(change.hlc.packed()),
        ];
        for (_, kind, value) in &fields {
            params.push(to_sql(*kind, value)?);
        }
        tx.prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(params))?;
        if spec.entity == "order" {
            insert_lines(tx, change)?;
        }
        if spec.entity == "variant" {
            let clocks = serde_json::json!({ CREATION: change.hlc.to_string() });
            tx.execute(
                "UPDATE variants SET clocks = ?1 WHERE id = ?2",
                rusqlite::params![clocks.to_string(), change.id],
            )?;
        }
        return Ok(Applied::Changed);
    };
    let mut clocks: Map<String, Value> = match clocks {
        Some(raw) => serde_json::from_str(&raw)?,
        None => Map::new(),
    };
    // A variant keeps its creation's full clock under `*` (see `CREATION`): two phones may
    // create the same variant (it is named by its options), and a field never edited since is
    // then judged by that clock, device included, the same way on every replica.
    let creation: Option<Hlc> = clocks
        .get(CREATION)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    let mut sets = Vec::new();
    let mut params: Vec<Sql> = Vec::new();
    for (name, kind, value) in fields {
        let local: Option<Hlc> = clocks
            .get(name)
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .or(creation);
        let wins = match local {
            Some(local) => change.hlc > local,
            None => change.hlc.packed() > created,
        };
        if wins {
            params.push(to_sql(kind, value)?);
            sets.push(format!("{name} = ?{}", params.len()));
            clocks.insert(name.to_owned(), Value::String(change.hlc.to_string()));
        }
    }
    if sets.is_empty() {
        return Ok(Applied::Unchanged);
    }
    params.push(Sql::Text(Value::Object(clocks).to_string()));
    let clocks_at = params.len();
    params.push(Sql::Blob(change.id.as_bytes().to_vec()));
    let sql = format!(
        "UPDATE {} SET {}, clocks = ?{clocks_at} WHERE id = ?{}",
        spec.table,
        sets.join(", "),
        params.len()
    );
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(params))?;
    Ok(Applied::Changed)
}

fn insert_lines(tx: &mut Tx<'_>, change: &Change) -> Result<()> {
    let lines = change
        .fields
        .get("lines")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("lines"))?;
    for (line_no, line) in lines.iter().enumerate() {
        let variant: Id = line
            .get("variant_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("line variant"))?;
        let int = |key: &str| {
            line.get(key)
                .and_then(Value::as_i64)
                .ok_or_else(|| bad(key))
        };
        tx.prepare_cached(
            "INSERT OR IGNORE INTO order_lines(order_id, line_no, variant_id, quantity, unit_price) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(rusqlite::params![change.id, line_no as i64, variant, int("quantity")?, int("unit_price")?])?;
    }
    Ok(())
}

/// The details of an order's steps: last write wins per field.
const ORDER_DETAILS: Spec = Spec {
    entity: "order",
    table: "orders",
    columns: &[("reason", P), ("courier", P), ("tracking_no", P)],
};

/// The furthest status wins. Each step's time is a fact that is kept, the earliest if two
/// phones took the same step; the reason, courier and tracking number are last-write-wins per
/// field. Then the stock held for the order is made to match its status.
fn transition(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let Some(before) = crate::orders::progress(tx, change.id)? else {
        return Ok(Applied::Unchanged);
    };
    // A paid mark carries no status (see `crate::selling::paid`).
    if crate::selling::paid::is_mark(change) {
        return crate::selling::paid::merge(tx, change);
    }
    let incoming = change
        .fields
        .get("status")
        .and_then(Value::as_str)
        .and_then(OrderStatus::parse)
        .ok_or_else(|| bad("status"))?;
    let at = incoming
        .time_column()
        .and_then(|column| change.fields.get(column))
        .and_then(Value::as_i64);
    let mut changed = upsert(tx, &ORDER_DETAILS, change)? == Applied::Changed;
    let after = before.take(incoming, at);
    if after != before {
        crate::orders::set_progress(tx, change.id, &after)?;
        changed = true;
    }
    crate::orders::settle_hold(tx, change.id)?;
    Ok(if changed {
        Applied::Changed
    } else {
        Applied::Unchanged
    })
}

/// Stamps this transaction's clock on fields of a row changed by a local step that is not a
/// plain field update (an order's transition), so later merges compare against it.
pub(crate) fn stamp(tx: &mut Tx<'_>, table: &str, id: Id, names: &[&str]) -> Result<()> {
    let hlc = tx.tick().to_string();
    let clocks: Option<String> = tx
        .prepare_cached(&format!("SELECT clocks FROM {table} WHERE id = ?1"))?
        .query_row([id], |r| r.get(0))?;
    let mut clocks: Map<String, Value> = match clocks {
        Some(raw) => serde_json::from_str(&raw)?,
        None => Map::new(),
    };
    for name in names {
        clocks.insert((*name).to_owned(), Value::String(hlc.clone()));
    }
    tx.execute(
        &format!("UPDATE {table} SET clocks = ?1 WHERE id = ?2"),
        rusqlite::params![Value::Object(clocks).to_string(), id],
    )?;
    Ok(())
}

/// A stock movement counts once, however often it arrives, and moves the cached stock.
fn append_movement(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let f = &change.fields;
    let variant: Id = id_field(f, "variant_id")?;
    let delta = f
        .get("delta")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("delta"))?;
    let kind = f
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("kind"))?;
    let ref_id: Option<Id> = f
        .get("ref_id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    let at = f
        .get("at")
        .and_then(Value::as_i64)
        .unwrap_or(change.hlc.millis);
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO stock_movements(id, variant_id, kind, delta, ref_id, at, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(rusqlite::params![
            change.id,
            variant,
            kind,
            delta,
            ref_id,
            at,
            f.get("reason").and_then(Value::as_str)
        ])?;
    if added == 0 {
        return Ok(Applied::Unchanged);
    }
    tx.execute(
        "UPDATE variants SET stock = stock + ?1 WHERE id = ?2",
        rusqlite::params![delta, variant],
    )?;
    Ok(Applied::Changed)
}

fn append_sale(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let f = &change.fields;
    let int = |key: &str| f.get(key).and_then(Value::as_i64).ok_or_else(|| bad(key));
    let text = |key: &str| f.get(key).and_then(Value::as_str).ok_or_else(|| bad(key));
    let added = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO sales(id, variant_id, quantity, unit_price, channel, sold_on, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(rusqlite::params![
            change.id,
            id_field(f, "variant_id")?,
            int("quantity")?,
            int("unit_price")?,
            text("channel")?,
            text("sold_on")?,
            int("created_at")?
        ])?;
    if added > 0 {
        // A void that arrived before its sale gives the units back now.
        crate::sales::settle_void(tx, change.id)?;
    }
    Ok(if added == 0 {
        Applied::Unchanged
    } else {
        Applied::Changed
    })
}

/// A sale's void counts once (its id comes from the sale's) and gives the sale's units back
/// where the sale is here (see [`crate::sales`]).
fn append_void(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let f = &change.fields;
    let sale = id_field(f, "sale_id")?;
    let reason = f.get("reason").and_then(Value::as_str).unwrap_or("");
    let at = f
        .get("voided_at")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad("voided_at"))?;
    Ok(
        if crate::sales::apply_void(tx, change.id, sale, reason, at)? {
            Applied::Changed
        } else {
            Applied::Unchanged
        },
    )
}

fn append_pair(tx: &mut Tx<'_>, change: &Change, table: &str, column: &str) -> Result<Applied> {
    let other: Id = id_field(&change.fields, column)?;
    let added = tx.execute(
        &format!(
            "INSERT OR IGNORE INTO {table}(organisation_id, {column}, hlc) VALUES (?1, ?2, ?3)"
        ),
        rusqlite::params![change.id, other, change.hlc.packed()],
    )?;
    Ok(if added == 0 {
        Applied::Unchanged
    } else {
        Applied::Changed
    })
}

/// A membership: added unless a later removal of the same pair is here.
fn append_member(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let producer: Id = id_field(&change.fields, "producer_id")?;
    let removed_later = tx
        .prepare_cached(
            "SELECT 1 FROM organisation_member_removals \
             WHERE organisation_id = ?1 AND producer_id = ?2 AND hlc > ?3",
        )?
        .query_row(
            rusqlite::params![change.id, producer, change.hlc.packed()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if removed_later {
        return Ok(Applied::Unchanged);
    }
    append_pair(tx, change, "organisation_members", "producer_id")
}

/// A membership's end: the member row goes unless it was added later; the removal's clock is
/// kept so an older add arriving afterwards stays out.
fn remove_member(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let producer: Id = id_field(&change.fields, "producer_id")?;
    let hlc = change.hlc.packed();
    tx.execute(
        "INSERT INTO organisation_member_removals(organisation_id, producer_id, hlc) \
         VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET hlc = max(hlc, excluded.hlc)",
        rusqlite::params![change.id, producer, hlc],
    )?;
    let removed = tx.execute(
        "DELETE FROM organisation_members WHERE organisation_id = ?1 AND producer_id = ?2 \
         AND hlc < ?3",
        rusqlite::params![change.id, producer, hlc],
    )?;
    Ok(if removed == 0 {
        Applied::Unchanged
    } else {
        Applied::Changed
    })
}

fn delete(tx: &mut Tx<'_>, change: &Change) -> Result<Applied> {
    let spec = spec(&change.entity).ok_or_else(|| bad("entity"))?;
    tx.execute(
        "INSERT OR REPLACE INTO tombstones(entity, id, hlc) VALUES (?1, ?2, ?3)",
        rusqlite::params![change.entity, change.id, change.hlc.to_string()],
    )?;
    tx.execute(
        &format!("DELETE FROM {} WHERE id = ?1", spec.table),
        [change.id],
    )?;
    if spec.entity == "product" {
        let (first, last) = Id::children(change.id);
        tx.execute(
            "DELETE FROM variants WHERE id BETWEEN ?1 AND ?2 AND product_id = ?3",
            [first, last, change.id],
        )?;
        tx.execute("DELETE FROM photos WHERE owner_id = ?1", [change.id])?;
    }
    Ok(Applied::Changed)
}

fn id_field(fields: &Map<String, Value>, key: &str) -> Result<Id> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(key))
}
