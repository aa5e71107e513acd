//! The device's side of one push and one pull, independent of how bytes travel.
//!
//! A push batch is the oldest outbox entries, cut by bytes, not by count. The server's answer
//! settles each entry: applied or duplicate ones leave the outbox; rejected ones move to the
//! `quarantine` table with the server's code and reason, where the user can see them, and the
//! queue goes on. A pulled page is applied and its cursor stored in one transaction, so a cut
//! connection never leaves half a page.

use crate::db::Tx;
use crate::error::{Error, Result};
use crate::id::Id;
use crate::sync::clock::Hlc;
use crate::sync::merge::{self, Applied};
use crate::sync::notices;
use crate::sync::outbox;
use crate::sync::wire::{
    Outcome, PROTOCOL_VERSION, PullRequest, PullResponse, PushEntry, PushRequest, PushResponse,
};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

/// An outbox entry the server refused for good.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quarantined {
    /// The entry's sequence number.
    pub seq: i64,
    /// The kind of thing it changed.
    pub entity: String,
    /// Its id.
    pub entity_id: Id,
    /// The operation.
    pub op: String,
    /// The server's stable code.
    pub code: String,
    /// The server's reason.
    pub reason: String,
}

/// The next push batch: the oldest pending entries, stopping once about `max_bytes` of JSON is
/// reached (always at least one entry). `None` when the outbox is empty.
pub(crate) fn push_batch(
    tx: &mut Tx<'_>,
    device: Id,
    max_bytes: usize,
) -> Result<Option<PushRequest>> {
    let batch = push_batch_after(
        tx,
        device,
        0,
        max_bytes,
        crate::sync::wire::MAX_PUSH_ENTRIES,
    )?;
    note_offered(tx, batch.as_ref())?;
    Ok(batch)
}

/// The next push batch after the entry `after_seq` (a batch still on its way ends there), of
/// at most `max_entries` entries.
pub(crate) fn next_batch(
    sentra: &crate::Sentra,
    after_seq: i64,
    max_bytes: usize,
    max_entries: usize,
) -> Result<Option<PushRequest>> {
    let device = sentra.device_id();
    sentra.db.write(|tx| {
        let batch = push_batch_after(tx, device, after_seq, max_bytes, max_entries)?;
        note_offered(tx, batch.as_ref())?;
        Ok(batch)
    })
}

/// The `meta` key of the last outbox entry put in a push batch.
const OFFERED: &str = "push_offered_seq";

/// Notes that the batch's entries are leaving the phone, in the transaction that read them:
/// from here on the server may hold them with the stamps they carry (its answer may be lost),
/// so a clock correction leaves them as they are (see [`offered_up_to`]).
fn note_offered(tx: &mut Tx<'_>, batch: Option<&PushRequest>) -> Result<()> {
    let Some(last) = batch.and_then(|b| b.entries.last()) else {
        return Ok(());
    };
    if last.seq > offered_up_to(tx)? {
        set_offered(tx, last.seq)?;
    }
    Ok(())
}

/// Takes back the offer of the entries from `first_seq` on: they were cut from a batch before it
/// left, or the server refused their batch whole and applied none of it (`clock_wrong`, judged on
/// the phone's clock, which every batch sent with it shares, or on a stamp ahead, which every
/// later entry's stamp is at or after), and so refused the batches after it too. A correction
/// may move their stamps again. Only entries first offered in this sync may be named: one offered
/// in an earlier sync whose answer was lost may be on the server, whatever this push was told.
pub(crate) fn withdraw_offer(sentra: &crate::Sentra, first_seq: i64) -> Result<()> {
    sentra.db.write(|tx| {
        if first_seq <= offered_up_to(tx)? {
            set_offered(tx, first_seq - 1)?;
        }
        Ok(())
    })
}

fn set_offered(tx: &mut Tx<'_>, seq: i64) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
        rusqlite::params![OFFERED, seq.to_string()],
    )?;
    Ok(())
}

/// The last outbox entry that has been put in a push batch (0 if none): it and every entry
/// before it may be on the server already, with the stamp it left with.
pub(crate) fn offered_up_to(conn: &Connection) -> Result<i64> {
    let raw: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [OFFERED], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(raw.and_then(|raw| raw.parse().ok()).unwrap_or(0))
}

fn push_batch_after(
    conn: &Connection,
    device: Id,
    after_seq: i64,
    max_bytes: usize,
    max_entries: usize,
) -> Result<Option<PushRequest>> {
    let max_entries = max_entries.clamp(1, crate::sync::wire::MAX_PUSH_ENTRIES);
    let mut entries = Vec::new();
    let mut size = 0;
    let mut after = after_seq;
    'pages: loop {
        let page = outbox::pending(conn, device, after, 256)?;
        if page.is_empty() {
            break;
        }
        for entry in page {
            after = entry.seq;
            let push = PushEntry {
                seq: entry.seq,
                change: entry.into_change(),
            };
            size += serde_json::to_vec(&push)?.len();
            entries.push(push);
            if size >= max_bytes || entries.len() >= max_entries {
                break 'pages;
            }
        }
    }
    Ok((!entries.is_empty()).then_some(PushRequest {
        version: PROTOCOL_VERSION,
        device_id: device,
        entries,
    }))
}

