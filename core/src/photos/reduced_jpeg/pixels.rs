//! From kept coefficients to pixels: a reduced-size inverse DCT per block, then chroma
//! upsampling and YCbCr -> RGB.
//!
//! The reduced IDCT is the `n`-point IDCT (`n` = 1..=4 output pixels per 8) of a block's top-left
//! `n` x `n` coefficients, with the 8-point normalisation, so each output pixel approximates the
//! mean of the `8/n` x `8/n` pixels a full decode would give (libjpeg's `jidctred.c` and, for
//! `n` = 3, `jpeg_idct_3x3` in `jidctint.c` do the same). It runs in integers, with the basis'
//! scales folded into the dequantisation factors ([`Idct`]).

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

/// Fraction bits of the folded dequantisation factors (and of every value in the IDCT).
const FRAC: u32 = 16;
/// Fraction bits of the two rotation constants of the 4-point IDCT.
const ROT_BITS: u32 = 14;
/// cos(pi/8) and cos(3pi/8) in `ROT_BITS` fixed point.
const COS_1: i64 = 15_137;
const COS_3: i64 = 6_270;

/// The reduced inverse DCT of one component, in integers: the basis of the `n`-point IDCT
/// factors into a per-frequency scale `s(u)` and a pattern of small whole numbers (and, for
/// `n` = 4, one rotation), so the scales are folded into the dequantisation factors once per
/// table and a block costs `n` x `n` multiplications and additions (plus the rotations at
/// `n` = 4; the idea of libjpeg's `jidctred.c` and AAN's folded scaling, written for these
/// three sizes).
pub(super) struct Idct {
    n: usize,
    /// `quant * s(u) * s(v)` of each kept coefficient (kept order: `v * n + u`), `FRAC` bits.
    factors: [i64; 16],
}

/// `s(u)` of the `n`-point IDCT with the 8-point normalisation: `basis(x, u) = s(u) *
/// pattern(x, u)`, where the basis is `C(u) / 2 * cos((2x + 1) u pi / 2n)`, `C(0) = 1 / sqrt 2`.
fn scales(n: usize) -> [f64; 4] {
    let dc = std::f64::consts::FRAC_1_SQRT_2 / 2.0;
    match n {
        // pattern u=1: [1, -1].
        2 => [dc, dc, 0.0, 0.0],
        // u=1: sqrt 3 / 4 x [1, 0, -1]; u=2: 1/4 x [1, -2, 1].
        3 => [dc, 3f64.sqrt() / 4.0, 0.25, 0.0],
        // u=1: 1/2 x [c1, c3, -c3, -c1]; u=2: dc x [1, -1, -1, 1]; u=3: 1/2 x [c3, -c1, c1, -c3].
        4 => [dc, 0.5, dc, 0.5],
        _ => [dc, 0.0, 0.0, 0.0],
    }
}

/// The 1-D patterns, one per `n`: input in frequency order, output in pixel order.
fn idct2([a, b]: [i64; 2]) -> [i64; 2] {
    [a + b, a - b]
}

fn idct3([a, b, c]: [i64; 3]) -> [i64; 3] {
    [a + b + c, a - 2 * c, a - b + c]
}

fn idct4([a, b, c, d]: [i64; 4]) -> [i64; 4] {
    let (even0, even1) = (a + c, a - c);
    let round = 1 << (ROT_BITS - 1);
    let odd0 = (b * COS_1 + d * COS_3 + round) >> ROT_BITS;
    let odd1 = (b * COS_3 - d * COS_1 + round) >> ROT_BITS;
    [even0 + odd0, even1 + odd1, even1 - odd1, even0 - odd0]
}

impl Idct {
    /// `quant` is the component's quantisation table in zigzag order.
    pub(super) fn new(kept: &Kept, quant: &[u16; 64]) -> Idct {
        let n = kept.n;
        let s = scales(n);
        let mut factors = [0i64; 16];
        for (slot, &k) in kept.zigzag_of_slots().iter().enumerate() {
            let (v, u) = (slot / n, slot % n);
            let f = f64::from(quant[k]) * s[u] * s[v] * f64::from(1u32 << FRAC);
            factors[slot] = f.round() as i64;
        }
        Idct { n, factors }
    }

