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
use super::decode::{Decoded, Pixels};
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

/// The box size: the largest whole factor that keeps the long edge at least `target`.
fn box_factor(width: u32, height: u32, target: u32) -> u32 {
    (width.max(height) / target.max(1)).max(1)
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

/// Sums of `k`x`k` boxes, written out as 8-bit averages.
struct Boxes {
    width: u32,
    height: u32,
    k: u32,
    channels: usize,
    /// Output size in boxes (a partial box at the right or bottom edge counts).
    out_w: usize,
    out_h: usize,
    /// Sums for box rows `first_row..first_row + sums.len() / (out_w * channels)`.
    sums: Vec<u32>,
    first_row: u32,
    out: Vec<u8>,
}

impl Boxes {
    fn new(width: u32, height: u32, k: u32, channels: usize, all_rows: bool) -> Boxes {
        let out_w = width.div_ceil(k) as usize;
        let out_h = height.div_ceil(k) as usize;
        // Without reduction each pixel is written straight out, in any order: no sums.
        let held = match (all_rows, k) {
            (_, 1) => 0,
            (true, _) => out_h,
            (false, _) => 1,
        };
        Boxes {
            width,
            height,
            k,
            channels,
            out_w,
            out_h,
            sums: vec![0; held * out_w * channels],
            first_row: 0,
            out: vec![0; out_w * out_h * channels],
        }
    }

    /// Adds the pixels of source row `y` found at columns `x0, x0 + dx, ...`.
    fn add_row(&mut self, y: u32, x0: u32, dx: u32, px: &[u8]) {
        let box_row = y / self.k;
        let row_len = self.out_w * self.channels;
        let c = self.channels;
        if self.k == 1 {
            let row = &mut self.out[y as usize * row_len..][..row_len];
            let mut x = x0 as usize;
            for p in px.chunks_exact(c) {
                row[x * c..x * c + c].copy_from_slice(p);
                x += dx as usize;
            }
            return;
        }
        if self.sums.len() == row_len && box_row != self.first_row {
            // Rows arrive in order: the previous box row is complete.
            self.flush(self.first_row, 0);
            self.sums.fill(0);
            self.first_row = box_row;
        }
        let base = (box_row - self.first_row) as usize * row_len;
        let sums = &mut self.sums[base..base + row_len];
        let (k, mut x) = (self.k, x0);
        for p in px.chunks_exact(c) {
            let at = (x / k) as usize * c;
            for (s, v) in sums[at..at + c].iter_mut().zip(p) {
                *s += u32::from(*v);
            }
            x += dx;
        }
    }

    /// Writes box row `row` (held at sums row `held`) as averages.
    fn flush(&mut self, row: u32, held: usize) {
        let row_len = self.out_w * self.channels;
        let rows_in_box = self.k.min(self.height - row * self.k);
        let sums = &self.sums[held * row_len..(held + 1) * row_len];
        let out = &mut self.out[row as usize * row_len..(row as usize + 1) * row_len];
        for (bx, (o, s)) in out
            .chunks_exact_mut(self.channels)
            .zip(sums.chunks_exact(self.channels))
            .enumerate()
        {
            let cols = self.k.min(self.width - bx as u32 * self.k);
            let n = rows_in_box * cols;
            for (o, s) in o.iter_mut().zip(s) {
                *o = ((s + n / 2) / n) as u8;
            }
        }
    }

    fn finish(mut self) -> Pixels {
        let row_len = self.out_w * self.channels;
        if self.k == 1 {
            // Written straight out.
        } else if self.sums.len() == row_len {
            self.flush(self.first_row, 0);
        } else {
            for row in 0..self.out_h {
                self.flush(row as u32, row);
            }
        }
        Pixels {
            width: self.out_w as u32,
            height: self.out_h as u32,
            channels: self.channels,
            data: self.out,
        }
    }
}
