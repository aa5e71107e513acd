//! Lossy WebP decoded one macroblock row at a time and reduced into boxes as it goes: neither
//! the full RGB bitmap nor the whole YUV frame is ever held (#17).
//!
//! Through `image`, a 12 MP lossy WebP was decoded to its VP8 frame (Y, U, V: 1.5 bytes a
//! pixel) and then converted to a 36 MB RGB bitmap, 59 MB at peak; with `image-webp`'s own
//! VP8 decoder the frame was still held whole (75 MB at the 50 MP cap, 95 MB at peak). Here the
//! frame comes from `sentra-vp8` (that decoder, vendored to hand over each finished
//! macroblock row), and each line is converted to RGB and summed into `k` x `k` boxes
//! ([`super::boxes`]) at once: two macroblock rows, one RGB line and the box sums are all that
//! is held at full width.
//!
//! Only still, lossy, opaque files take this path, and only when the image is at least twice
//! the display size (`k` >= 2), which is also why the loop filter is skipped here (see
//! [`decode`]). Lossless (VP8L), alpha and animated files are decoded whole
//! ([`super::decode`]).

use std::io::Cursor;

use image_webp::WebPDecoder;
use sentra_vp8::{DecodingError, Vp8Decoder};

use super::boxes::{Boxes, box_factor};
use super::decode::Decoded;
use super::error::PhotoError;

fn map_error(e: DecodingError) -> PhotoError {
    match e {
        DecodingError::IoError(_) => PhotoError::Truncated,
        DecodingError::UnsupportedFeature(_) => PhotoError::Unsupported,
        DecodingError::MemoryLimitExceeded => PhotoError::Unsupported,
        _ => PhotoError::Truncated,
    }
}

/// The payload of the first `VP8 ` chunk of a RIFF WebP file; `Truncated` when the file ends
/// before the chunk does (the VP8 decoder would read zeros past the end, and make a picture of
/// them, as a JPEG decoder does).
fn vp8_chunk(data: &[u8]) -> Result<Option<&[u8]>, PhotoError> {
    let mut at = 12usize;
    while at + 8 <= data.len() {
        let size = u32::from_le_bytes([data[at + 4], data[at + 5], data[at + 6], data[at + 7]]);
        let end = usize::try_from(size)
            .ok()
            .and_then(|s| (at + 8).checked_add(s))
            .ok_or(PhotoError::Truncated)?;
        if &data[at..at + 4] == b"VP8 " {
            return data.get(at + 8..end).map(Some).ok_or(PhotoError::Truncated);
        }
        at = end + (end - at) % 2;
    }
    Ok(None)
}

/// Decodes a still, lossy, opaque WebP reduced by the largest whole factor that keeps the long
/// edge at least `target_long_edge`. `Ok(None)` when the file is not one this path reads, or
/// needs no reduction.
pub(crate) fn decode(data: &[u8], target_long_edge: u32) -> Result<Option<Decoded>, PhotoError> {
    let mut info = WebPDecoder::new(Cursor::new(data)).map_err(map_error)?;
    let (width, height) = info.dimensions();
    let k = box_factor(width, height, target_long_edge);
    if k < 2 || !info.is_lossy() || info.has_alpha() || info.is_animated() {
        return Ok(None);
    }
    let icc = info.icc_profile().map_err(map_error)?;
    drop(info);
    let Some(chunk) = vp8_chunk(data)? else {
        return Ok(None);
    };
    let (fw, fh) = (width as usize, height as usize);
    let mut boxes = Boxes::new(width, height, k, 3, false);
    let mut rgb = vec![0u8; fw * 3];
    let mut lines_seen = 0;
    // Without VP8's loop filter (deblocking): prediction never reads its output, and the
    // boxes average away what it smooths. Measured on the final 1280 px JPEG against vips'
    // own (filtered) decode resized with Lanczos3: the same dB to 0.01 at 12 and 50 MP
    // (k = 3 and 6), 0.02 to 0.06 dB lower at k = 2 (quality 75 and 40); the filter was a
    // fifth of the CPU time at 12 MP and nearly half at 50 MP (DECISIONS.md).
    Vp8Decoder::decode_rows_with(Cursor::new(chunk), false, |rows| {
        // A frame of another size than the container says would put rows outside the boxes.
        if (rows.width, rows.height) != (fw, fh) {
            return Err(DecodingError::InconsistentImageSizes);
        }
        for line in 0..rows.lines {
            let luma = &rows.y[line * rows.luma_stride..][..fw];
            let at = (line / 2) * rows.chroma_stride;
            let u = &rows.u[at..][..fw.div_ceil(2)];
            let v = &rows.v[at..][..fw.div_ceil(2)];
            line_to_rgb(luma, u, v, &mut rgb);
            boxes.add_row((rows.first_line + line) as u32, 0, 1, &rgb);
        }
        lines_seen += rows.lines;
        Ok(())
    })
    .map_err(map_error)?;
    if lines_seen != fh {
        return Err(PhotoError::Truncated);
    }
    Ok(Some(Decoded {
        pixels: boxes.finish(),
        icc,
    }))
}

/// One line of VP8's BT.601 studio-swing YUV to RGB, in libwebp's fixed point
/// (`src/dsp/yuv.h`, the same arithmetic as `image-webp`). Each chroma sample covers two
/// pixels, so its share of the sums is worked out once for both.
fn line_to_rgb(luma: &[u8], u: &[u8], v: &[u8], rgb: &mut [u8]) {
    let mulhi = |v: u8, c: u32| ((u32::from(v) * c) >> 8) as i32;
    let clip = |v: i32| (v >> 6).clamp(0, 255) as u8;
    let pairs = rgb.chunks_mut(6).zip(luma.chunks(2)).zip(u.iter().zip(v));
    for ((px, ys), (&u, &v)) in pairs {
        let r = mulhi(v, 26149) - 14234;
        let g = 8708 - mulhi(u, 6419) - mulhi(v, 13320);
        let b = mulhi(u, 33050) - 17685;
        for (px, &y) in px.chunks_exact_mut(3).zip(ys) {
            let l = mulhi(y, 19077);
            px[0] = clip(l + r);
            px[1] = clip(l + g);
            px[2] = clip(l + b);
        }
    }
}
