//! From kept coefficients to pixels: a reduced-size inverse DCT per block, then chroma
//! upsampling and YCbCr -> RGB.
//!
//! The reduced IDCT is the `n`-point IDCT (`n` = 1..=4 output pixels per 8) of a block's top-left
//! `n` x `n` coefficients, with the 8-point normalisation, so each output pixel approximates the
//! mean of the `8/n` x `8/n` pixels a full decode would give (libjpeg's `jidctred.c` and, for
//! `n` = 3, `jpeg_idct_3x3` in `jidctint.c` do the same with integer arithmetic).

use super::coefficients::{Blocks, Kept};
use crate::photos::decode::Pixels;

/// One component's pixels at the reduced size (padded to whole blocks).
pub(super) struct Plane {
    pub width: usize,
    pub data: Vec<u8>,
}

impl Plane {
    /// A plane for `blocks_across` x `blocks_down` blocks of `n` x `n` pixels.
    pub(super) fn new(blocks_across: usize, blocks_down: usize, n: usize) -> Plane {
        let width = blocks_across * n;
        Plane {
            width,
            data: vec![0; width * blocks_down * n],
        }
    }
}

/// The reduced inverse DCT of one component: its basis and its dequantisation factors.
pub(super) struct Idct {
    n: usize,
    /// `basis[x * n + u]` = C(u) / 2 * cos((2x + 1) u pi / 2n), C(0) = 1 / sqrt 2.
    basis: [f32; 16],
    /// The quantisation step of each kept coefficient, in kept order.
    quant: [f32; 16],
}

impl Idct {
    /// `quant` is the component's quantisation table in zigzag order.
    pub(super) fn new(kept: &Kept, quant: &[u16; 64]) -> Idct {
        let n = kept.n;
        let mut basis = [0f32; 16];
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
        let mut q = [0f32; 16];
        for (q, &k) in q.iter_mut().zip(&kept.zigzag_of_slots()) {
            *q = f32::from(quant[k]);
        }
        Idct { n, basis, quant: q }
    }

    /// Writes the `n` x `n` pixels of the block whose kept coefficients are `values` into
    /// `plane` at block column `bx`, block row `by`.
    pub(super) fn block(&self, values: &[i16], plane: &mut Plane, bx: usize, by: usize) {
        let at = by * self.n * plane.width + bx * self.n;
        let out = &mut plane.data[at..];
        match self.n {
            1 => {
                let v = f32::from(values[0]) * self.quant[0] / 8.0 + 128.5;
                out[0] = v.clamp(0.0, 255.0) as u8;
            }
            2 => self.run::<2>(values, out, plane.width),
            3 => self.run::<3>(values, out, plane.width),
            _ => self.run::<4>(values, out, plane.width),
        }
    }

    fn run<const N: usize>(&self, values: &[i16], out: &mut [u8], stride: usize) {
        if values[1..N * N].iter().all(|&v| v == 0) {
            // A flat block (most of them in smooth areas): every pixel is the DC level.
            let level = f32::from(values[0]) * self.quant[0] / 8.0 + 128.5;
            let level = level.clamp(0.0, 255.0) as u8;
            for y in 0..N {
                out[y * stride..y * stride + N].fill(level);
            }
            return;
        }
        let mut coef = [[0f32; N]; N];
        for (i, (&v, &q)) in values.iter().zip(&self.quant).take(N * N).enumerate() {
            coef[i / N][i % N] = f32::from(v) * q;
        }
        let basis = &self.basis[..N * N];
        // Across: rows[v][x] = sum over u of basis[x][u] * coef[v][u].
        let mut rows = [[0f32; N]; N];
        for (row, c) in rows.iter_mut().zip(&coef) {
            for (r, b) in row.iter_mut().zip(basis.chunks_exact(N)) {
                *r = b.iter().zip(c).map(|(b, c)| b * c).sum();
            }
        }
        // Down, level shift and clamp.
        for (y, b) in basis.chunks_exact(N).enumerate() {
            let line = &mut out[y * stride..y * stride + N];
            for (x, px) in line.iter_mut().enumerate() {
                let s: f32 = b.iter().zip(&rows).map(|(b, r)| b * r[x]).sum();
                *px = (s + 128.5).clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// Runs the reduced IDCT over every block of one component's kept coefficients.
pub(super) fn plane(blocks: &Blocks, kept: &Kept, quant: &[u16; 64]) -> Plane {
    let idct = Idct::new(kept, quant);
    let mut plane = Plane::new(blocks.width, blocks.height, kept.n);
    for by in 0..blocks.height {
        for bx in 0..blocks.width {
            idct.block(blocks.values(by * blocks.width + bx), &mut plane, bx, by);
        }
    }
    plane
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
            if shift != (0, 0) {
                upsampled_row(plane, shift, (y, height), row, &mut sums);
            }
        }
        // A full-resolution component is read straight from its plane.
        let pick = |c: usize| -> &[u8] {
            if shifts[c] == (0, 0) {
                &planes[c].data[y * planes[c].width..][..width]
            } else {
                &rows[c]
            }
        };
        let (luma, cb, cr) = (pick(0), pick(1), pick(2));
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
