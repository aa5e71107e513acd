//! Opening a database file: create, upgrade, or refuse with a clear error. Never deletes data.

use super::{BUSY_TIMEOUT, schema};
use crate::error::{Error, Result};
use crate::id::Id;
use crate::sync::clock::{Clock, Hlc, WallClock};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

pub(super) struct Opened {
    pub conn: Connection,
    pub device: Id,
    pub clock: Clock,
    pub next_seq: i64,
}

/// Opens (or creates) the writer connection, checks the file is Sentra's, runs migrations, and
/// loads the device id, clock and outbox sequence.
pub(super) fn open_writer(path: &Path, wall: Arc<dyn WallClock>) -> Result<Opened> {
    check_header(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    add_functions(&conn)?;
    // Identify the file before changing anything in it: switching to WAL rewrites the header.
    identify(&conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Decode(format!("journal mode {mode} instead of wal")));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    migrate(&mut conn)?;
    let (device, clock, next_seq) = load_meta(&mut conn, wall)?;
    Ok(Opened {
        conn,
        device,
        clock,
        next_seq,
    })
}

/// Opens a read-only connection to an existing, already-migrated database.
pub(crate) fn open_reader(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    add_functions(&conn)?;
    Ok(conn)
}

/// SQL functions the queries use: `sentra_first_child(id)` and `sentra_last_child(id)` give the
/// range of child ids of a parent id (a product's variants; see `Id::child`).
fn add_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for (name, last) in [("sentra_first_child", false), ("sentra_last_child", true)] {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            let parent: [u8; 16] = ctx
                .get_raw(0)
                .as_blob()
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| rusqlite::Error::UserFunctionError("not an id".into()))?;
            let (first, end) = crate::id::children_range(&parent);
            Ok(if last { end } else { first })
        })?;
    }
    Ok(())
}

/// A file that exists and is not empty must start with SQLite's header; anything else is not
/// ours, and we refuse it before SQLite can treat it as anything.
fn check_header(path: &Path) -> Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::Io(e)),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    if read == 0 || (read == 16 && &header == SQLITE_MAGIC) {
        Ok(())
    } else {
        Err(Error::NotSentraDatabase)
    }
}

/// Whether the file is new (empty), and refuses one that is not Sentra's or is too new.
fn identify(conn: &Connection) -> Result<(bool, i64)> {
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    let fresh = app_id == 0 && version == 0 && objects == 0;
    if !fresh && app_id != schema::APPLICATION_ID {
        return Err(Error::NotSentraDatabase);
    }
    let latest = schema::latest_version();
    if version > latest {
        return Err(Error::SchemaTooNew {
            found: version,
            known: latest,
        });
    }
    Ok((fresh, version))
}

/// Brings the schema up to date in one transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let (fresh, version) = identify(&tx)?;
    for (step, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", step as i64 + 1)?;
    }
    if fresh {
        tx.pragma_update(None, "application_id", schema::APPLICATION_ID)?;
    }
    tx.commit()?;
    Ok(())
}

/// The clock and outbox counters as last committed, by any process.
pub(super) struct Counters {
    pub last: Hlc,
    pub offset_ms: i64,
    pub next_seq: i64,
}

/// Reads the counters that every write advances. Called inside each write transaction, so two
/// handles (or two processes) on one file never hand out the same sequence number.
pub(super) fn counters(conn: &Connection) -> Result<Counters> {
    let mut stmt = conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
    let mut get = |key: &str| -> Result<Option<String>> {
        Ok(stmt.query_row([key], |r| r.get(0)).optional()?)
    };
    let last = match get("clock_last")? {
        Some(raw) => raw.parse().map_err(Error::Decode)?,
        None => Hlc::default(),
    };
    let offset_ms = match get("clock_offset_ms")? {
        Some(raw) => raw
            .parse()
            .map_err(|_| Error::Decode("clock_offset_ms".into()))?,
        None => 0,
    };
    let next_seq = match get("next_seq")? {
        Some(raw) => raw.parse().map_err(|_| Error::Decode("next_seq".into()))?,
        None => 1,
    };
    Ok(Counters {
        last,
        offset_ms,
        next_seq,
    })
}

/// Reads (or, on first open, creates) the device id, the clock and the next outbox sequence.
fn load_meta(conn: &mut Connection, wall: Arc<dyn WallClock>) -> Result<(Id, Clock, i64)> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let device_id: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let device = match device_id {
        Some(raw) => raw.parse().map_err(|_| Error::Decode("device_id".into()))?,
        None => {
            let id = Id::new();
            tx.execute(
                "INSERT INTO meta(key, value) VALUES ('device_id', ?1)",
                [id.to_string()],
            )?;
            id
        }
    };
    let c = counters(&tx)?;
    tx.commit()?;
    Ok((
        device,
        Clock::new(wall, device.node(), c.last, c.offset_ms),
        c.next_seq,
    ))
}
