//! The phone's photo library: adding a photo to a product or producer, removing it, and keeping
//! the photo directory in step with the store.
//!
//! Files are named by content hash (`{blake3}.jpg`) and recorded once in `photo_files`, however
//! many photo rows use them. Adding runs the pixel pipeline *before* taking the writer, so a
//! slow decode never blocks other writes; the files are written atomically, then the rows are
//! committed in one transaction. If that transaction fails, files this call wrote are removed
//! again. A file is deleted once no photo row refers to it.

use super::store::{TEMP_PREFIX, write_atomic};
use super::{Limits, Processed, rows};
use crate::db::{Db, Tx};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use rusqlite::{Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Temp files and unrecorded files younger than this are left alone by the sweep: another
/// process (the app and its sync worker) may be in the middle of adding a photo.
const SWEEP_GRACE: Duration = Duration::from_secs(10 * 60);

/// The file name of an image with this content hash.
pub(crate) fn file_name(hash: &str) -> String {
    format!("{hash}.jpg")
}

/// Processes `source` and adds it at the end of `owner`'s photos. The same image added twice
/// to one owner gives back the existing photo; added to two owners, the file is stored once.
pub(crate) fn add(
    db: &Db,
    dir: &Path,
    limits: &Limits,
    owner: Id,
    source: &Path,
) -> Result<rows::Photo> {
    if !db.read(|c| rows::owner_exists(c, owner))? {
        return Err(Error::field("owner_id", Rule::Unknown));
    }
    add_with_owner(db, dir, limits, source, |_| Ok(owner)).map(|(_, photo)| photo)
}

/// Processes `source`, then makes its owner with `make_owner` and records the photo in one
/// transaction: a photo that is refused (or a store that fails) leaves no owner behind, so a
/// retry cannot make a second one (`sentra add-product --photo`, #17).
pub(crate) fn add_with_owner(
    db: &Db,
    dir: &Path,
    limits: &Limits,
    source: &Path,
    make_owner: impl FnOnce(&mut Tx<'_>) -> Result<Id>,
) -> Result<(Id, rows::Photo)> {
    let processed = super::process_file(source, limits)?;
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for image in [&processed.thumbnail, &processed.display] {
        let path = dir.join(file_name(&image.hash));
        let existed = path.exists();
        if let Err(err) = write_atomic(dir, &file_name(&image.hash), &image.bytes) {
            remove_unrecorded(db, dir, &written);
            return Err(err.into());
        }
        if !existed {
            written.push(image.hash.clone());
        }
    }
    let result = db.write(|tx| {
        let owner = make_owner(tx)?;
        Ok((owner, record(tx, owner, &processed)?))
    });
    if result.is_err() {
        remove_unrecorded(db, dir, &written);
    }
    result
}

/// Adds to `owner` a photo whose image files this phone already holds: a new photo row for
/// the same hashes, nothing processed or written again.
pub(crate) fn share(db: &Db, owner: Id, photo: &rows::Photo) -> Result<rows::Photo> {
    db.write(|tx| {
        let held: i64 = tx.query_row(
            "SELECT count(*) FROM photo_files WHERE hash = ?1",
            [&photo.hash],
            |r| r.get(0),
        )?;
        if held == 0 {
            return Err(Error::field("hash", Rule::Unknown));
        }
        let existing: Option<Id> = tx
            .prepare_cached("SELECT id FROM photos WHERE owner_id = ?1 AND hash = ?2")?
            .query_row(rusqlite::params![owner, photo.hash], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => id,
            None => rows::add(tx, owner, &photo.hash, photo.thumb_hash.as_deref())?,
        };
        rows::get(tx, id)?.ok_or(Error::NotFound { entity: "photo" })
    })
}

fn record(tx: &mut Tx<'_>, owner: Id, processed: &Processed) -> Result<rows::Photo> {
    let now = tx.now_ms();
    for (image, kind) in [
        (&processed.thumbnail, "thumbnail"),
        (&processed.display, "display"),
    ] {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO photo_files(hash, kind, width, height, bytes, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(rusqlite::params![
            image.hash,
            kind,
            image.width,
            image.height,
            image.bytes.len() as i64,
            now
        ])?;
    }
    let existing: Option<Id> = tx
        .prepare_cached("SELECT id FROM photos WHERE owner_id = ?1 AND hash = ?2")?
        .query_row(rusqlite::params![owner, processed.display.hash], |r| {
            r.get(0)
        })
        .optional()?;
    let id = match existing {
        Some(id) => id,
        None => rows::add(
            tx,
            owner,
            &processed.display.hash,
            Some(&processed.thumbnail.hash),
        )?,
    };
    rows::get(tx, id)?.ok_or(Error::NotFound { entity: "photo" })
}

/// Removes a photo row, and the files (and their upload records) no other row uses.
pub(crate) fn remove(db: &Db, dir: &Path, id: Id) -> Result<()> {
    let orphans = db.write(|tx| {
        let (display, thumbnail) = rows::remove(tx, id)?;
        let mut orphans = Vec::new();
        for hash in [Some(display), thumbnail].into_iter().flatten() {
            if !file_in_use(tx, &hash)? {
                tx.execute("DELETE FROM photo_files WHERE hash = ?1", [&hash])?;
                orphans.push(hash);
            }
        }
        Ok(orphans)
    })?;
    for hash in orphans {
        remove_file(&dir.join(file_name(&hash)));
    }
    Ok(())
}

/// Whether any photo row uses the file, as its display image or its thumbnail.
fn file_in_use(conn: &Connection, hash: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM photos WHERE hash = ?1 OR thumb_hash = ?1 LIMIT 1")?
        .query_row([hash], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Deletes files this call wrote that no committed row records (after a failed commit).
fn remove_unrecorded(db: &Db, dir: &Path, hashes: &[String]) {
    for hash in hashes {
        let recorded = db.read(|c| is_recorded(c, hash));
        if matches!(recorded, Ok(false)) {
            remove_file(&dir.join(file_name(hash)));
        }
    }
}

/// Whether `photo_files` records an image with this hash.
fn is_recorded(conn: &Connection, hash: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM photo_files WHERE hash = ?1")?
        .query_row([hash], |_| Ok(()))
        .optional()?
        .is_some())
}

fn remove_file(path: &Path) {
    // A file that is already gone is what we wanted; any other failure leaves a file for the
    // next sweep, which is harmless.
    let _ = std::fs::remove_file(path);
}

/// Clears what a crash can leave in the photo directory: temp files, and image files that no
/// committed row records. Only files older than a grace period are touched.
pub(crate) fn sweep(db: &Db, dir: &Path) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > SWEEP_GRACE);
        if !old {
            continue;
        }
        let stale = if name.starts_with(TEMP_PREFIX) {
            true
        } else if let Some(hash) = name.strip_suffix(".jpg") {
            !db.read(|c| is_recorded(c, hash))?
        } else {
            false
        };
        if stale {
            remove_file(&entry.path());
            removed += 1;
        }
    }
    Ok(removed)
}

/// Keeps a photo file fetched from the server (another producer's, for a facilitator or a
/// cooperative admin): checked against its hash, written atomically, and recorded as already
/// uploaded so it never enters the upload queue.
pub(crate) fn keep_downloaded(db: &Db, dir: &Path, hash: &str, bytes: &[u8]) -> Result<PathBuf> {
    if blake3::hash(bytes).to_hex().as_str() != hash {
        return Err(Error::Network(
            "the photo from the server does not match its hash".into(),
        ));
    }
    let size = size_of(bytes).ok_or(super::PhotoError::NotAnImage)?;
    std::fs::create_dir_all(dir)?;
    let path = write_atomic(dir, &file_name(hash), bytes)?;
    db.write(|tx| record_file(tx, hash, size, bytes.len(), true))?;
    Ok(path)
}

/// An image's width and height, read from its header.
fn size_of(bytes: &[u8]) -> Option<(u32, u32)> {
    super::sniff::read_header(bytes)
        .ok()
        .map(|header| (header.width, header.height))
}

/// Records an image file that is in the photo directory, as already uploaded or as waiting to
/// be uploaded.
fn record_file(
    tx: &mut Tx<'_>,
    hash: &str,
    (width, height): (u32, u32),
    bytes: usize,
    uploaded: bool,
) -> Result<()> {
    let kind = if width.max(height) <= super::THUMBNAIL_LONG_EDGE {
        "thumbnail"
    } else {
        "display"
    };
    let (state, confirmed) = if uploaded {
        ("uploaded", bytes as i64)
    } else {
        ("pending", 0)
    };
    let now = tx.now_ms();
    tx.execute(
        "INSERT OR IGNORE INTO photo_files(hash, kind, width, height, bytes, upload_state, \
         confirmed_bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![
            hash,
            kind,
            width,
            height,
            bytes as i64,
            state,
            confirmed,
            now
        ],
    )?;
    Ok(())
}

