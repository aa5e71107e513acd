//! The upload queue: the state of every image file on its way to the server.
//!
//! Thumbnails go first, so a buyer sees something soon; display images follow. Each file is
//! `pending`, `uploading` with the offset the server confirmed (so a cut upload resumes there,
//! even after the app restarts), `uploaded`, or `failed` with a reason. The sync engine moves
//! files through these states; the app reads them to show "3 foto menunggu, 1 diunggah 40%".

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use rusqlite::Connection;
use serde::Serialize;

/// Which of a photo's two images a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageKind {
    /// The 320 px thumbnail.
    Thumbnail,
    /// The 1280 px display image.
    Display,
}

/// Where a file is on its way to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum UploadState {
    /// Waiting to be sent.
    Pending,
    /// Partly sent; the server has confirmed `confirmed_bytes`.
    Uploading {
        /// Bytes the server has confirmed.
        confirmed_bytes: i64,
    },
    /// On the server.
    Uploaded,
    /// Refused by the server, with its reason; not retried until the user retries.
    Failed {
        /// Why, as the server said it.
        reason: String,
    },
}

/// One image file and its upload state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoFile {
    /// Content hash (lowercase hex BLAKE3), also the file's name.
    pub hash: String,
    /// Thumbnail or display image.
    pub kind: ImageKind,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Size of the file in bytes.
    pub bytes: i64,
    /// Upload state.
    pub state: UploadState,
}

/// Counts for the sync status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct UploadSummary {
    /// Files waiting to be sent.
    pub waiting: i64,
    /// Files partly sent.
    pub uploading: i64,
    /// Percent of the partly sent files' bytes already confirmed, when any are partly sent.
    pub uploading_percent: Option<i64>,
    /// Files the server refused.
    pub failed: i64,
    /// Files on the server.
    pub uploaded: i64,
}

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PhotoFile> {
    let kind: String = r.get(1)?;
    let state: String = r.get(5)?;
    let confirmed: i64 = r.get(6)?;
    let failure: Option<String> = r.get(7)?;
    Ok(PhotoFile {
        hash: r.get(0)?,
        kind: if kind == "display" {
            ImageKind::Display
        } else {
            ImageKind::Thumbnail
        },
        width: r.get(2)?,
        height: r.get(3)?,
        bytes: r.get(4)?,
        state: match state.as_str() {
            "uploading" => UploadState::Uploading {
                confirmed_bytes: confirmed,
            },
            "uploaded" => UploadState::Uploaded,
            "failed" => UploadState::Failed {
                reason: failure.unwrap_or_default(),
            },
            _ => UploadState::Pending,
        },
    })
}

const COLUMNS: &str = "hash, kind, width, height, bytes, upload_state, confirmed_bytes, failure";

/// Files still to send, in the order to send them: thumbnails first, then display images,
/// oldest first within each. With `thumbnails_only` (a metered network, by the user's choice),
/// display images wait.
pub(crate) fn queue(conn: &Connection, thumbnails_only: bool) -> Result<Vec<PhotoFile>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM photo_files \
         WHERE upload_state IN ('pending', 'uploading') AND (?1 = 0 OR kind = 'thumbnail') \
         ORDER BY kind = 'display', created_at, hash"
    ))?;
    let rows = stmt.query_map([thumbnails_only], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One file's record.
pub(crate) fn get(conn: &Connection, hash: &str) -> Result<Option<PhotoFile>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM photo_files WHERE hash = ?1"
        ))?
        .query_row([hash], from_row)
        .optional()?)
}

/// The counts behind "3 foto menunggu, 1 diunggah 40%".
pub(crate) fn summary(conn: &Connection) -> Result<UploadSummary> {
    let mut s = UploadSummary::default();
    let mut stmt = conn.prepare_cached(
        "SELECT upload_state, count(*), sum(confirmed_bytes), sum(bytes) FROM photo_files \
         GROUP BY upload_state",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (state, n, confirmed, total) = row?;
        match state.as_str() {
            "pending" => s.waiting = n,
            "uploading" => {
                s.uploading = n;
                s.uploading_percent = (total > 0).then(|| confirmed * 100 / total);
            }
            "uploaded" => s.uploaded = n,
            "failed" => s.failed = n,
            _ => {}
        }
    }
    Ok(s)
}

/// Records the offset the server confirmed for a file being sent.
pub(crate) fn confirm(tx: &mut Tx<'_>, hash: &str, confirmed_bytes: i64) -> Result<()> {
    let file = get(tx, hash)?.ok_or(Error::NotFound {
        entity: "photo_file",
    })?;
    if confirmed_bytes < 0 || confirmed_bytes > file.bytes {
        return Err(Error::field("confirmed_bytes", Rule::OutOfRange));
    }
    let state = if confirmed_bytes == file.bytes {
        "uploaded"
    } else {
        "uploading"
    };
    tx.execute(
        "UPDATE photo_files SET upload_state = ?1, confirmed_bytes = ?2, failure = NULL WHERE hash = ?3",
        rusqlite::params![state, confirmed_bytes, hash],
    )?;
    Ok(())
}

/// Marks a file as refused by the server, with the reason; it leaves the queue.
pub(crate) fn fail(tx: &mut Tx<'_>, hash: &str, reason: &str) -> Result<()> {
    let changed = tx.execute(
        "UPDATE photo_files SET upload_state = 'failed', failure = ?1 WHERE hash = ?2",
        rusqlite::params![reason, hash],
    )?;
    if changed == 0 {
        return Err(Error::NotFound {
            entity: "photo_file",
        });
    }
    Ok(())
}

/// Puts failed files back in the queue, from the start.
pub(crate) fn retry_failed(tx: &mut Tx<'_>) -> Result<usize> {
    Ok(tx.execute(
        "UPDATE photo_files SET upload_state = 'pending', confirmed_bytes = 0, failure = NULL \
         WHERE upload_state = 'failed'",
        [],
    )?)
}
