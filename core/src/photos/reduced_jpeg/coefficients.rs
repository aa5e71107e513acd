//! The coefficients of a progressive JPEG, kept compactly while its scans arrive.
//!
//! A progressive file sends every block's 64 DCT coefficients in several scans (spectral bands
//! and successive bits), so all of them are normally kept until the last scan: 128 bytes a block,
//! 147 MB for a 7000x7000 4:2:0 photo. A decode at 1/s size only uses the top-left `8/s` x
//! `8/s` coefficients of each block (16 at 1/2, 4 at 1/4, 1 at 1/8), so only those values are
//! kept. The refinement scans still need to know which of the other coefficients are non-zero
//! (a correction bit is read for each of them), so each block also keeps one bit per
//! coefficient: 8 bytes. 7000x7000 at 1/4 is 1.15 M blocks of 8 + 8 bytes, 18 MB.
//!
//! The four scan kinds follow ITU T.81 G.1.2 and libjpeg's `jdphuff.c`.

use super::bits::{Bits, Huffman};
use crate::photos::error::PhotoError;

/// Zigzag index -> natural (row-major) index.
pub(super) const NATURAL: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Which coefficients one block keeps: those in the top-left `n` x `n` corner.
pub(super) struct Kept {
    /// The kept corner's side: the output pixels per block side (1..=4).
    pub n: usize,
    /// Zigzag index -> place in the block's kept values, or `u8::MAX` when not kept.
    pub slot: [u8; 64],
}

impl Kept {
    pub(super) fn new(n: usize) -> Kept {
        let mut slot = [u8::MAX; 64];
        for (k, s) in slot.iter_mut().enumerate() {
            let (row, col) = (NATURAL[k] / 8, NATURAL[k] % 8);
            if row < n && col < n {
                *s = (row * n + col) as u8;
            }
        }
        Kept { n, slot }
    }

    /// The zigzag index of each kept value, in kept order.
    pub(super) fn zigzag_of_slots(&self) -> Vec<usize> {
        let mut v = vec![0; self.n * self.n];
        for (k, &s) in self.slot.iter().enumerate() {
            if s != u8::MAX {
                v[usize::from(s)] = k;
            }
        }
        v
    }
}

/// One component's blocks: a non-zero bit per coefficient and the kept values.
pub(super) struct Blocks {
    /// Blocks per row and rows of blocks (padded to whole MCUs).
    pub width: usize,
    pub height: usize,
    nonzero: Vec<u64>,
    values: Vec<i16>,
    per_block: usize,
}

impl Blocks {
    pub(super) fn new(width: usize, height: usize, kept: &Kept) -> Blocks {
        let per_block = kept.n * kept.n;
        Blocks {
            width,
            height,
            nonzero: vec![0; width * height],
            values: vec![0; width * height * per_block],
            per_block,
        }
    }

    /// The kept values of block `index`.
    pub(super) fn values(&self, index: usize) -> &[i16] {
        &self.values[index * self.per_block..(index + 1) * self.per_block]
    }

    fn block(&mut self, index: usize) -> Block<'_> {
        Block {
            nonzero: &mut self.nonzero[index],
            values: &mut self.values[index * self.per_block..(index + 1) * self.per_block],
        }
    }
}

struct Block<'a> {
    nonzero: &'a mut u64,
    values: &'a mut [i16],
}

impl Block<'_> {
    fn is_nonzero(&self, k: usize) -> bool {
        *self.nonzero & (1 << k) != 0
    }

    fn set(&mut self, kept: &Kept, k: usize, v: i32) {
        *self.nonzero |= 1 << k;
        if let Some(x) = self.values.get_mut(usize::from(kept.slot[k])) {
            *x = v as i16;
        }
    }

    /// A correction bit for a coefficient that is already non-zero.
    fn refine(&mut self, kept: &Kept, k: usize, bits: &mut Bits<'_>, p1: i32) {
        if bits.bit()
            && let Some(x) = self.values.get_mut(usize::from(kept.slot[k]))
        {
            let v = i32::from(*x);
            if v & p1 == 0 {
                *x = if v >= 0 { v + p1 } else { v - p1 } as i16;
            }
        }
    }
}

