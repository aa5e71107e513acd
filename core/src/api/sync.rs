//! Sync from the handle: the outbox and its acknowledgement, the clock and its correction
//! against the server's time, the push and pull exchange, one whole sync run, and the status
//! screen.

use crate::sync::outbox::OutboxEntry;
use crate::{Error, Hlc, Id, Result, Sentra, db, photos, sync};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// The state of sync, for the status screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncStatus {
    /// Changes waiting to be pushed, by kind.
    pub pending: Vec<PendingCount>,
    /// Photo files waiting, uploading, failed and uploaded.
    pub photos: photos::UploadSummary,
    /// When the last sync completed (Unix ms).
    pub last_success_ms: Option<i64>,
    /// Why the last sync stopped early, if it did.
    pub last_error: Option<String>,
    /// Entries the server refused.
    pub quarantined: usize,
    /// Notices not yet dismissed (see [`Sentra::notices`]).
    pub notices: usize,
    /// The clock offset measured against the server, in ms.
    pub clock_offset_ms: i64,
    /// Bytes this phone's syncs sent and received this calendar month (WIB), photos included.
    pub data_month_bytes: i64,
}

/// Pending outbox entries by kind, for the sync status screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingCount {
    /// The entity kind (`product`, `order`, …).
    pub entity: String,
    /// How many entries wait to be pushed.
    pub count: i64,
}

impl Sentra {
    // ----- sync bookkeeping -----

    /// Up to `limit` outbox entries after sequence `after_seq`, oldest first.
    pub fn outbox(&self, after_seq: i64, limit: usize) -> Result<Vec<OutboxEntry>> {
        let device = self.device_id();
        self.db
            .read(|c| sync::outbox::pending(c, device, after_seq, limit))
    }

    /// Drops the outbox entries up to and including `seq`, which the server has acknowledged.
    /// Sequence numbers are never reused. Returns how many entries were removed.
    pub fn acknowledge(&self, seq: i64) -> Result<usize> {
        self.db.write(|tx| sync::outbox::acknowledge(tx, seq))
    }

    /// Pending outbox entries per kind.
    pub fn pending_counts(&self) -> Result<Vec<PendingCount>> {
        let counts = self.db.read(sync::outbox::pending_counts)?;
        Ok(counts
            .into_iter()
            .map(|(entity, count)| PendingCount { entity, count })
            .collect())
    }

    /// The last HLC timestamp this device handed out.
    pub fn clock(&self) -> Hlc {
        self.db.clock().last()
    }

    /// Applies the clock offset the server measured (server time minus device time). Pending
    /// outbox entries are re-stamped on the corrected timeline, so a phone that was months
    /// ahead or behind does not make its unsynced edits win or lose wrongly.
    pub fn correct_clock(&self, offset_ms: i64) -> Result<()> {
        self.db.write(|tx| correct_clock(tx, offset_ms))
    }

    // ----- sync exchange -----

    /// The next push batch, cut at about `max_bytes` of JSON; `None` when nothing is pending.
    /// Its entries count as sent from here on: a later clock correction leaves their stamps as
    /// they are (the server may hold them), so ask for a batch only to send it.
    pub fn sync_push_batch(&self, max_bytes: usize) -> Result<Option<sync::wire::PushRequest>> {
        let device = self.device_id();
        self.db
            .write(|tx| sync::exchange::push_batch(tx, device, max_bytes))
    }

    /// Settles the server's answer to a push: applied and duplicate entries leave the outbox,
    /// rejected ones are quarantined with their reason. Learns the clock offset from the
    /// server's time. Returns (settled, rejected).
    pub fn sync_settle_push(&self, response: &sync::wire::PushResponse) -> Result<(usize, usize)> {
        self.db.write(|tx| {
            note_pushed(tx, response)?;
            let settled = sync::exchange::settle_push(tx, response)?;
            learn_server_time(tx, response.server_time_ms)?;
            Ok(settled)
        })
    }

    /// The request for the next pull page, from the stored cursor.
    pub fn sync_pull_request(&self, max_bytes: usize) -> Result<sync::wire::PullRequest> {
        let device = self.device_id();
        self.db
            .read(|c| sync::exchange::pull_request(c, device, max_bytes))
    }