/// Settles a push: applied and duplicate entries leave the outbox, rejected ones go to
/// quarantine. Returns (settled, rejected).
pub(crate) fn settle_push(tx: &mut Tx<'_>, response: &PushResponse) -> Result<(usize, usize)> {
    let (mut settled, mut rejected) = (0, 0);
    for result in &response.results {
        match &result.outcome {
            Outcome::Applied | Outcome::Duplicate => {}
            Outcome::Rejected { code, reason, .. } => {
                let moved = tx.execute(
                    "INSERT OR REPLACE INTO quarantine(seq, entity, entity_id, op, fields, hlc, code, reason) \
                     SELECT seq, entity, entity_id, op, fields, hlc, ?2, ?3 FROM outbox WHERE seq = ?1",
                    rusqlite::params![result.seq, code, reason],
                )?;
                rejected += moved;
            }
        }
        settled += tx.execute("DELETE FROM outbox WHERE seq = ?1", [result.seq])?;
    }
    Ok((settled, rejected))
}

/// The pull request for the next page.
pub(crate) fn pull_request(conn: &Connection, device: Id, max_bytes: usize) -> Result<PullRequest> {
    Ok(PullRequest {
        version: PROTOCOL_VERSION,
        device_id: device,
        cursor: cursor(conn)?,
        max_bytes,
    })
}

/// The cursor after the last applied page.
pub(crate) fn cursor(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'pull_cursor'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// Applies a pulled page and stores its cursor, in the caller's one transaction. Returns how
/// many changes altered local state. Timestamps too far in the future are refused whole.
pub(crate) fn apply_page(tx: &mut Tx<'_>, page: &PullResponse) -> Result<usize> {
    let mut changed = 0;
    let mut seen: Option<Hlc> = None;
    let node = tx.clock_mut().node();
    for change in &page.changes {
        if !tx.clock_mut().observe(change.hlc) {
            return Err(Error::Decode(
                "a pulled change is stamped too far in the future".into(),
            ));
        }
        seen = seen.max(Some(change.hlc));
        // A change this device cannot store (a create missing its fields, a value of the wrong
        // type: sent by a buggy or hostile app, and authorised because the data was its own) is
        // skipped, so one bad change never wedges every puller in its scope. Storage failures
        // (a full disk, a damaged file) still fail the page, to be retried.
        // A change no local write could have made (a value outside the rules, a variant outside
        // its product's id range) is skipped the same way: the server refuses such changes, but
        // a phone does not take the server's word for it.
        if crate::sync::rules::check(change).is_err() {
            continue;
        }
        tx.execute_batch("SAVEPOINT pulled_change")?;
        let applied =
            notices::before_delete(tx, change, node).and_then(|()| merge::apply(tx, change));
        match applied {
            Ok(applied) => {
                tx.execute_batch("RELEASE pulled_change")?;
                if applied == Applied::Changed {
                    changed += 1;
                }
            }
            Err(err) if unstorable(&err) => {
                tx.execute_batch("ROLLBACK TO pulled_change; RELEASE pulled_change")?;
            }
            Err(err) => return Err(err),
        }
    }
    if let Some(seen) = seen {
        // The highest timestamp seen from elsewhere: a clock correction keeps later local edits
        // after it.
        let known: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'clock_seen'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let known = known.and_then(|raw| raw.parse::<Hlc>().ok());
        if known.is_none_or(|known| seen > known) {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('clock_seen', ?1)",
                [seen.to_string()],
            )?;
        }
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('pull_cursor', ?1)",
        [&page.next_cursor],
    )?;
    Ok(changed)
}

/// Whether a pulled change failed because of what it says rather than because of this device.
pub(crate) fn unstorable(err: &Error) -> bool {
    match err {
        Error::Validation(_) | Error::Decode(_) | Error::NotFound { .. } => true,
        Error::Storage(rusqlite::Error::SqliteFailure(failure, _)) => {
            matches!(
                failure.code,
                rusqlite::ErrorCode::ConstraintViolation | rusqlite::ErrorCode::TypeMismatch
            )
        }
        Error::Storage(
            rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::ToSqlConversionFailure(_),
        ) => true,
        _ => false,
    }
}

/// Entries the server refused, newest first.
pub(crate) fn quarantined(conn: &Connection) -> Result<Vec<Quarantined>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, entity, entity_id, op, code, reason FROM quarantine ORDER BY seq DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Quarantined {
            seq: r.get(0)?,
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            op: r.get(3)?,
            code: r.get(4)?,
            reason: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
