//! Recovering from a damaged database file (a failing SD card, a phone that died mid-write on a
//! file system that lied about its flushes).
//!
//! The server holds everything this phone ever synced, so a damaged file is rebuilt by sync.
//! What only this phone knows is the outbox (changes not yet acknowledged), who is signed in,
//! the shared phone's PIN, and photo files not yet uploaded. Recovery reads back whatever of
//! those is still readable, then swaps the damaged file for a new one:
//!
//! 1. **Salvage.** The damaged file is opened read-only. Its outbox is read oldest first until a
//!    damaged page stops the reading, then newest first until one stops it again, so only the
//!    entries on damaged pages are lost. Photo files are checked against their hash names.
//! 2. **A new file** (`<name>.recovering`, then `<name>.recovered` once complete) holds the
//!    salvaged changes in `salvage`, the account, the PIN and the photo files' records. It is a
//!    new device to the server (a new device id), so a fresh pull brings back everything this
//!    phone had pushed, and the app signs in again.
//! 3. **The swap.** The damaged file (with its `-wal` and `-shm`) is renamed to
//!    `<name>.damaged-<ms>` and kept for support; `<name>.recovered` takes its place. A crash
//!    between the renames is finished by the next [`crate::Sentra::open`].
//! 4. **After the first pull** of the next sync, the salvaged changes are applied on top of what
//!    came back (with their original clocks, so every merge ends as it would have) and move to
//!    the outbox to be pushed ([`restore`]). A change the server had already applied is applied
//!    again under the new device id, which the merge rules make harmless.

use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::photos;
use crate::sync::clock::{Hlc, WallClock};
use crate::sync::{merge, outbox};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What [`crate::Sentra::recover`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recovery {
    /// Where the damaged file was set aside (kept for support, never read again by the app);
    /// `None` when the file was healthy and nothing was done.
    pub damaged_file: Option<PathBuf>,
    /// Unsent changes read back; they are applied and pushed by the next sync, after its pull.
    pub salvaged_changes: usize,
    /// Whether part of the outbox was on damaged pages: the changes there are lost.
    pub unsent_changes_lost: bool,
    /// Photo files kept (checked against their hash) and recorded again; those not known to be
    /// uploaded wait to be sent again.
    pub photos_kept: usize,
    /// Whether the account must sign in again before syncing: the new file is a new device to
    /// the server.
    pub sign_in_again: bool,
}

/// One outbox row as the damaged file held it.
struct Salvaged {
    seq: i64,
    entity: String,
    entity_id: Vec<u8>,
    op: String,
    fields: String,
    hlc: String,
}

impl Salvaged {
    /// Whether the row still reads as a change: a 16-byte id, a JSON object of fields, an HLC.
    fn is_whole(&self) -> bool {
        self.entity_id.len() == 16
            && !self.entity.is_empty()
            && !self.op.is_empty()
            && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&self.fields)
                .is_ok()
            && self.hlc.parse::<Hlc>().is_ok()
    }
}

/// What could be read back from a damaged file.
#[derive(Default)]
struct Salvage {
    /// Meta rows worth keeping: the account, the PIN and its lock, the clock's correction.
    meta: Vec<(String, String)>,
    /// Outbox rows by sequence number.
    outbox: BTreeMap<i64, Salvaged>,
    /// Whether some outbox rows could not be read.
    outbox_damaged: bool,
    /// Upload states of photo files, by hash, where readable.
    uploads: HashMap<String, String>,
}

/// Meta keys carried over to the new file. Not the device id (the new file is a new device),
/// nor the pull cursor (it pulls everything again).
/// (The clock's correction is measured again by the first pull.)
const KEPT_META: &[&str] = &[
    "account",
    "unlock_pin",
    "unlock_wrong",
    "unlock_locked_until",
];

