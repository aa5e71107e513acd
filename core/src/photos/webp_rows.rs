//! Lossy WebP decoded to its YUV planes and reduced into boxes row by row, never as a full RGB
//! bitmap (#17).
//!
//! Through `image`, a 12 MP lossy WebP was decoded to its VP8 frame (Y, U, V: 1.5 bytes a
//! pixel) and then converted to a 36 MB RGB bitmap, 59 MB at peak. Here the frame comes from
//! `image-webp`'s own VP8 decoder (the one `image` uses), and each row is converted to RGB and
//! summed into `k` x `k` boxes ([`super::boxes`]) at once, so only the frame is ever held at full
//! size. VP8 has no reduced-size or row-by-row decode, so the frame still is: 1.5 bytes a pixel
//! (18 MB at 12 MP, 75 MB at the 50 MP cap).
//!
//! Only still, lossy, opaque files take this path, and only when the image is at least twice
//! the display size (`k` >= 2). Lossless (VP8L), alpha and animated files go through `image`.

use std::io::Cursor;

use image_webp::vp8::Vp8Decoder;
use image_webp::{DecodingError, WebPDecoder};

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
    let frame = Vp8Decoder::decode_frame(Cursor::new(chunk)).map_err(map_error)?;
    let (fw, fh) = (usize::from(frame.width), usize::from(frame.height));
    if (fw, fh) != (width as usize, height as usize) {
        return Err(PhotoError::Truncated);
    }
    // Rows of the Y plane are padded to whole 16-pixel macroblocks, and U and V to 8.
    let stride = fw.div_ceil(16) * 16;
    let chroma_stride = stride / 2;
    if frame.ybuf.len() < stride * fh || frame.ubuf.len() < chroma_stride * fh.div_ceil(2) {
        return Err(PhotoError::Truncated);
    }
    let mut boxes = Boxes::new(width, height, k, 3, false);
    let mut rgb = vec![0u8; fw * 3];
    for y in 0..fh {
        let luma = &frame.ybuf[y * stride..][..fw];
        let u = &frame.ubuf[(y / 2) * chroma_stride..][..fw.div_ceil(2)];
        let v = &frame.vbuf[(y / 2) * chroma_stride..][..fw.div_ceil(2)];
        for (x, px) in rgb.chunks_exact_mut(3).enumerate() {
            px.copy_from_slice(&yuv_to_rgb(luma[x], u[x / 2], v[x / 2]));
        }
        boxes.add_row(y as u32, 0, 1, &rgb);
    }
    drop(frame);
    Ok(Some(Decoded {
        pixels: boxes.finish(),
        icc,
    }))
}

/// VP8's BT.601 studio-swing YUV to RGB, in libwebp's fixed point (`src/dsp/yuv.h`, the same
/// arithmetic as `image-webp`).
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let mulhi = |v: u8, c: u32| ((u32::from(v) * c) >> 8) as i32;
    let clip = |v: i32| (v >> 6).clamp(0, 255) as u8;
    let l = mulhi(y, 19077);
    [
        clip(l + mulhi(v, 26149) - 14234),
        clip(l - mulhi(u, 6419) - mulhi(v, 13320) + 8708),
        clip(l + mulhi(u, 33050) - 17685),
    ]
}
