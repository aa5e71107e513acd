//! Decoding to 8-bit grey or RGB pixels, as small as the output allows.
//!
//! JPEG is decoded with DCT-domain scaling: the IDCT is run at 1/2, 3/8, 1/4 or
//! 1/8 size, choosing the strongest reduction whose long edge is still at least
//! the display target, so a 12 MP photo is never held at full size. The files
//! cameras write go through [`super::reduced_jpeg`]; the rest (CMYK and YCCK,
//! converted to RGB after the decode, 12-bit...) through `jpeg-decoder` at 1/2,
//! 1/4 or 1/8. PNG is read row by row into a box-reduced image
//! ([`super::png_rows`]), lossy WebP one macroblock row at a time
//! ([`super::webp_rows`]). Other WebP (lossless, alpha, animated, or too small
//! to reduce) is decoded whole by `image-webp`, with its memory limit set from
//! [`Limits`]. A JPEG `jpeg-decoder` cannot read (arithmetic-coded,
//! hierarchical) is `Unsupported`: no other decoder ships in the app (#17: the
//! `image` crate's zune-jpeg fallback read none of those either, and cost the
//! library 0.4 MB with `image` itself). Alpha is flattened onto white. The ICC
//! profile the file carries is kept for [`super::colour`].

use std::io::Cursor;

use image_webp::{DecodingError, WebPDecoder};

use super::Limits;
use super::error::PhotoError;
use super::sniff::{Format, Header};

/// Decoded 8-bit pixels, row-major, tightly packed.
#[derive(Debug, Clone)]
pub(crate) struct Pixels {
    pub width: u32,
    pub height: u32,
    /// 1 (grey) or 3 (RGB).
    pub channels: usize,
    /// `width * height * channels` bytes.
    pub data: Vec<u8>,
}

/// Decoded pixels and the ICC colour profile the file carries, if any.
pub(crate) struct Decoded {
    pub pixels: Pixels,
    pub icc: Option<Vec<u8>>,
}

/// Decodes `data`, whose header has already been checked against `limits`.
///
/// `target_long_edge` is the long edge the caller will resize to; JPEG decoding
/// stops at the smallest DCT scale that still covers it, PNG at the largest
/// whole box factor.
pub(crate) fn decode(
    data: &[u8],
    header: &Header<'_>,
    limits: &Limits,
    target_long_edge: u32,
) -> Result<Decoded, PhotoError> {
    match header.format {
        Format::Jpeg => {
            super::scans::check_scans_fill_frame(data)?;
            decode_jpeg_scaled(data, header, limits, target_long_edge)
        }
        Format::Png => super::png_rows::decode(data, header, limits, target_long_edge),
        Format::WebP => match super::webp_rows::decode(data, target_long_edge)? {
            Some(decoded) => Ok(decoded),
            None => decode_webp_whole(data, header, limits),
        },
    }
}

fn byte_budget(limits: &Limits, bytes_per_pixel: u64) -> u64 {
    limits
        .max_pixels
        .saturating_mul(bytes_per_pixel)
        .saturating_add(1 << 20)
}

fn map_jpeg_error(e: jpeg_decoder::Error) -> PhotoError {
    match e {
        jpeg_decoder::Error::Unsupported(_) => PhotoError::Unsupported,
        _ => PhotoError::Truncated,
    }
}

fn decode_jpeg_scaled(
    data: &[u8],
    header: &Header<'_>,
    limits: &Limits,
    target_long_edge: u32,
) -> Result<Decoded, PhotoError> {
    let n = reduced_block_side(header.width, header.height, target_long_edge);
    if n < 8
        && let Some(decoded) =
            super::reduced_jpeg::decode(data, n as usize, (header.width, header.height))?
    {
        return Ok(decoded);
    }
    let s = dct_scale(header.width, header.height, target_long_edge);
    let mut dec = jpeg_decoder::Decoder::new(data);
    dec.set_max_decoding_buffer_size(usize::try_from(byte_budget(limits, 4)).unwrap_or(usize::MAX));
    if s > 1 {
        let (rw, rh) = (header.width.div_ceil(s), header.height.div_ceil(s));
        // jpeg-decoder picks the smallest scale that reaches the request on one axis: asking
        // for exactly 1/s of both gives 1/s.
        let to_u16 = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
        dec.scale(to_u16(rw), to_u16(rh)).map_err(map_jpeg_error)?;
    }
    let raw = dec.decode().map_err(map_jpeg_error)?;
    let info = dec.info().ok_or(PhotoError::Truncated)?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    let pixels = width as usize * height as usize;
    let (channels, data) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (1, raw),
        jpeg_decoder::PixelFormat::L16 => {
            // Big-endian 16-bit samples: keep the high byte.
            (1, raw.chunks_exact(2).map(|s| s[0]).collect())
        }
        jpeg_decoder::PixelFormat::RGB24 => (3, raw),
        jpeg_decoder::PixelFormat::CMYK32 => (3, cmyk_to_rgb(raw)),
    };
    if data.len() != pixels * channels {
        return Err(PhotoError::Truncated);
    }
    Ok(Decoded {
        pixels: Pixels {
            width,
            height,
            channels,
            data,
        },
        icc: dec.icc_profile(),
    })
}