/// `path` with `suffix` added to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Whether the file at `path` is whole: it passes SQLite's page check (a missing file is whole:
/// it will be created). Only damage answers `false`; a file that is busy or cannot be read for
/// another reason is an error, so a healthy file is never set aside.
pub(crate) fn is_whole(path: &Path) -> Result<bool> {
    if !path.exists() {
        return Ok(true);
    }
    let checked = open_for_reading(path)
        .and_then(|conn| conn.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)));
    match checked.map_err(Error::from) {
        Ok(verdict) => Ok(verdict == "ok"),
        Err(Error::DatabaseCorrupt(_) | Error::NotSentraDatabase) => Ok(false),
        Err(other) => Err(other),
    }
}

/// A connection that reads the file at `path`: read-only, unless a crash mid-write left a hot
/// journal, which only a writable connection may roll back (as any open of the file would).
fn open_for_reading(path: &Path) -> rusqlite::Result<Connection> {
    let open = |flags| -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(crate::db::BUSY_TIMEOUT)?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        Ok(conn)
    };
    match open(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly) => {
            open(OpenFlags::SQLITE_OPEN_READ_WRITE)
        }
        other => other,
    }
}

/// Reads what it can from a damaged file; never fails (an unreadable file salvages nothing).
fn salvage(path: &Path) -> Salvage {
    let mut found = Salvage::default();
    let Ok(conn) = open_for_reading(path) else {
        found.outbox_damaged = true;
        return found;
    };
    for key in KEPT_META {
        if let Ok(Some(value)) = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
                r.get::<_, String>(0)
            })
            .optional()
        {
            found.meta.push(((*key).to_owned(), value));
        }
    }
    let columns = "seq, entity, entity_id, op, fields, hlc";
    let mut garbled = false;
    for order in ["ASC", "DESC"] {
        let complete = read_until_damaged(
            &conn,
            &format!("SELECT {columns} FROM outbox ORDER BY seq {order}"),
            |r| {
                Ok(Salvaged {
                    seq: r.get(0)?,
                    entity: r.get(1)?,
                    entity_id: r.get(2)?,
                    op: r.get(3)?,
                    fields: r.get(4)?,
                    hlc: r.get(5)?,
                })
            },
            |row| {
                // A damaged page can also read back as garbage rather than fail: only rows
                // that still make a change are kept.
                if row.is_whole() {
                    found.outbox.insert(row.seq, row);
                } else {
                    garbled = true;
                }
            },
        );
        if complete {
            break;
        }
        found.outbox_damaged = true;
    }
    found.outbox_damaged |= garbled;
    for order in ["ASC", "DESC"] {
        let complete = read_until_damaged(
            &conn,
            &format!("SELECT hash, upload_state FROM photo_files ORDER BY hash {order}"),
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            |(hash, state)| {
                found.uploads.insert(hash, state);
            },
        );
        if complete {
            break;
        }
    }
    found
}

/// Runs `sql` and hands each row to `keep` until the end (returns true) or until a row cannot
/// be read (returns false).
fn read_until_damaged<T>(
    conn: &Connection,
    sql: &str,
    row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    mut keep: impl FnMut(T),
) -> bool {
    let Ok(mut stmt) = conn.prepare(sql) else {
        return false;
    };
    let Ok(rows) = stmt.query_map([], row) else {
        return false;
    };
    for read in rows {
        match read {
            Ok(value) => keep(value),
            Err(_) => return false,
        }
    }
    true
}

/// Builds `<name>.recovered` from what was salvaged, then swaps it in. Returns the report.
pub(crate) fn rebuild(path: &Path, photo_dir: &Path, wall: Arc<dyn WallClock>) -> Result<Recovery> {
    let found = salvage(path);
    let building = sibling(path, ".recovering");
    // What a recovery killed part-way left of its new file.
    for leftover in ["", "-wal", "-shm", "-journal"] {
        remove_if_exists(&sibling(&building, leftover))?;
    }
    let photos_kept;
    {
        let db = Db::open(&building, wall)?;
        photos_kept = db.write(|tx| fill(tx, &found, photo_dir))?;
    }
    // One self-contained file: its WAL written into it. (It stays in WAL mode: turning that off
    // and on again would rewrite its header under a rollback journal, which a kill could leave
    // hot.) Closing the last connection removes the WAL; a WAL still there is an error rather
    // than a file to carry along.
    Connection::open(&building)?.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let wal = sibling(&building, "-wal");
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        return Err(Error::Io(std::io::Error::other(
            "the rebuilt database could not be checkpointed",
        )));
    }
    remove_if_exists(&wal)?;
    remove_if_exists(&sibling(&building, "-shm"))?;
    std::fs::rename(&building, sibling(path, ".recovered"))?;
    sync_parent(path)?;
    let damaged = finish_interrupted(path)?;
    Ok(Recovery {
        damaged_file: damaged,
        salvaged_changes: found.outbox.len(),
        unsent_changes_lost: found.outbox_damaged,
        photos_kept,
        sign_in_again: true,
    })
}