    /// Applies a pulled page with the merge rules and stores its cursor, in one transaction.
    /// Returns how many changes altered local state. With the last page of a pull, changes
    /// salvaged from a damaged file (see [`Sentra::recover`]) are applied on top and move to
    /// the outbox, in the same transaction, and producers that left the account's scope leave
    /// the phone (see [`sync::scope`]).
    pub fn sync_apply_pull(&self, page: &sync::wire::PullResponse) -> Result<usize> {
        self.db.write(|tx| {
            learn_server_time(tx, page.server_time_ms)?;
            // A page that starts the feed over (a first pull, or `reset`) names the scope, and so
            // does one whose scope only gained producers new to the feed (no re-pull needed).
            if page.scope.is_some() || page.reset || sync::exchange::cursor(tx)?.is_none() {
                sync::scope::remember(tx, page.scope.as_deref())?;
            }
            let changed = sync::exchange::apply_page(tx, page)?;
            if !page.more {
                crate::recovery::restore(tx)?;
                sync::scope::purge(tx)?;
            }
            Ok(changed)
        })
    }

    /// Runs one sync through `transport`: pull, push, pull, within `options`' deadline and byte
    /// budget, reporting progress and stopping when `cancel` is cancelled. See
    /// [`sync::engine`].
    pub async fn sync<T: sync::engine::Transport, L: sync::engine::ProgressListener + ?Sized>(
        &self,
        transport: &T,
        options: &sync::engine::SyncOptions,
        listener: Option<&L>,
        cancel: &sync::engine::CancelToken,
    ) -> Result<sync::engine::SyncReport> {
        sync::engine::run(self, transport, options, listener, cancel).await
    }

    /// Records how a sync ended (`None`: it completed) and returns how many syncs in a row
    /// have failed.
    pub(crate) fn note_sync_outcome(&self, error: Option<String>, bytes: u64) -> Result<u32> {
        self.db.write(|tx| {
            let now = tx.now_ms();
            add_month_bytes(tx, now, bytes)?;
            let failures: u32 = tx
                .query_row(
                    "SELECT value FROM meta WHERE key = 'sync_failures'",
                    [],
                    |r| r.get::<_, String>(0),
                )
                .optional()?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut put =
                tx.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
            let failures = match &error {
                None => {
                    put.execute(["last_sync_ms", &now.to_string()])?;
                    put.execute(["last_sync_error", ""])?;
                    0
                }
                Some(error) => {
                    put.execute(["last_sync_error", error])?;
                    failures + 1
                }
            };
            put.execute(["sync_failures", &failures.to_string()])?;
            Ok(failures)
        })
    }

    /// What the sync status screen shows: what waits to be pushed, photos waiting, the last
    /// successful sync, the last error, quarantined entries and the clock offset.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let pending = self.pending_counts()?;
        let photos = self.photo_upload_summary()?;
        let quarantined = self.quarantined()?.len();
        let notices = self.notices()?.len();
        let clock_offset_ms = self.db.clock().offset_ms();
        self.db.read(|conn| {
            let get = |key: &str| -> Result<Option<String>> {
                Ok(conn
                    .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                    .optional()?)
            };
            Ok(SyncStatus {
                pending,
                photos,
                last_success_ms: get("last_sync_ms")?.and_then(|v| v.parse().ok()),
                last_error: get("last_sync_error")?.filter(|e| !e.is_empty()),
                quarantined,
                notices,
                clock_offset_ms,
                data_month_bytes: month_bytes(
                    conn,
                    &month_of(conn, self.db.clock().physical_ms())?,
                )?,
            })
        })
    }

    /// Outbox entries the server refused, with its reasons, newest first.
    pub fn quarantined(&self) -> Result<Vec<sync::exchange::Quarantined>> {
        self.db.read(sync::exchange::quarantined)
    }

    /// Sends a refused change again (by its `seq` in [`Sentra::quarantined`]), carrying the
    /// thing's values as they are now: the user fixed it, then sends it. Returns its new
    /// sequence number. See [`sync::refusals`].
    pub fn resend_refused(&self, seq: i64) -> Result<i64> {
        self.db.write(|tx| sync::refusals::resend(tx, seq))
    }

    /// Lets a refused change go and takes the server's state for the thing it changed. Returns
    /// whether the next sync pulls the whole scope again to bring that state back. See
    /// [`sync::refusals`].
    pub fn discard_refused(&self, seq: i64) -> Result<bool> {
        self.db.write(|tx| sync::refusals::discard(tx, seq))
    }

    /// Products with a refused change, which the catalogue must not show as listed.
    pub fn refused_products(&self) -> Result<Vec<Id>> {
        self.db.read(sync::refusals::refused_products)
    }

    /// What syncs did to this user's own work that they have not dismissed yet (an edit that
    /// lost to a delete made on another phone), newest first.
    pub fn notices(&self) -> Result<Vec<sync::notices::Notice>> {
        self.db.read(sync::notices::list)
    }

    /// Dismisses a notice the user has read.
    pub fn dismiss_notice(&self, id: i64) -> Result<()> {
        self.db.write(|tx| sync::notices::dismiss(tx, id))
    }
}

