//! Photos: the pixel pipeline that turns a phone photo into an upright, metadata-free display
//! JPEG (long edge at most 1280 px) and a thumbnail (long edge at most 320 px); the photo
//! library on the phone ([`library`]: content-addressed files and the ordered photo [`rows`]
//! of a product or producer); and the upload queue ([`uploads`]).
//!
//! Pipeline, tuned for cheap Android phones (see `DECISIONS.md`):
//!
//! 1. size cap on the input (before reading a file);
//! 2. format sniffed from magic bytes (JPEG, PNG, WebP; HEIC and AVIF are
//!    recognised and refused with their own code) and the header parsed
//!    without allocating, so oversized pixel counts are rejected up front;
//! 3. EXIF orientation read (JPEG APP1, PNG `eXIf`, WebP `EXIF`);
//! 4. decode: a JPEG's scans are first checked to carry enough data for the
//!    frame it claims ([`scans`]); JPEG is decoded at 1/2, 3/8, 1/4 or 1/8
//!    size in the DCT domain when that still covers 1280 px ([`reduced_jpeg`]);
//!    PNG row by row into whole-factor boxes ([`png_rows`]); lossy WebP one VP8
//!    macroblock row at a time into the same boxes ([`webp_rows`], `sentra-vp8`);
//!    other WebP whole by `image-webp`; alpha is flattened onto white;
//! 5. SIMD Lanczos3 downscale to the display size, conversion to sRGB when the
//!    file carries another ICC profile ([`colour`]), then the orientation is
//!    applied to the small image;
//! 6. the thumbnail is made from the display image, not from the source;
//! 7. both are encoded as JPEG quality 80, 4:2:0, with only a JFIF header, and
//!    hashed with BLAKE3 for content-addressed storage ([`store`]).
//!
//! Images are never upscaled.

mod boxes;
mod colour;
pub mod copies;
mod decode;
mod encode;
mod error;
pub(crate) mod library;
mod orientation;
mod png_rows;
mod reduced_jpeg;
mod resize;
pub(crate) mod rows;
mod scans;
mod sniff;
pub mod store;
pub mod uploads;
mod webp_rows;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

pub use error::PhotoError;
pub use rows::Photo;
pub(crate) use rows::is_hash;
pub use uploads::{ImageKind, PhotoFile, UploadState, UploadSummary};

use orientation::Orientation;

/// Long edge, in pixels, of the display image.
pub const DISPLAY_LONG_EDGE: u32 = 1280;

/// Long edge, in pixels, of the thumbnail.
pub const THUMBNAIL_LONG_EDGE: u32 = 320;

/// Resource caps applied to every input before it is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes. Default 30 MiB.
    pub max_file_bytes: u64,
    /// Largest accepted declared pixel count (width x height). Default 50 000 000.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 30 * 1024 * 1024,
            max_pixels: 50_000_000,
        }
    }
}

/// One encoded output image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The JPEG file contents (JFIF, no metadata).
    pub bytes: Vec<u8>,
    /// Width in pixels (upright).
    pub width: u32,
    /// Height in pixels (upright).
    pub height: u32,
    /// Lowercase hex BLAKE3 hash of `bytes`, usable as a content address.
    pub hash: String,
}

/// The two outputs made from one input photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// Display image, long edge at most [`DISPLAY_LONG_EDGE`].
    pub display: Encoded,
    /// Thumbnail, long edge at most [`THUMBNAIL_LONG_EDGE`], made from `display`.
    pub thumbnail: Encoded,
}

/// Reads the photo at `path` and processes it like [`process_bytes`].
///
/// The size cap is checked from the file's metadata before anything is read;
/// a missing file, a directory or a read error gives [`PhotoError::Unreadable`].
pub fn process_file(path: &Path, limits: &Limits) -> Result<Processed, PhotoError> {
    let meta = std::fs::metadata(path).map_err(PhotoError::Unreadable)?;
    if meta.is_dir() {
        return Err(PhotoError::Unreadable(io::Error::from(
            io::ErrorKind::IsADirectory,
        )));
    }
    if !meta.is_file() {
        return Err(PhotoError::Unreadable(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        )));
    }
    check_size(meta.len(), limits)?;
    let file = File::open(path).map_err(PhotoError::Unreadable)?;
    let mut data = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Read at most one byte past the cap, in case the file grew meanwhile.
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(PhotoError::Unreadable)?;
    process_bytes(&data, limits)
}

/// Processes an in-memory photo (JPEG, PNG or WebP) into a display image and a
/// thumbnail, both upright JPEGs without metadata.
pub fn process_bytes(data: &[u8], limits: &Limits) -> Result<Processed, PhotoError> {
    process_with_edges(data, limits, DISPLAY_LONG_EDGE, THUMBNAIL_LONG_EDGE)
}

fn check_size(bytes: u64, limits: &Limits) -> Result<(), PhotoError> {
    if bytes > limits.max_file_bytes {
        return Err(PhotoError::FileTooLarge {
            bytes,
            limit: limits.max_file_bytes,
        });
    }
    Ok(())
}

/// The pipeline with configurable output sizes (tests use small ones).
pub(crate) fn process_with_edges(
    data: &[u8],
    limits: &Limits,
    display_edge: u32,
    thumb_edge: u32,
) -> Result<Processed, PhotoError> {
    check_size(data.len() as u64, limits)?;
    let header = sniff::read_header(data)?;
    let (width, height) = (u64::from(header.width), u64::from(header.height));
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let orientation = header
        .exif
        .map_or(Orientation::NORMAL, Orientation::from_tiff);

    // Decoders are third-party code fed untrusted bytes: a panic in one must
    // not take the app down (effective when built with panic = "unwind").
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        decode::decode(data, &header, limits, display_edge)
    }))
    .map_err(|_| PhotoError::Truncated)??;

    let (dw, dh) = resize::fit_within(header.width, header.height, display_edge);
    let resized = resize::resize_to(decoded.pixels, dw, dh)?;
    let display_px = orientation.apply(colour::to_srgb(resized, decoded.icc.as_deref()));
    let display = encode::encode_jpeg(&display_px)?;

    let (tw, th) = resize::fit_within(display_px.width, display_px.height, thumb_edge);
    let thumb_px = resize::resize_to(display_px, tw, th)?;
    let thumbnail = encode::encode_jpeg(&thumb_px)?;
    Ok(Processed { display, thumbnail })
}