/// Writes what was salvaged into the new file, in one transaction; returns the photo files kept.
fn fill(tx: &mut Tx<'_>, found: &Salvage, photo_dir: &Path) -> Result<usize> {
    for (key, value) in &found.meta {
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
    }
    let mut latest: Option<Hlc> = None;
    for row in found.outbox.values() {
        if let Ok(hlc) = row.hlc.parse::<Hlc>() {
            latest = latest.max(Some(hlc));
        }
        tx.execute(
            "INSERT INTO salvage(seq, entity, entity_id, op, fields, hlc) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                row.seq,
                row.entity,
                row.entity_id,
                row.op,
                row.fields,
                row.hlc
            ],
        )?;
    }
    // Edits made after recovery come after the salvaged ones.
    if let Some(latest) = latest {
        tx.clock_mut().observe(latest);
    }
    photos::library::record_kept_files(tx, photo_dir, &found.uploads)
}

/// Finishes a swap a crash interrupted: if `<name>.recovered` is there, the file at `path`
/// (if any) is set aside and the recovered one takes its place. Returns where the damaged file
/// went. Called by every open, so a recovery is never half done.
pub(crate) fn finish_interrupted(path: &Path) -> Result<Option<PathBuf>> {
    let ready = sibling(path, ".recovered");
    if !ready.exists() {
        return Ok(None);
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let aside = sibling(path, &format!(".damaged-{stamp}"));
    // The journal files first: a `-wal` left beside the new file would be replayed into it.
    for suffix in ["-wal", "-shm", ""] {
        let from = sibling(path, suffix);
        if from.exists() {
            std::fs::rename(&from, sibling(&aside, suffix))?;
        }
    }
    // The rebuilt file is whole on its own (see `rebuild`): anything beside it is stale.
    remove_if_exists(&sibling(&ready, "-wal"))?;
    remove_if_exists(&sibling(&ready, "-shm"))?;
    std::fs::rename(&ready, path)?;
    sync_parent(path)?;
    Ok(aside.exists().then_some(aside))
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io(e)),
        _ => Ok(()),
    }
}

/// Makes the renames in the database's directory durable.
fn sync_parent(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    photos::store::sync_dir(parent)?;
    Ok(())
}

/// Applies the salvaged changes on top of what the pull brought back, oldest first, with their
/// original clocks, and moves them to the outbox. Called by sync after a complete pull; returns
/// how many were restored. A change this phone cannot store any more is dropped.
pub(crate) fn restore(tx: &mut Tx<'_>) -> Result<usize> {
    let held = outbox::read(
        tx,
        "SELECT seq, entity, entity_id, op, fields, hlc FROM salvage ORDER BY seq",
        [],
    )?;
    let mut restored = 0;
    for (seq, change) in held {
        tx.execute_batch("SAVEPOINT salvaged_change")?;
        match merge::apply(tx, &change) {
            Ok(_) => {
                tx.execute_batch("RELEASE salvaged_change")?;
                tx.record_change(&change)?;
                restored += 1;
            }
            Err(err) if crate::sync::exchange::unstorable(&err) => {
                tx.execute_batch("ROLLBACK TO salvaged_change; RELEASE salvaged_change")?;
            }
            Err(err) => return Err(err),
        }
        tx.execute("DELETE FROM salvage WHERE seq = ?1", [seq])?;
    }
    Ok(restored)
}
