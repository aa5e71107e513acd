//! Format sniffing and header parsing, done before any pixel is decoded.
//!
//! The format is taken from the magic bytes, never from a file extension. The
//! header parsers here only walk segment/chunk headers in the input slice: they
//! allocate nothing, so a "decompression bomb" that declares 60000x60000 pixels
//! is rejected before a decoder sees it. They also locate the raw EXIF (TIFF)
//! block so the orientation can be read. HEIC and AVIF files are recognised by
//! their `ftyp` brands so they can be refused with their own code.

use super::error::PhotoError;

/// The container formats the pipeline accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Jpeg,
    Png,
    WebP,
}

/// What the header says, before decoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header<'a> {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    /// Raw TIFF-structured EXIF data (without the `Exif\0\0` prefix), if any.
    pub exif: Option<&'a [u8]>,
}

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Identifies the format from magic bytes.
pub(crate) fn sniff(data: &[u8]) -> Option<Format> {
    if data.len() >= 3 && data[..3] == [0xFF, 0xD8, 0xFF] {
        Some(Format::Jpeg)
    } else if data.len() >= 8 && &data[..8] == PNG_SIGNATURE {
        Some(Format::Png)
    } else if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some(Format::WebP)
    } else {
        None
    }
}

/// Sniffs the format and parses the header.
pub(crate) fn read_header(data: &[u8]) -> Result<Header<'_>, PhotoError> {
    match sniff(data) {
        Some(Format::Jpeg) => jpeg_header(data),
        Some(Format::Png) => png_header(data),
        Some(Format::WebP) => webp_header(data),
        None if is_heif(data) => Err(PhotoError::HeicNotSupported),
        None => Err(PhotoError::NotAnImage),
    }
}

/// Brands of the HEIF family: HEIC (HEVC stills and sequences, iPhones and many Androids),
/// AVIF (AV1), and the generic HEIF/MIAF brands that both list.
const HEIF_BRANDS: [&[u8; 4]; 13] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1",
    b"miaf", b"avif", b"avis",
];

/// Whether `data` is an ISO base media file (`ftyp` box first) with a HEIF brand, major or
/// compatible.
fn is_heif(data: &[u8]) -> bool {
    if data.get(4..8) != Some(b"ftyp") {
        return false;
    }
    let size = be32(data, 0).map_or(0, |s| s as usize).min(data.len());
    let major = data.get(8..12).into_iter();
    let compatible = data
        .get(16..size)
        .into_iter()
        .flat_map(|b| b.chunks_exact(4));
    major
        .chain(compatible)
        .any(|brand| HEIF_BRANDS.iter().any(|h| h.as_slice() == brand))
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*d.get(at)?, *d.get(at + 1)?]))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn le32(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn le24(d: &[u8], at: usize) -> Option<u32> {
    let b = d.get(at..at + 3)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], 0]))
}

/// Walks JPEG marker segments from SOI up to the first SOS.
fn jpeg_header(data: &[u8]) -> Result<Header<'_>, PhotoError> {
    let mut i = 2;
    let mut exif = None;
    let mut dims = None;
    loop {
        // Data ending (or EOI) after the frame header still tells the size;
        // the decoder reports the truncation later.
        if dims.is_some() && matches!(data.get(i..i + 2), None | Some([0xFF, 0xD9])) {
            break;
        }
        if *data.get(i).ok_or(PhotoError::Truncated)? != 0xFF {
            return Err(PhotoError::Truncated);
        }
        while data.get(i) == Some(&0xFF) {
            i += 1;
        }
        let marker = *data.get(i).ok_or(PhotoError::Truncated)?;
        i += 1;
        match marker {
            // Standalone markers without a length field.
            0x01 | 0xD0..=0xD7 => continue,
            // SOI again, EOI before the frame or a stray zero: corrupt.
            0x00 | 0xD8 | 0xD9 => return Err(PhotoError::Truncated),
            _ => {}
        }
        let len = usize::from(be16(data, i).ok_or(PhotoError::Truncated)?);
        if len < 2 {
            return Err(PhotoError::Truncated);
        }
        let seg = data.get(i + 2..i + len).ok_or(PhotoError::Truncated)?;
        match marker {
            0xE1 if exif.is_none() && seg.starts_with(b"Exif\0\0") => exif = Some(&seg[6..]),
            // Arithmetic coding (SOF9..SOF15 and its DAC tables): no decoder here reads it.
            0xC9..=0xCF => return Err(PhotoError::Unsupported),
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && dims.is_none() => {
                let height = be16(seg, 1).ok_or(PhotoError::Truncated)?;
                let width = be16(seg, 3).ok_or(PhotoError::Truncated)?;
                // Only grey (1), YCbCr/RGB (3) and CMYK/YCCK (4) exist in practice.
                if !matches!(seg.get(5), Some(1 | 3 | 4)) {
                    return Err(PhotoError::Unsupported);
                }
                dims = Some((u32::from(width), u32::from(height)));
            }
            0xDA => break,
            _ => {}
        }
        i += len;
    }
    let (width, height) = dims.ok_or(PhotoError::Truncated)?;
    if width == 0 || height == 0 {
        // Height 0 means "defined later by a DNL marker", which no decoder here handles.
        return Err(PhotoError::Unsupported);
    }
    Ok(Header {
        format: Format::Jpeg,
        width,
        height,
        exif,
    })
}

