//! Photo uploads: content-addressed, resumable in chunks, verified.
//!
//! `PUT /v1/photos/{hash}?offset=N&total=T` appends a chunk at byte `N` of a file of `T` bytes.
//! The server keeps the partial upload (in its blob store, [`crate::blobs`]); a chunk that does not start where the partial ends is
//! answered `409` with the offset the server has, so a device that lost its own record resumes
//! from the server's. When the last byte arrives the BLAKE3 hash is checked: a match makes the
//! upload the complete photo, a mismatch deletes it (`hash_mismatch`). `GET
//! /v1/photos/{hash}/status` says how many bytes the server has.
//!
//! A complete file must also be what the core's photo pipeline makes ([`check_clean_jpeg`]):
//! a baseline or progressive JPEG no larger than a display image, whose only header segment
//! besides the image's own tables is JFIF APP0. Anything else (an HTML page, an EXIF block
//! with a GPS position, a comment) is refused as `not_a_clean_photo` and deleted, so the
//! server never serves what a phone would not have sent.

use crate::blobs::Blobs;
use crate::error::ApiError;
pub use sentra_core::sync::wire::PhotoAck as UploadAck;

/// The largest photo file accepted.
pub const MAX_PHOTO_BYTES: u64 = 10 * 1024 * 1024;

/// Checks a content hash: 64 lowercase hex digits, so it can never name another path.
pub fn check_hash(hash: &str) -> Result<(), ApiError> {
    let ok = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok { Ok(()) } else { Err(ApiError::BadHash) }
}

/// How much of `hash` the server holds.
pub fn status(blobs: &dyn Blobs, hash: &str) -> Result<UploadAck, ApiError> {
    check_hash(hash)?;
    if let Some(size) = blobs.complete(hash).map_err(internal)? {
        return Ok(UploadAck {
            confirmed: size,
            complete: true,
        });
    }
    Ok(UploadAck {
        confirmed: blobs.partial(hash).map_err(internal)?,
        complete: false,
    })
}

/// The bytes of a complete photo, if the server has it.
pub fn read(blobs: &dyn Blobs, hash: &str) -> Result<Option<Vec<u8>>, ApiError> {
    check_hash(hash)?;
    blobs.read(hash).map_err(internal)
}

/// Appends a chunk; see the module docs.
pub fn append(
    blobs: &dyn Blobs,
    hash: &str,
    offset: u64,
    total: u64,
    chunk: &[u8],
) -> Result<UploadAck, ApiError> {
    let now = status(blobs, hash)?;
    if now.complete {
        return Ok(now);
    }
    if total == 0 || total > MAX_PHOTO_BYTES || offset.saturating_add(chunk.len() as u64) > total {
        return Err(ApiError::BadBody);
    }
    if offset != now.confirmed {
        return Err(ApiError::WrongOffset(now.confirmed));
    }
    let confirmed = blobs.append(hash, offset, chunk).map_err(internal)?;
    if confirmed != offset + chunk.len() as u64 {
        // Another chunk got there first (through another server).
        return Err(ApiError::WrongOffset(confirmed));
    }
    if confirmed < total {
        return Ok(UploadAck {
            confirmed,
            complete: false,
        });
    }
    let bytes = blobs.partial_bytes(hash).map_err(internal)?;
    if blake3::hash(&bytes).to_hex().as_str() != hash {
        blobs.discard(hash).map_err(internal)?;
        return Err(ApiError::HashMismatch);
    }
    if check_clean_jpeg(&bytes).is_err() {
        blobs.discard(hash).map_err(internal)?;
        return Err(ApiError::NotACleanPhoto);
    }
    blobs.finish(hash, &bytes).map_err(internal)?;
    Ok(UploadAck {
        confirmed,
        complete: true,
    })
}

/// The long edges of the smaller copies the storefront serves: a product photo on a phone
/// (400), and on a larger screen (640); 160 was a card's before the square card copy
/// ([`read_card`]) and is still served for pages a browser kept. The 320 px thumbnail and the
/// 1280 px display image come from the phone itself. (With a real camera photo, quality 80:
/// about 8, 36 and 86 KB, against 25 KB for the thumbnail and 340 KB for the display image.)
pub const COPY_EDGES: [u32; 3] = [160, 400, 640];

/// Where the copy of `hash` at `edge` px is kept: a content-hash-shaped name derived from both,
/// stored like any photo, so every server on a shared PostgreSQL has it once one made it.
pub fn copy_key(hash: &str, edge: u32) -> String {
    blake3::hash(format!("sentra photo copy {edge} of {hash}").as_bytes())
        .to_hex()
        .to_string()
}

/// The copy of the photo `hash` whose long edge is at most `edge` px (one of [`COPY_EDGES`]),
/// made with the core's photo pipeline the first time it is asked for and kept; `None` when
/// the photo itself is not here. Blocks. The caller decides whether the photo is public.
pub fn read_copy(blobs: &dyn Blobs, hash: &str, edge: u32) -> Result<Option<Vec<u8>>, ApiError> {
    check_hash(hash)?;
    if !COPY_EDGES.contains(&edge) {
        return Err(ApiError::PhotoNotFound);
    }
    read_or_make(blobs, hash, &copy_key(hash, edge), |original| {
        sentra_core::photos::copies::smaller_copy(original, edge)
    })
}