/// The short edge a DCT-scaled decode keeps at least. A scaled IDCT also averages the padding
/// rows an encoder adds to fill the last block (and, with 4:2:0 chroma, the last 16 rows): on a
/// 10000x4 strip that padding is most of what a 1/4 decode shows, and the colours came out
/// wrong (#17). Below this the image is small anyway, so it is decoded at full size.
const MIN_SCALED_SHORT_EDGE: u32 = 32;

/// The pixels (1..=4, or 8 for no reduction) each 8x8 block is decoded to by
/// [`super::reduced_jpeg`]: the fewest whose long edge still covers `target` and whose short edge
/// stays at least [`MIN_SCALED_SHORT_EDGE`]. Not only powers of two (#17): a 12 MP photo
/// (4000x3000) decodes at 3/8, to 1500x1125, not at 1/2, to 2000x1500, which is 44% fewer
/// pixels to transform, convert and resize for the same 1280 px output.
fn reduced_block_side(width: u32, height: u32, target: u32) -> u32 {
    let (long, short) = (u64::from(width.max(height)), u64::from(width.min(height)));
    (1..=4u32)
        .find(|&n| {
            long * u64::from(n) / 8 >= u64::from(target)
                && short * u64::from(n) / 8 >= u64::from(MIN_SCALED_SHORT_EDGE)
        })
        .unwrap_or(8)
}

/// The DCT scale denominator `jpeg-decoder` is asked for (1, 2, 4 or 8): the strongest whose long edge still covers
/// `target` and whose short edge stays at least [`MIN_SCALED_SHORT_EDGE`].
fn dct_scale(width: u32, height: u32, target: u32) -> u32 {
    let (long, short) = (width.max(height), width.min(height));
    [8, 4, 2]
        .into_iter()
        .find(|s| long / s >= target && short / s >= MIN_SCALED_SHORT_EDGE)
        .unwrap_or(1)
}

/// Converts jpeg-decoder's CMYK output (0 = no ink; it already undoes the Adobe
/// inversion and the YCCK transform) to RGB, in place.
fn cmyk_to_rgb(mut v: Vec<u8>) -> Vec<u8> {
    let n = v.len() / 4;
    for i in 0..n {
        let [c, m, y, k] = [v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]].map(u32::from);
        let w = 255 - k;
        // The write position 3i never overtakes the read position 4i.
        v[3 * i] = (((255 - c) * w + 127) / 255) as u8;
        v[3 * i + 1] = (((255 - m) * w + 127) / 255) as u8;
        v[3 * i + 2] = (((255 - y) * w + 127) / 255) as u8;
    }
    v.truncate(3 * n);
    v.shrink_to_fit();
    v
}

/// Flattens straight (non-premultiplied) RGBA onto white, in place, to RGB.
fn flatten_rgba_on_white(mut v: Vec<u8>) -> Vec<u8> {
    let n = v.len() / 4;
    for i in 0..n {
        let [r, g, b, a] = [v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]].map(u32::from);
        let white = 255 * (255 - a);
        v[3 * i] = ((r * a + white + 127) / 255) as u8;
        v[3 * i + 1] = ((g * a + white + 127) / 255) as u8;
        v[3 * i + 2] = ((b * a + white + 127) / 255) as u8;
    }
    v.truncate(3 * n);
    v.shrink_to_fit();
    v
}

fn map_webp_error(e: DecodingError, header: &Header<'_>) -> PhotoError {
    match e {
        DecodingError::MemoryLimitExceeded | DecodingError::ImageTooLarge => {
            PhotoError::TooManyPixels {
                width: u64::from(header.width),
                height: u64::from(header.height),
            }
        }
        DecodingError::UnsupportedFeature(_) => PhotoError::Unsupported,
        _ => PhotoError::Truncated,
    }
}

/// A WebP decoded whole by `image-webp` (an animated file gives its first frame), its alpha
/// flattened onto white.
fn decode_webp_whole(
    data: &[u8],
    header: &Header<'_>,
    limits: &Limits,
) -> Result<Decoded, PhotoError> {
    let map = |e| map_webp_error(e, header);
    let mut decoder = WebPDecoder::new(Cursor::new(data)).map_err(map)?;
    // RGBA plus headroom for the decoder's own buffers.
    decoder.set_memory_limit(usize::try_from(byte_budget(limits, 8)).unwrap_or(usize::MAX));
    let (width, height) = decoder.dimensions();
    if (width, height) != (header.width, header.height) {
        return Err(PhotoError::Truncated);
    }
    let icc = decoder.icc_profile().map_err(map)?;
    let len = decoder
        .output_buffer_size()
        .filter(|&len| len as u64 <= byte_budget(limits, 4))
        .ok_or_else(|| map(DecodingError::ImageTooLarge))?;
    let mut pixels = vec![0u8; len];
    decoder.read_image(&mut pixels).map_err(map)?;
    let data = if decoder.has_alpha() {
        flatten_rgba_on_white(pixels)
    } else {
        pixels
    };
    Ok(Decoded {
        pixels: Pixels {
            width,
            height,
            channels: 3,
            data,
        },
        icc,
    })
}
