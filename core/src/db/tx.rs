//! One write transaction, with the clock and the outbox at hand.

use crate::error::{Error, Result};
use crate::id::Id;
use crate::sync::clock::{Clock, Hlc};
use crate::sync::outbox::{Entity, Op};
use rusqlite::Transaction;
use serde_json::{Map, Value};
use std::ops::Deref;

/// A write transaction. Domain code runs SQL through it (it derefs to the SQLite transaction),
/// stamps changes with [`Tx::tick`] and records them with [`Tx::record`].
pub struct Tx<'a> {
    txn: Transaction<'a>,
    clock: &'a mut Clock,
    next_seq: &'a mut i64,
    now: Option<Hlc>,
}

impl<'a> Tx<'a> {
    pub(super) fn new(txn: Transaction<'a>, clock: &'a mut Clock, next_seq: &'a mut i64) -> Self {
        Self {
            txn,
            clock,
            next_seq,
            now: None,
        }
    }

    /// The HLC timestamp of this transaction. Every change in one transaction shares it, so a
    /// composite action is one moment in time.
    pub(crate) fn tick(&mut self) -> Hlc {
        match self.now {
            Some(now) => now,
            None => {
                let now = self.clock.tick();
                self.now = Some(now);
                now
            }
        }
    }

    /// Milliseconds since the epoch, on the corrected clock, for `*_at` columns.
    pub(crate) fn now_ms(&mut self) -> i64 {
        self.tick().millis
    }

    /// The clock, for operations that adjust it.
    pub(crate) fn clock_mut(&mut self) -> &mut Clock {
        self.clock
    }

    /// Records a change in the outbox with the next sequence number of this device.
    pub(crate) fn record(
        &mut self,
        entity: Entity,
        id: Id,
        op: Op,
        fields: Map<String, Value>,
    ) -> Result<()> {
        let hlc = self.tick();
        // Every change a local write makes passes the rules the server and other phones check
        // it against; a write that does not is a bug in this crate, caught by every test.
        #[cfg(debug_assertions)]
        {
            let change = crate::sync::wire::Change {
                entity: entity.as_str().to_owned(),
                id,
                op: op.as_str().to_owned(),
                fields: fields.clone(),
                hlc,
            };
            if let Err(err) = crate::sync::rules::check(&change) {
                panic!("a local write broke the wire rules: {err:?} in {change:?}");
            }
        }
        let seq = *self.next_seq;
        let physical = self.clock.physical_ms();
        self.txn.execute(
            "INSERT INTO outbox(seq, entity, entity_id, op, fields, hlc, physical_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                seq,
                entity.as_str(),
                id,
                op.as_str(),
                Value::Object(fields).to_string(),
                hlc.to_string(),
                physical
            ],
        )?;
        *self.next_seq = seq + 1;
        Ok(())
    }

    /// Records in the outbox a change that keeps its own clock (one salvaged from a damaged
    /// file), with the next sequence number of this device.
    pub(crate) fn record_change(&mut self, change: &crate::sync::wire::Change) -> Result<()> {
        let seq = *self.next_seq;
        self.txn.execute(
            "INSERT INTO outbox(seq, entity, entity_id, op, fields, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                seq,
                change.entity,
                change.id,
                change.op,
                Value::Object(change.fields.clone()).to_string(),
                change.hlc.to_string()
            ],
        )?;
        *self.next_seq = seq + 1;
        Ok(())
    }

    /// Inserts a new row of `table` with `columns`, and records it in the outbox as a `create`
    /// with the same fields. `local` columns (such as `created_at`) are stored but not synced
    /// here; `hlc` is set to this transaction's packed clock.
    pub(crate) fn insert(
        &mut self,
        table: &'static str,
        entity: Entity,
        id: Id,
        columns: Vec<(&'static str, Val)>,
    ) -> Result<()> {
        self.insert_composite(table, entity, id, columns, Map::new())
    }

    /// Like [`Tx::insert`], with `extra` fields (such as an order's lines) carried in the same
    /// outbox entry, so that a composite action syncs as one change.
    pub(crate) fn insert_composite(
        &mut self,
        table: &'static str,
        entity: Entity,
        id: Id,
        columns: Vec<(&'static str, Val)>,
        extra: Map<String, Value>,
    ) -> Result<()> {
        let hlc = self.tick();
        let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
        let marks: Vec<String> = (1..=columns.len() + 2).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "INSERT INTO {table}(id, hlc, {}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        );
        let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id];
        let packed = hlc.packed();
        params.push(&packed);
        params.extend(columns.iter().map(|(_, v)| v as &dyn rusqlite::ToSql));
        self.txn.prepare_cached(&sql)?.execute(params.as_slice())?;
        let mut fields: Map<String, Value> = columns
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_json()))
            .collect();
        fields.extend(extra);
        self.record(entity, id, Op::Create, fields)
    }

    /// Updates `changes` on the row `id` of `table`, stamps each changed field's clock, and
    /// records an `update` with just those fields. Nothing happens for an empty change list.
    pub(crate) fn update(
        &mut self,
        table: &'static str,
        entity: Entity,
        id: Id,
        changes: Vec<(&'static str, Val)>,
    ) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let hlc = self.tick().to_string();
        let clocks: Option<String> = self
            .txn
            .prepare_cached(&format!("SELECT clocks FROM {table} WHERE id = ?1"))?
            .query_row([id], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Error::NotFound {
                    entity: entity.as_str(),
                },
                other => other.into(),
            })?;
        let mut clocks: Map<String, Value> = match clocks {
            Some(raw) => serde_json::from_str(&raw)?,
            None => Map::new(),
        };
        for (name, _) in &changes {
            clocks.insert((*name).to_owned(), Value::String(hlc.clone()));
        }
        let sets: Vec<String> = changes
            .iter()
            .enumerate()
            .map(|(i, (name, _))| format!("{name} = ?{}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {table} SET {}, clocks = ?{} WHERE id = ?{}",
            sets.join(", "),
            changes.len() + 1,
            changes.len() + 2
        );
        let clocks_json = Value::Object(clocks).to_string();
        let mut params: Vec<&dyn rusqlite::ToSql> = changes
            .iter()
            .map(|(_, v)| v as &dyn rusqlite::ToSql)
            .collect();
        params.push(&clocks_json);
        params.push(&id);
        self.txn.prepare_cached(&sql)?.execute(params.as_slice())?;
        let fields = changes
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_json()))
            .collect();
        self.record(entity, id, Op::Update, fields)
    }

    /// Saves the clock and sequence with the transaction, then commits.
    pub(super) fn commit(self) -> Result<()> {
        let mut put = self
            .txn
            .prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
        put.execute(["clock_last", &self.clock.last().to_string()])?;
        put.execute(["clock_offset_ms", &self.clock.offset_ms().to_string()])?;
        put.execute(["next_seq", &self.next_seq.to_string()])?;
        drop(put);
        self.txn.commit()?;
        Ok(())
    }
}

impl<'a> Deref for Tx<'a> {
    type Target = Transaction<'a>;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

/// A column value, convertible both to SQL and to the JSON of an outbox entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// SQL NULL / JSON null.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// An id: a blob in SQL, hyphenated text in JSON.
    Id(Id),
}

impl Val {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Int(i) => Value::from(*i),
            Val::Text(s) => Value::from(s.as_str()),
            Val::Id(id) => Value::from(id.to_string()),
        }
    }
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Val::Id(id) => return id.to_sql(),
        })
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(i64::from(v))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(v.to_owned())
    }
}
impl From<Id> for Val {
    fn from(v: Id) -> Self {
        Val::Id(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}
