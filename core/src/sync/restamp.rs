//! Moving this phone's own changes to a new timestamp: after a clock correction (see
//! `correct_clock` in `api/sync.rs`), or when a refused change is sent again (see
//! [`super::refusals`]). The change's row must then carry the stamp its outbox entry carries.

use super::clock::Hlc;
use super::merge::{CREATION, table_of};
use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use rusqlite::OptionalExtension;
use serde_json::{Map, Value};

/// Moves one local change to a corrected timestamp (after a clock correction, or a refused
/// change sent again): the clocks that change set now carry `new`. Those are its fields' clocks
/// that still carry `old` (a later local edit of a field keeps its own) and, for a create, the
/// row's creation clock; no other clock, even one that carries the same stamp: while the outbox
/// is corrected, an entry moved forward may land on the stamp of a later one for a moment, and
/// moving that later one must not drag the first one's fields along.
pub(crate) fn restamp(
    tx: &mut Tx<'_>,
    entity: &str,
    id: Id,
    op: &str,
    fields: &Map<String, Value>,
    old: Hlc,
    new: Hlc,
) -> Result<()> {
    let Some(table) = table_of(entity) else {
        return Ok(());
    };
    let create = op == "create";
    if create {
        tx.execute(
            &format!("UPDATE {} SET hlc = ?1 WHERE id = ?2 AND hlc = ?3", table),
            rusqlite::params![new.packed(), id, old.packed()],
        )?;
    }
    let clocks: Option<Option<String>> = tx
        .prepare_cached(&format!("SELECT clocks FROM {} WHERE id = ?1", table))?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(Some(raw)) = clocks else {
        return Ok(());
    };
    let mut clocks: Map<String, Value> = serde_json::from_str(&raw)?;
    let (old, new) = (old.to_string(), new.to_string());
    let mut moved = false;
    let creation = create.then_some(CREATION);
    for name in fields.keys().map(String::as_str).chain(creation) {
        if let Some(value) = clocks.get_mut(name)
            && value.as_str() == Some(old.as_str())
        {
            *value = Value::String(new.clone());
            moved = true;
        }
    }
    if moved {
        tx.execute(
            &format!("UPDATE {} SET clocks = ?1 WHERE id = ?2", table),
            rusqlite::params![Value::Object(clocks).to_string(), id],
        )?;
    }
    Ok(())
}