/// Reads IHDR and looks for an `eXIf` chunk.
fn png_header(data: &[u8]) -> Result<Header<'_>, PhotoError> {
    if data.get(12..16) != Some(b"IHDR") {
        return Err(PhotoError::Truncated);
    }
    let width = be32(data, 16).ok_or(PhotoError::Truncated)?;
    let height = be32(data, 20).ok_or(PhotoError::Truncated)?;
    if width == 0 || height == 0 {
        return Err(PhotoError::Truncated);
    }
    // Chunk walk: length(4) type(4) data crc(4). Stops quietly at the end of the
    // data; a truncated file is reported by the decoder.
    let mut exif = None;
    let mut i = 8usize;
    while let (Some(len), Some(kind)) = (be32(data, i), data.get(i + 4..i + 8)) {
        let len = len as usize;
        let body = i + 8;
        if kind == b"eXIf" {
            exif = data.get(body..body.saturating_add(len));
            break;
        }
        if kind == b"IEND" {
            break;
        }
        i = body.saturating_add(len).saturating_add(4);
    }
    Ok(Header {
        format: Format::Png,
        width,
        height,
        exif,
    })
}

/// Reads the VP8 / VP8L / VP8X header and looks for an `EXIF` chunk.
fn webp_header(data: &[u8]) -> Result<Header<'_>, PhotoError> {
    let kind = data.get(12..16).ok_or(PhotoError::Truncated)?;
    let body = 20;
    let (width, height) = match kind {
        b"VP8X" => {
            let w = le24(data, body + 4).ok_or(PhotoError::Truncated)? + 1;
            let h = le24(data, body + 7).ok_or(PhotoError::Truncated)? + 1;
            (w, h)
        }
        b"VP8 " => {
            if data.get(body + 3..body + 6) != Some(&[0x9D, 0x01, 0x2A]) {
                return Err(PhotoError::Truncated);
            }
            let w = u32::from(
                u16::from_le_bytes([
                    *data.get(body + 6).ok_or(PhotoError::Truncated)?,
                    *data.get(body + 7).ok_or(PhotoError::Truncated)?,
                ]) & 0x3FFF,
            );
            let h = u32::from(
                u16::from_le_bytes([
                    *data.get(body + 8).ok_or(PhotoError::Truncated)?,
                    *data.get(body + 9).ok_or(PhotoError::Truncated)?,
                ]) & 0x3FFF,
            );
            (w, h)
        }
        b"VP8L" => {
            if data.get(body) != Some(&0x2F) {
                return Err(PhotoError::Truncated);
            }
            let bits = le32(data, body + 1).ok_or(PhotoError::Truncated)?;
            ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        }
        _ => return Err(PhotoError::Unsupported),
    };
    if width == 0 || height == 0 {
        return Err(PhotoError::Truncated);
    }
    let mut exif = None;
    if kind == b"VP8X" {
        let mut i = 12usize;
        while let (Some(kind), Some(len)) = (data.get(i..i + 4), le32(data, i + 4)) {
            let len = len as usize;
            let start = i + 8;
            if kind == b"EXIF" {
                exif = data.get(start..start.saturating_add(len)).map(|e| {
                    // Some writers keep the JPEG-style prefix.
                    e.strip_prefix(b"Exif\0\0").unwrap_or(e)
                });
                break;
            }
            i = start.saturating_add(len).saturating_add(len & 1);
        }
    }
    Ok(Header {
        format: Format::WebP,
        width,
        height,
        exif,
    })
}
