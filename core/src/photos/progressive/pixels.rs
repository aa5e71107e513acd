//! From kept coefficients to pixels: a reduced-size inverse DCT per block, then chroma
//! upsampling and YCbCr -> RGB.
//!
//! The reduced IDCT is the `n`-point IDCT (`n` = 8 / scale) of a block's top-left `n` x `n`
//! coefficients, with the 8-point normalisation, so each output pixel approximates the mean of
//! the `scale` x `scale` pixels a full decode would give (libjpeg's `jidctred.c` does the same
//! with integer arithmetic).

use super::coefficients::{Blocks, Kept};
use crate::photos::decode::Pixels;

/// One component's pixels at the reduced size (padded to whole blocks).
pub(super) struct Plane {
    pub width: usize,
    pub data: Vec<u8>,
}

/// Runs the reduced IDCT over every block of one component. `quant` is its quantisation table
/// in zigzag order.
pub(super) fn plane(blocks: &Blocks, kept: &Kept, quant: &[u16; 64]) -> Plane {
    let n = kept.n;
    let width = blocks.width * n;
    let mut data = vec![0u8; width * blocks.height * n];
    // basis[x * n + u] = C(u) / 2 * cos((2x + 1) u pi / 2n), C(0) = 1 / sqrt 2.
    let mut basis = vec![0f32; n * n];
    for x in 0..n {
        for u in 0..n {
            let c = if u == 0 {
                std::f32::consts::FRAC_1_SQRT_2
            } else {
                1.0
            };
            let angle = (2 * x + 1) as f32 * u as f32 * std::f32::consts::PI / (2 * n) as f32;
            basis[x * n + u] = c / 2.0 * angle.cos();
        }
    }
    let q: Vec<f32> = kept
        .zigzag_of_slots()
        .iter()
        .map(|&k| f32::from(quant[k]))
        .collect();
    let mut coef = vec![0f32; n * n];
    let mut rows = vec![0f32; n * n];
    for by in 0..blocks.height {
        for bx in 0..blocks.width {
            let values = blocks.values(by * blocks.width + bx);
            for ((c, &v), &q) in coef.iter_mut().zip(values).zip(&q) {
                *c = f32::from(v) * q;
            }
            // Horizontal pass: rows[v * n + x] = sum over u of basis[x][u] * coef[v][u].
            for v in 0..n {
                for x in 0..n {
                    rows[v * n + x] = (0..n).map(|u| basis[x * n + u] * coef[v * n + u]).sum();
                }
            }
            // Vertical pass, level shift and clamp.
            for y in 0..n {
                let out = &mut data[(by * n + y) * width + bx * n..][..n];
                for (x, px) in out.iter_mut().enumerate() {
                    let s: f32 = (0..n).map(|v| basis[y * n + v] * rows[v * n + x]).sum();
                    *px = (s + 128.5).clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
    Plane { width, data }
}

/// The output image of `width` x `height` from the component planes: grey from one, RGB from
/// three YCbCr planes. `shifts[c]` is (log2 of) how many output pixels one sample of component
/// `c` covers across and down (0 or 1: full or half resolution).
pub(super) fn image(
    planes: &[Plane],
    shifts: &[(u32, u32)],
    width: usize,
    height: usize,
) -> Pixels {
    if let [grey] = planes {
        let mut data = Vec::with_capacity(width * height);
        for y in 0..height {
            data.extend_from_slice(&grey.data[y * grey.width..][..width]);
        }
        return Pixels {
            width: width as u32,
            height: height as u32,
            channels: 1,
            data,
        };
    }
    let mut data = vec![0u8; width * height * 3];
    let mut rows = [vec![0u8; width], vec![0u8; width], vec![0u8; width]];
    let mut sums = vec![0u16; width];
    for (y, out) in data.chunks_exact_mut(width * 3).enumerate() {
        for ((plane, &shift), row) in planes.iter().zip(shifts).zip(rows.iter_mut()) {
            upsampled_row(plane, shift, (y, height), row, &mut sums);
        }
        let [luma, cb, cr] = &rows;
        for (x, px) in out.chunks_exact_mut(3).enumerate() {
            let l = i32::from(luma[x]) << 16;
            let b = i32::from(cb[x]) - 128;
            let r = i32::from(cr[x]) - 128;
            let clamp = |v: i32| ((v + 32768) >> 16).clamp(0, 255) as u8;
            px[0] = clamp(l + 91_881 * r);
            px[1] = clamp(l - 22_554 * b - 46_802 * r);
            px[2] = clamp(l + 116_130 * b);
        }
    }
    Pixels {
        width: width as u32,
        height: height as u32,
        channels: 3,
        data,
    }
}

/// Output row `y` (of `height`) of one component, `row.len()` pixels wide. A half-resolution component is
/// interpolated as libjpeg's "fancy" upsampling does: each output pixel takes 3/4 of the
/// nearest sample and 1/4 of the next nearest, across and down (`sums` is scratch space).
fn upsampled_row(
    plane: &Plane,
    (sx, sy): (u32, u32),
    (y, height): (usize, usize),
    row: &mut [u8],
    sums: &mut [u16],
) {
    // The last sample row holding image data (the plane is padded to whole blocks).
    let last_row = (height.div_ceil(1 << sy) - 1).min(plane.data.len() / plane.width - 1);
    let line = |r: usize| &plane.data[r.min(last_row) * plane.width..][..plane.width];
    let samples = row.len().div_ceil(1 << sx).min(plane.width);
    // Down: 4 x the nearest row, or 3 x it + 1 x the row on the side of `y`.
    let near = line(y >> sy);
    let sums = &mut sums[..samples];
    if sy == 0 {
        for (s, &v) in sums.iter_mut().zip(near) {
            *s = 4 * u16::from(v);
        }
    } else {
        let r = y >> 1;
        let far = if y & 1 == 0 {
            line(r.saturating_sub(1))
        } else {
            line(r + 1)
        };
        for ((s, &a), &b) in sums.iter_mut().zip(near).zip(far) {
            *s = 3 * u16::from(a) + u16::from(b);
        }
    }
    if sx == 0 {
        for (o, &s) in row.iter_mut().zip(sums.iter()) {
            *o = ((s + 2) >> 2) as u8;
        }
        return;
    }
    let last = samples - 1;
    for (x, o) in row.iter_mut().enumerate() {
        let i = (x >> 1).min(last);
        let j = if x & 1 == 0 {
            i.saturating_sub(1)
        } else {
            (i + 1).min(last)
        };
        *o = ((3 * u32::from(sums[i]) + u32::from(sums[j]) + 8) >> 4) as u8;
    }
}
