//! Sums of `k` x `k` pixel boxes, filled one source row at a time and written out as 8-bit
//! averages: how the PNG and WebP decoders reduce an image while it is decoded, never holding
//! it at full size (the counterpart of JPEG's DCT scaling).

use super::decode::Pixels;

/// The box size: the largest whole factor that keeps the long edge at least `target`.
pub(super) fn box_factor(width: u32, height: u32, target: u32) -> u32 {
    (width.max(height) / target.max(1)).max(1)
}

/// Sums of `k`x`k` boxes, written out as 8-bit averages.
pub(super) struct Boxes {
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
    pub(super) fn new(width: u32, height: u32, k: u32, channels: usize, all_rows: bool) -> Boxes {
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
    pub(super) fn add_row(&mut self, y: u32, x0: u32, dx: u32, px: &[u8]) {
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
        if x0 == 0 && dx == 1 && matches!(c, 1 | 3) {
            // A whole row (every caller but interlaced PNG): `k` pixels into each box in turn,
            // with no division per pixel.
            if c == 1 {
                add_whole_row::<1>(sums, self.k as usize, px);
            } else {
                add_whole_row::<3>(sums, self.k as usize, px);
            }
            return;
        }
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

    pub(super) fn finish(mut self) -> Pixels {
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

/// Adds a whole row of `C`-channel pixels to the sums of its boxes, `k` pixels a box.
fn add_whole_row<const C: usize>(sums: &mut [u32], k: usize, px: &[u8]) {
    for (sum, pixels) in sums.chunks_exact_mut(C).zip(px.chunks(k * C)) {
        let mut acc = [0u32; C];
        for p in pixels.chunks_exact(C) {
            for (a, &v) in acc.iter_mut().zip(p) {
                *a += u32::from(v);
            }
        }
        for (s, a) in sum.iter_mut().zip(acc) {
            *s += a;
        }
    }
}