/// The calendar month of an instant in Western Indonesian Time (UTC+7), `YYYY-MM`.
fn month_of(conn: &rusqlite::Connection, ms: i64) -> Result<String> {
    Ok(conn.query_row(
        "SELECT strftime('%Y-%m', ?1 / 1000 + 25200, 'unixepoch')",
        [ms],
        |r| r.get(0),
    )?)
}

/// Adds a sync's bytes to this month's sum; a new month starts from zero.
fn add_month_bytes(tx: &mut db::Tx<'_>, now_ms: i64, bytes: u64) -> Result<()> {
    let month = month_of(tx, now_ms)?;
    let before = month_bytes(tx, &month)?;
    let total = before.saturating_add(i64::try_from(bytes).unwrap_or(i64::MAX));
    let mut put = tx.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?;
    put.execute(["data_month", &month])?;
    put.execute(["data_month_bytes", &total.to_string()])?;
    Ok(())
}

/// The bytes kept for `month` (zero when the sum kept is of another month).
fn month_bytes(conn: &rusqlite::Connection, month: &str) -> Result<i64> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    };
    if get("data_month")?.as_deref() != Some(month) {
        return Ok(0);
    }
    Ok(get("data_month_bytes")?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Offsets that differ by less than this are measurement noise (the request's round trip), not
/// a wrong clock: the timeline is not moved for them.
const CLOCK_TOLERANCE_MS: i64 = 5_000;

/// Corrects the clock from the server's time, when the phone's clock is off by more than noise,
/// and notes when the clock was last checked against the server.
fn learn_server_time(tx: &mut db::Tx<'_>, server_time_ms: i64) -> Result<()> {
    let clock = tx.clock_mut();
    let offset = server_time_ms.saturating_sub(clock.wall_ms());
    // A date moved ahead and set right again between two syncs leaves no change of offset, but
    // stamps in the future: those are corrected too.
    let wrong_offset = (offset - clock.offset_ms()).abs() > CLOCK_TOLERANCE_MS;
    let stamped_ahead = clock.last().millis > server_time_ms.saturating_add(CLOCK_TOLERANCE_MS);
    if wrong_offset || stamped_ahead {
        correct_clock(tx, offset)?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('clock_checked_ms', ?1)",
        [server_time_ms.to_string()],
    )?;
    Ok(())
}

/// Remembers the latest timestamp among outbox entries the server has taken, before they leave
/// the outbox: a later clock correction keeps what still waits after it.
fn note_pushed(tx: &mut db::Tx<'_>, response: &sync::wire::PushResponse) -> Result<()> {
    let mut pushed = read_stamp(tx, "clock_pushed")?;
    for result in &response.results {
        if matches!(result.outcome, sync::wire::Outcome::Rejected { .. }) {
            continue;
        }
        let raw: Option<String> = tx
            .query_row("SELECT hlc FROM outbox WHERE seq = ?1", [result.seq], |r| {
                r.get(0)
            })
            .optional()?;
        let hlc = raw
            .map(|raw| raw.parse::<Hlc>().map_err(Error::Decode))
            .transpose()?;
        pushed = pushed.max(hlc);
    }
    if let Some(pushed) = pushed {
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('clock_pushed', ?1)",
            [pushed.to_string()],
        )?;
    }
    Ok(())
}

/// A timestamp kept in `meta` under `key`.
fn read_stamp(tx: &db::Tx<'_>, key: &str) -> Result<Option<Hlc>> {
    let raw: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    raw.map(|raw| raw.parse().map_err(Error::Decode))
        .transpose()
}

/// Sets the clock offset and moves the pending outbox entries that were stamped on the wrong
/// timeline onto the corrected one.
///
/// Each entry carries the phone's physical time when it was stamped. Between the last check
/// against the server and now, an entry made while the clock was right has a physical time in
/// that window, and one made after the clock went wrong has one outside it that the shift brings
/// inside: only those move, to the physical time plus the shift, which is when they were made in
/// real time. So an edit made while the clock was right keeps its stamp (and its place after the
/// phone's earlier edits) when the date is moved later, and an edit made after the date was moved
/// back takes its real time rather than the present (which would beat edits made after it on
/// other phones). When both readings are possible (the phone was offline longer than its clock
/// was wrong) the entry stays. A phone never checked has no entry known to be right, so all its
/// entries move (not past the present). An entry stamped in the future moves whatever the shift
/// (its date was moved ahead and set right before the sync): to the present at the latest.
///
/// Every entry stays after the entry before it, so the phone's own later edit always wins over
/// its earlier one; a moved entry also stays after the highest timestamp seen from elsewhere (it
/// was made after seeing it) and after every entry this phone has pushed.
///
/// An entry that has been put in a push batch never moves: the server may hold it with that
/// stamp already (the answer lost, or the batch still on its way while an earlier one's answer
/// corrects the clock), and a stamp moved here alone would let another phone's edit win on this
/// phone and lose everywhere else.
fn correct_clock(tx: &mut db::Tx<'_>, offset_ms: i64) -> Result<()> {
    let shift = tx.clock_mut().correct_offset(offset_ms);
    let now = tx.clock_mut().physical_ms();
    let checked: Option<i64> = tx
        .query_row(
            "SELECT value FROM meta WHERE key = 'clock_checked_ms'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|raw| raw.parse().ok());
    let possible = |ms: i64| {
        ms <= now.saturating_add(CLOCK_TOLERANCE_MS)
            && checked.is_none_or(|since| ms > since.saturating_sub(CLOCK_TOLERANCE_MS))
    };
    type Row = (i64, String, Id, String, String, String, Option<i64>);
    let rows: Vec<Row> = {
        let mut stmt = tx.prepare(
            "SELECT seq, entity, entity_id, op, fields, hlc, physical_ms FROM outbox ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let known = read_stamp(tx, "clock_seen")?.max(read_stamp(tx, "clock_pushed")?);
    let offered = sync::exchange::offered_up_to(tx)?;
    let mut previous: Option<Hlc> = None;
    for (seq, entity, id, op, fields, raw, physical) in rows {
        let old: Hlc = raw.parse().map_err(Error::Decode)?;
        if seq <= offered {
            // It has left the phone: the server may hold it with this stamp already.
            previous = Some(old);
            continue;
        }
        let made = physical.unwrap_or(old.millis);
        let corrected = made.saturating_add(shift);
        let placed = corrected.min(now).max(0);
        let ahead = made > now.saturating_add(CLOCK_TOLERANCE_MS);
        let wrong = ahead
            || (shift != 0 && (checked.is_none() || (!possible(made) && possible(corrected))));
        // An entry made while the clock was right can still carry a stamp in the future, after
        // one made on a clock set ahead: it goes back to when it was made.
        let stamped_ahead = old.millis > now.saturating_add(CLOCK_TOLERANCE_MS);
        let (mut new, floor) = if wrong || stamped_ahead {
            let millis = if wrong { placed } else { made.min(now).max(0) };
            let new = Hlc {
                millis,
                counter: 0,
                node: old.node,
            };
            (new, previous.max(known))
        } else {
            (old, previous)
        };
        // After the floor by millisecond and counter, not by device alone: a row's creation
        // clock is kept without its device, so an edit tied with it there would lose on every
        // replica but this one.
        if let Some(floor) = floor
            && new.packed() <= floor.packed()
        {
            new = tx.clock_mut().successor(floor);
        }
        if new != old {
            tx.execute(
                "UPDATE outbox SET hlc = ?1, physical_ms = ?2 WHERE seq = ?3",
                rusqlite::params![new.to_string(), if wrong { placed } else { made }, seq],
            )?;
            let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&fields)?;
            sync::restamp::restamp(tx, &entity, id, &op, &fields, old, new)?;
        }
        previous = Some(new);
    }
    if let Some(last) = previous.max(known) {
        tx.clock_mut().observe(last);
    }
    Ok(())
}
