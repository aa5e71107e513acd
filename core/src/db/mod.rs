//! The local store: one writer connection, a small pool of readers, and the one write path.
//!
//! SQLite runs in WAL mode so readers never wait for the writer, with a busy timeout so that a
//! second process (a background sync worker) waits instead of failing with "database is
//! locked". `synchronous = FULL` makes a change durable when the call that made it returns.
//!
//! Every write goes through [`Db::write`]: it takes the writer, begins an `IMMEDIATE`
//! transaction, runs the closure, saves the clock and the outbox sequence in the same
//! transaction, and commits. If the closure fails, nothing of it is kept, not even a clock tick.

pub(crate) mod open;
pub mod schema;
mod tx;

pub use tx::Tx;
pub(crate) use tx::Val;

use crate::error::Result;
use crate::id::Id;
use crate::sync::clock::Clock;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// How long a connection waits for a lock held by another connection or process.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Readers kept open for reuse.
const MAX_IDLE_READERS: usize = 4;

/// The writer's state, guarded together so a write sees one consistent clock and sequence.
struct Writer {
    conn: Connection,
    clock: Clock,
    next_seq: i64,
}

/// An open Sentra database.
pub(crate) struct Db {
    path: PathBuf,
    device: Id,
    writer: Mutex<Writer>,
    readers: Mutex<Vec<Connection>>,
}

impl Db {
    /// Opens the database at `path`, creating it if it does not exist.
    pub(crate) fn open(path: &Path, wall: std::sync::Arc<dyn crate::WallClock>) -> Result<Db> {
        let opened = open::open_writer(path, wall)?;
        Ok(Db {
            path: path.to_path_buf(),
            device: opened.device,
            writer: Mutex::new(Writer {
                conn: opened.conn,
                clock: opened.clock,
                next_seq: opened.next_seq,
            }),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// This database's device id.
    pub(crate) fn device(&self) -> Id {
        self.device
    }

    /// The path of the database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction. See the module docs.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let mut guard = lock(&self.writer);
        let writer = &mut *guard;
        let txn = writer
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let counters = open::counters(&txn)?;
        let mut clock = writer.clock.clone();
        clock.resume(counters.last, counters.offset_ms);
        let mut next_seq = counters.next_seq;
        let mut tx = Tx::new(txn, &mut clock, &mut next_seq);
        let value = f(&mut tx)?;
        tx.commit()?;
        writer.clock = clock;
        writer.next_seq = next_seq;
        Ok(value)
    }

    /// Runs `f` on a reader connection. Readers see the last committed state.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let reader = lock(&self.readers).pop();
        let conn = match reader {
            Some(conn) => conn,
            None => open::open_reader(&self.path)?,
        };
        let result = f(&conn);
        let mut idle = lock(&self.readers);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    /// The clock as the writer holds it.
    pub(crate) fn clock(&self) -> Clock {
        lock(&self.writer).clock.clone()
    }
}

/// Locks a mutex, recovering it if a panicking thread poisoned it: a panic inside a write drops
/// its transaction, which rolls back, so the guarded state is still consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