/// Records every image file in `dir` whose content matches its hash name, for a database
/// rebuilt after damage (see `recovery`): those `uploads` says were uploaded stay so, the rest
/// wait to be sent again (the server keeps a complete file as it is). A file that does not
/// match its name is left unrecorded, for the sweep. Returns how many were recorded.
pub(crate) fn record_kept_files(
    tx: &mut Tx<'_>,
    dir: &Path,
    uploads: &std::collections::HashMap<String, String>,
) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut kept = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(hash) = name.strip_suffix(".jpg") else {
            continue;
        };
        let Ok(bytes) = std::fs::read(entry.path()) else {
            continue;
        };
        if blake3::hash(&bytes).to_hex().as_str() != hash {
            continue;
        }
        let Some(size) = size_of(&bytes) else {
            continue;
        };
        let uploaded = uploads.get(hash).is_some_and(|s| s == "uploaded");
        record_file(tx, hash, size, bytes.len(), uploaded)?;
        kept += 1;
    }
    Ok(kept)
}

/// Where an image file with this hash lives, if it is recorded on this phone.
pub(crate) fn path_of(db: &Db, dir: &Path, hash: &str) -> Result<Option<PathBuf>> {
    let known = db.read(|c| is_recorded(c, hash))?;
    Ok(known.then(|| dir.join(file_name(hash))))
}
