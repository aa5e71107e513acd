//! One block of a sequential (baseline) JPEG scan, keeping only the coefficients a reduced-size
//! decode uses.
//!
//! A sequential scan sends each block whole (its DC difference, then its AC coefficients to
//! the end of the block), so a block can be turned into pixels as soon as it is read: nothing
//! is stored but the reduced image (ITU T.81 F.2.2).

use super::bits::{Bits, Huffman};
use super::coefficients::Kept;
use crate::photos::error::PhotoError;

/// Reads one block: `predictor` is its component's DC predictor; the kept coefficients are
/// written to `values` (which the caller zeroed).
pub(super) fn decode_block(
    bits: &mut Bits<'_>,
    dc: &Huffman,
    ac: &Huffman,
    predictor: &mut i32,
    values: &mut [i16],
    kept: &Kept,
) -> Result<(), PhotoError> {
    let size = u32::from(bits.symbol(dc)?);
    if size > 16 {
        return Err(PhotoError::Truncated);
    }
    *predictor = predictor.wrapping_add(bits.signed(size));
    values[0] = *predictor as i16;
    let mut k = 1;
    while k < 64 {
        if let Some((run, v)) = bits.fast_ac(ac) {
            k += run;
            if k > 63 {
                return Err(PhotoError::Truncated);
            }
            if let Some(x) = values.get_mut(usize::from(kept.slot[k])) {
                *x = v as i16;
            }
            k += 1;
            continue;
        }
        let rs = bits.symbol(ac)?;
        let (r, s) = (usize::from(rs >> 4), u32::from(rs & 15));
        if s == 0 {
            if r != 15 {
                break; // End of block.
            }
            k += 16;
            continue;
        }
        k += r;
        if k > 63 {
            return Err(PhotoError::Truncated);
        }
        let v = bits.signed(s);
        if let Some(x) = values.get_mut(usize::from(kept.slot[k])) {
            *x = v as i16;
        }
        k += 1;
    }
    Ok(())
}