/// What a catalogue card's copy is called in its address (`/foto/{hash}/kartu`).
pub const CARD_COPY: &str = "kartu";

/// Where the card copy of `hash` is kept: named by its size and quality too, so a copy made
/// with other settings is never served as this one.
pub fn card_key(hash: &str) -> String {
    use sentra_core::photos::copies::{CARD_EDGE, CARD_QUALITY};
    blake3::hash(format!("sentra photo card {CARD_EDGE} q{CARD_QUALITY} of {hash}").as_bytes())
        .to_hex()
        .to_string()
}

/// The square copy a catalogue card shows
/// ([`sentra_core::photos::copies::card_copy`]), made the first time it is asked for and kept
/// like [`read_copy`]'s copies; `None` when the photo itself is not here. Blocks.
pub fn read_card(blobs: &dyn Blobs, hash: &str) -> Result<Option<Vec<u8>>, ApiError> {
    check_hash(hash)?;
    read_or_make(
        blobs,
        hash,
        &card_key(hash),
        sentra_core::photos::copies::card_copy,
    )
}

/// The blob `key` if kept, else `make` applied to the photo `hash`, kept under `key`.
fn read_or_make(
    blobs: &dyn Blobs,
    hash: &str,
    key: &str,
    make: impl FnOnce(&[u8]) -> Result<sentra_core::photos::Encoded, sentra_core::photos::PhotoError>,
) -> Result<Option<Vec<u8>>, ApiError> {
    if let Some(bytes) = blobs.read(key).map_err(internal)? {
        return Ok(Some(bytes));
    }
    let Some(original) = blobs.read(hash).map_err(internal)? else {
        return Ok(None);
    };
    let copy = make(&original)
        .map_err(|e| ApiError::Internal(format!("photo copy of {hash}: {e}")))?
        .bytes;
    keep(blobs, key, &copy);
    Ok(Some(copy))
}

/// Stores a copy as an upload of one chunk; when another request (or server) is storing the
/// same copy, or left half of one behind, this one is not kept (the next request makes it).
fn keep(blobs: &dyn Blobs, key: &str, bytes: &[u8]) {
    let stored = blobs.append(key, 0, bytes).and_then(|held| {
        if held == bytes.len() as u64 {
            blobs.finish(key, bytes)
        } else {
            blobs.discard(key)
        }
    });
    if let Err(err) = stored {
        tracing::warn!(%err, "a photo copy was not kept");
    }
}

fn internal(err: crate::store::StoreError) -> ApiError {
    ApiError::Internal(err.to_string())
}

/// Why a file is not a clean photo (for logs and tests; the client sees one code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unclean {
    /// It does not start as a JPEG, or its segments are cut short.
    NotJpeg,
    /// It carries a segment the pipeline never writes (EXIF or XMP in APP1, any other APPn,
    /// a comment).
    Metadata(u8),
    /// Larger than a display image.
    TooLarge,
    /// The picture itself does not decode, or bytes follow its end.
    Broken,
}

/// Checks that `bytes` is a JPEG as the core's pipeline writes it: the segments before the
/// scan are only JFIF APP0 and the image's tables and frame, the long edge is at most
/// [`sentra_core::photos::DISPLAY_LONG_EDGE`], the file ends at its end-of-image marker, and
/// the picture decodes.
pub fn check_clean_jpeg(bytes: &[u8]) -> Result<(), Unclean> {
    if bytes.len() < 4 || bytes[..2] != [0xFF, 0xD8] {
        return Err(Unclean::NotJpeg);
    }
    let mut at = 2;
    let mut size = None;
    loop {
        // Markers may be padded with extra 0xFF bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(Unclean::NotJpeg);
        };
        let len = match bytes.get(at + 2..at + 4) {
            Some(l) => usize::from(u16::from_be_bytes([l[0], l[1]])),
            None => return Err(Unclean::NotJpeg),
        };
        let body = bytes.get(at + 4..at + 2 + len).ok_or(Unclean::NotJpeg)?;
        if len < 2 {
            return Err(Unclean::NotJpeg);
        }
        match marker {
            0xE0 if body.starts_with(b"JFIF\0") => {}
            // Frame headers (baseline, extended, progressive): the size is checked.
            0xC0..=0xC2 => {
                let edge = |i: usize| body.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
                size = Some((
                    edge(1).ok_or(Unclean::NotJpeg)?,
                    edge(3).ok_or(Unclean::NotJpeg)?,
                ));
            }
            // Quantisation and Huffman tables, restart interval.
            0xDB | 0xC4 | 0xDD => {}
            // The scan: the header part is over.
            0xDA => break,
            other => return Err(Unclean::Metadata(other)),
        }
        at += 2 + len;
    }
    let Some((height, width)) = size else {
        return Err(Unclean::NotJpeg);
    };
    let long_edge = u32::from(height.max(width));
    if long_edge > sentra_core::photos::DISPLAY_LONG_EDGE {
        return Err(Unclean::TooLarge);
    }
    if !bytes.ends_with(&[0xFF, 0xD9]) {
        return Err(Unclean::Broken);
    }
    let mut reader =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg);
    let mut limits = image::Limits::default();
    let edge = sentra_core::photos::DISPLAY_LONG_EDGE;
    limits.max_image_width = Some(edge);
    limits.max_image_height = Some(edge);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    reader.decode().map(drop).map_err(|_| Unclean::Broken)
}