    /// Writes the `n` x `n` pixels of the block whose kept coefficients are `values` into
    /// `plane` at block column `bx`, block row `by`.
    pub(super) fn block(&self, values: &[i16], plane: &mut Plane, bx: usize, by: usize) {
        let at = by * self.n * plane.width + bx * self.n;
        let out = &mut plane.data[at..];
        match self.n {
            1 => out[0] = pixel(i64::from(values[0]) * self.factors[0]),
            2 => self.run::<2>(values, out, plane.width, idct2),
            3 => self.run::<3>(values, out, plane.width, idct3),
            _ => self.run::<4>(values, out, plane.width, idct4),
        }
    }

    fn run<const N: usize>(
        &self,
        values: &[i16],
        out: &mut [u8],
        stride: usize,
        idct: fn([i64; N]) -> [i64; N],
    ) {
        let (Some(values), Some(factors)) = (values.get(..N * N), self.factors.get(..N * N)) else {
            return;
        };
        if values[1..].iter().all(|&v| v == 0) {
            // A flat block (most of them in smooth areas): every pixel is the DC level.
            let level = pixel(i64::from(values[0]) * factors[0]);
            for y in 0..N {
                out[y * stride..][..N].fill(level);
            }
            return;
        }
        // Dequantised and scaled, coef[v][u]; written with constant indices so that the
        // compiler unrolls every loop of the block.
        let coef: [[i64; N]; N] = std::array::from_fn(|v| {
            std::array::from_fn(|u| i64::from(values[v * N + u]) * factors[v * N + u])
        });
        // Down each column: columns[u][y].
        let columns: [[i64; N]; N] =
            std::array::from_fn(|u| idct(std::array::from_fn(|v| coef[v][u])));
        // Across each row, level shift and clamp.
        for y in 0..N {
            let across = idct(std::array::from_fn(|u| columns[u][y]));
            for (px, value) in out[y * stride..][..N].iter_mut().zip(across) {
                *px = pixel(value);
            }
        }
    }
}

/// A `FRAC`-bit IDCT output as an 8-bit sample: level-shifted by 128, rounded, clamped.
fn pixel(value: i64) -> u8 {
    ((value + (128 << FRAC) + (1 << (FRAC - 1))) >> FRAC).clamp(0, 255) as u8
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
        let samples = luma.iter().zip(cb).zip(cr);
        for (px, ((&l, &b), &r)) in out.chunks_exact_mut(3).zip(samples) {
            let l = i32::from(l) << 16;
            let b = i32::from(b) - 128;
            let r = i32::from(r) - 128;
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
    // Across: output pixel 2i + 1 is 3/4 of sample i and 1/4 of sample i + 1, pixel 2i + 2
    // the other way round; the first and last pixels repeat the edge sample. Written over
    // pairs of samples so the compiler can vectorise it.
    let last = samples - 1;
    let edge = |i: usize, j: usize| ((3 * u32::from(sums[i]) + u32::from(sums[j]) + 8) >> 4) as u8;
    let Some((first, rest)) = row.split_first_mut() else {
        return;
    };
    *first = edge(0, 0);
    let pairs = rest.len().min(2 * last) / 2;
    for (pair, w) in rest[..2 * pairs].chunks_exact_mut(2).zip(sums.windows(2)) {
        let (a, b) = (u32::from(w[0]), u32::from(w[1]));
        pair[0] = ((3 * a + b + 8) >> 4) as u8;
        pair[1] = ((3 * b + a + 8) >> 4) as u8;
    }
    for (x, o) in row.iter_mut().enumerate().skip(1 + 2 * pairs) {
        let i = (x >> 1).min(last);
        let j = if x & 1 == 0 {
            i.saturating_sub(1)
        } else {
            (i + 1).min(last)
        };
        *o = edge(i, j);
    }
}
