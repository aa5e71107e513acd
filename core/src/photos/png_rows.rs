//! PNG decoded row by row into an image already reduced in size, never the whole bitmap.
//!
//! A one-colour 7000x7000 16-bit RGBA PNG is a 583 KB file but a 392 MB bitmap, so it is never
//! held: the `png` crate hands over one row at a time, already cut to 8 bits and with palettes
//! and transparency expanded; alpha is flattened onto white per pixel; and each row is summed
//! into boxes of `k`x`k` pixels, where `k` is the largest whole factor that still leaves the long
//! edge at least the display size (the PNG counterpart of JPEG's DCT scaling). The caller then
//! makes the exact size with Lanczos3. Only one row of boxes is held; Adam7-interlaced files
//! (rare from cameras) send their pixels out of order, so they hold the whole box grid. With
//! no reduction (k = 1) pixels are written straight to the output.

use std::io::Cursor;

use super::Limits;
use super::boxes::{Boxes, box_factor};
use super::decode::Decoded;
use super::error::PhotoError;
use super::sniff::Header;

/// Adam7 passes: (x offset, x step, y offset, y step).
const ADAM7: [(u32, u32, u32, u32); 7] = [
    (0, 8, 0, 8),
    (4, 8, 0, 8),
    (0, 4, 4, 8),
    (2, 4, 0, 4),
    (0, 2, 2, 4),
    (1, 2, 0, 2),
    (0, 1, 1, 2),
];

fn map_png_error(e: png::DecodingError, header: &Header<'_>) -> PhotoError {
    match e {
        png::DecodingError::LimitsExceeded => PhotoError::TooManyPixels {
            width: u64::from(header.width),
            height: u64::from(header.height),
        },
        png::DecodingError::Parameter(_) => PhotoError::Unsupported,
        _ => PhotoError::Truncated,
    }
}

/// Decodes a PNG whose header was already checked against `limits`.
pub(crate) fn decode(
    data: &[u8],
    header: &Header<'_>,
    limits: &Limits,
    target_long_edge: u32,
) -> Result<Decoded, PhotoError> {
    let err = |e| map_png_error(e, header);
    let mut decoder = png::Decoder::new(Cursor::new(data));
    // The decoder's own buffers (a few rows, the zlib window, text chunks) stay small: the
    // image itself is never allocated here.
    decoder.set_limits(png::Limits { bytes: 16 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(err)?;
    let info = reader.info();
    let (width, height, interlaced) = (info.width, info.height, info.interlaced);
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels {
            width: u64::from(width),
            height: u64::from(height),
        });
    }
    let icc = info.icc_profile.as_ref().map(|p| p.to_vec());
    let (color, _) = reader.output_color_type();
    let (in_channels, out_channels) = match color {
        png::ColorType::Grayscale => (1, 1),
        png::ColorType::GrayscaleAlpha => (2, 1),
        png::ColorType::Rgb => (3, 3),
        png::ColorType::Rgba => (4, 3),
        png::ColorType::Indexed => return Err(PhotoError::Unsupported),
    };
    let k = box_factor(width, height, target_long_edge);
    let mut boxes = Boxes::new(width, height, k, out_channels, interlaced);
    let mut px = vec![0u8; width as usize * out_channels];
    let passes: &[(u32, u32, u32, u32)] = if interlaced { &ADAM7 } else { &[(0, 1, 0, 1)] };
    for &(x0, dx, y0, dy) in passes {
        let samples = width.saturating_sub(x0).div_ceil(dx);
        if samples == 0 {
            continue;
        }
        let mut y = y0;
        while y < height {
            let row = reader
                .next_row()
                .map_err(err)?
                .ok_or(PhotoError::Truncated)?;
            let row = row.data();
            let n = samples as usize;
            if row.len() < n * in_channels {
                return Err(PhotoError::Truncated);
            }
            to_output(
                &row[..n * in_channels],
                in_channels,
                &mut px[..n * out_channels],
            );
            boxes.add_row(y, x0, dx, &px[..n * out_channels]);
            y += dy;
        }
    }
    Ok(Decoded {
        pixels: boxes.finish(),
        icc,
    })
}

/// Converts one row of 8-bit grey, grey+alpha, RGB or RGBA to grey or RGB, flattening straight
/// alpha onto white.
fn to_output(row: &[u8], in_channels: usize, out: &mut [u8]) {
    let over_white = |v: u8, a: u8| {
        let (v, a) = (u32::from(v), u32::from(a));
        ((v * a + 255 * (255 - a) + 127) / 255) as u8
    };
    match in_channels {
        1 | 3 => out.copy_from_slice(row),
        2 => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o = over_white(p[0], p[1]);
            }
        }
        _ => {
            for (o, p) in out.chunks_exact_mut(3).zip(row.chunks_exact(4)) {
                o[0] = over_white(p[0], p[3]);
                o[1] = over_white(p[1], p[3]);
                o[2] = over_white(p[2], p[3]);
            }
        }
    }
}