/// What a scan's header says about its bands and bits.
#[derive(Clone, Copy)]
pub(super) struct Band {
    /// Spectral selection start and end (zigzag indices).
    pub start: usize,
    pub end: usize,
    /// Successive approximation: the previous and the current bit position.
    pub high: u32,
    pub low: u32,
}

/// The state of one scan that lives across blocks.
pub(super) struct ScanState {
    /// The DC predictor of each of the scan's components.
    pub predictors: [i32; 4],
    /// Blocks still to skip in an end-of-band run.
    pub eob_run: u32,
}

impl ScanState {
    pub(super) fn new() -> ScanState {
        ScanState {
            predictors: [0; 4],
            eob_run: 0,
        }
    }
}

/// Decodes one block of a scan into `blocks` at `index`. `component` is the component's place
/// in the scan (for its DC predictor).
#[allow(clippy::too_many_arguments)] // The scan's parts, each used by one kind of scan.
pub(super) fn decode_block(
    bits: &mut Bits<'_>,
    band: Band,
    state: &mut ScanState,
    component: usize,
    dc: Option<&Huffman>,
    ac: Option<&Huffman>,
    blocks: &mut Blocks,
    index: usize,
    kept: &Kept,
) -> Result<(), PhotoError> {
    let mut block = blocks.block(index);
    if band.start == 0 {
        if band.high == 0 {
            let table = dc.ok_or(PhotoError::Truncated)?;
            let size = u32::from(bits.symbol(table)?);
            let diff = if size > 16 {
                return Err(PhotoError::Truncated);
            } else {
                bits.signed(size)
            };
            let pred = &mut state.predictors[component];
            *pred = pred.wrapping_add(diff);
            block.set(kept, 0, pred.wrapping_shl(band.low));
        } else if bits.bit() {
            block.values[0] = (i32::from(block.values[0]) | (1 << band.low)) as i16;
        }
        return Ok(());
    }
    let table = ac.ok_or(PhotoError::Truncated)?;
    if band.high == 0 {
        ac_first(bits, band, state, table, &mut block, kept)
    } else {
        ac_refine(bits, band, state, table, &mut block, kept)
    }
}

fn ac_first(
    bits: &mut Bits<'_>,
    band: Band,
    state: &mut ScanState,
    table: &Huffman,
    block: &mut Block<'_>,
    kept: &Kept,
) -> Result<(), PhotoError> {
    if state.eob_run > 0 {
        state.eob_run -= 1;
        return Ok(());
    }
    let mut k = band.start;
    while k <= band.end {
        let rs = bits.symbol(table)?;
        let (r, s) = (u32::from(rs >> 4), u32::from(rs & 15));
        if s == 0 {
            if r < 15 {
                state.eob_run = (1 << r) - 1 + bits.bits(r);
                break;
            }
            k += 16;
            continue;
        }
        k += r as usize;
        if k > 63 {
            return Err(PhotoError::Truncated);
        }
        let v = bits.signed(s);
        block.set(kept, k, v.wrapping_shl(band.low));
        k += 1;
    }
    Ok(())
}

fn ac_refine(
    bits: &mut Bits<'_>,
    band: Band,
    state: &mut ScanState,
    table: &Huffman,
    block: &mut Block<'_>,
    kept: &Kept,
) -> Result<(), PhotoError> {
    let p1 = 1i32 << band.low;
    let mut k = band.start;
    if state.eob_run == 0 {
        while k <= band.end {
            let rs = bits.symbol(table)?;
            let (mut r, s) = (i32::from(rs >> 4), rs & 15);
            let mut value = 0;
            if s != 0 {
                value = if bits.bit() { p1 } else { -p1 };
            } else if r != 15 {
                state.eob_run = (1 << r) + bits.bits(r as u32);
                break;
            }
            while k <= band.end {
                if block.is_nonzero(k) {
                    block.refine(kept, k, bits, p1);
                } else {
                    if r == 0 {
                        break;
                    }
                    r -= 1;
                }
                k += 1;
            }
            if value != 0 {
                if k > 63 {
                    return Err(PhotoError::Truncated);
                }
                block.set(kept, k, value);
            }
            k += 1;
        }
    }
    if state.eob_run > 0 {
        while k <= band.end {
            if block.is_nonzero(k) {
                block.refine(kept, k, bits, p1);
            }
            k += 1;
        }
        state.eob_run -= 1;
    }
    Ok(())
}
