//! Photo uploads: content-addressed, resumable in chunks, verified.
//!
//! `PUT /v1/photos/{hash}?offset=N&total=T` appends a chunk at byte `N` of a file of `T` bytes.
//! The server keeps the partial file; a chunk that does not start where the partial ends is
//! answered `409` with the offset the server has, so a device that lost its own record resumes
//! from the server's. When the last byte arrives the BLAKE3 hash is checked: a match moves the
//! file into the blob directory, a mismatch deletes it (`hash_mismatch`). `GET
//! /v1/photos/{hash}/status` says how many bytes the server has.

use crate::error::ApiError;
pub use sentra_core::sync::wire::PhotoAck as UploadAck;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The largest photo file accepted.
pub const MAX_PHOTO_BYTES: u64 = 10 * 1024 * 1024;

/// Checks a content hash: 64 lowercase hex digits, so it can never name another path.
pub fn check_hash(hash: &str) -> Result<(), ApiError> {
    let ok = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok { Ok(()) } else { Err(ApiError::BadHash) }
}

fn complete_path(dir: &Path, hash: &str) -> PathBuf {
    dir.join(format!("{hash}.jpg"))
}

fn partial_path(dir: &Path, hash: &str) -> PathBuf {
    dir.join("partial").join(hash)
}

/// How much of `hash` the server holds.
pub fn status(dir: &Path, hash: &str) -> Result<UploadAck, ApiError> {
    check_hash(hash)?;
    if let Ok(meta) = std::fs::metadata(complete_path(dir, hash)) {
        return Ok(UploadAck {
            confirmed: meta.len(),
            complete: true,
        });
    }
    let confirmed = std::fs::metadata(partial_path(dir, hash)).map_or(0, |m| m.len());
    Ok(UploadAck {
        confirmed,
        complete: false,
    })
}

/// The bytes of a complete photo, if the server has it.
pub fn read(dir: &Path, hash: &str) -> Result<Option<Vec<u8>>, ApiError> {
    check_hash(hash)?;
    match std::fs::read(complete_path(dir, hash)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// Appends a chunk; see the module docs.
pub fn append(
    dir: &Path,
    hash: &str,
    offset: u64,
    total: u64,
    chunk: &[u8],
) -> Result<UploadAck, ApiError> {
    let now = status(dir, hash)?;
    if now.complete {
        return Ok(now);
    }
    if total == 0 || total > MAX_PHOTO_BYTES || offset.saturating_add(chunk.len() as u64) > total {
        return Err(ApiError::BadBody);
    }
    if offset != now.confirmed {
        return Err(ApiError::WrongOffset(now.confirmed));
    }
    let partial = partial_path(dir, hash);
    let io = |e: std::io::Error| ApiError::Internal(e.to_string());
    std::fs::create_dir_all(partial.parent().unwrap_or(dir)).map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&partial)
        .map_err(io)?;
    file.write_all(chunk).map_err(io)?;
    file.sync_data().map_err(io)?;
    let confirmed = offset + chunk.len() as u64;
    if confirmed < total {
        return Ok(UploadAck {
            confirmed,
            complete: false,
        });
    }
    let bytes = std::fs::read(&partial).map_err(io)?;
    if blake3::hash(&bytes).to_hex().as_str() != hash {
        let _ = std::fs::remove_file(&partial);
        return Err(ApiError::HashMismatch);
    }
    std::fs::rename(&partial, complete_path(dir, hash)).map_err(io)?;
    Ok(UploadAck {
        confirmed,
        complete: true,
    })
}
