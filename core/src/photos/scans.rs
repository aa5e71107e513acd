//! Does a JPEG carry enough scan data for the frame its header claims?
//!
//! `jpeg-decoder`, like libjpeg, fills the rest of a scan with zero bits when the entropy-coded
//! data stops early at a marker, so a 640x480 picture whose frame header was changed to say
//! 7000x7000 decodes "successfully" into a flat square or stripes. This check walks the scans
//! without decoding them and compares the entropy-coded bytes of each with the fewest bits any
//! valid encoder could have spent on that many blocks:
//!
//! - sequential Huffman (SOF0, SOF1): each block needs a DC code and either an end-of-block code
//!   or AC codes, each at least 1 bit, so at least 2 bits a block;
//! - progressive Huffman (SOF2): a DC scan (first or refinement) spends at least 1 bit a block;
//!   AC scans can skip whole runs of blocks with one end-of-band code, so they prove nothing.
//!
//! The bound is never above what a real file holds, so no valid photo is refused; a file well
//! short of it is `truncated_image`. A small lie (640x480 data claiming 700x500) still passes;
//! catching it would need a full entropy-decoding pass over every photo.
//! It allocates nothing.

use super::error::PhotoError;

/// One frame component: its sampling factors.
#[derive(Clone, Copy, Default)]
struct Component {
    id: u8,
    h: u64,
    v: u64,
}

/// What the frame header says.
struct Frame {
    marker: u8,
    width: u64,
    height: u64,
    components: [Component; 4],
    count: usize,
}

impl Frame {
    fn max_factors(&self) -> (u64, u64) {
        self.components[..self.count]
            .iter()
            .fold((1, 1), |(h, v), c| (h.max(c.h), v.max(c.v)))
    }

    /// Blocks a scan over `ids` codes: every block of each component's MCU, or for a
    /// one-component scan the component's own (non-interleaved) block grid.
    fn blocks_in_scan(&self, ids: &[u8]) -> u64 {
        let (hmax, vmax) = self.max_factors();
        let find = |id: u8| self.components[..self.count].iter().find(|c| c.id == id);
        if let [id] = ids {
            let Some(c) = find(*id) else { return 0 };
            let cw = (self.width * c.h).div_ceil(hmax);
            let ch = (self.height * c.v).div_ceil(vmax);
            return cw.div_ceil(8) * ch.div_ceil(8);
        }
        let mcus = self.width.div_ceil(8 * hmax) * self.height.div_ceil(8 * vmax);
        let per_mcu: u64 = ids
            .iter()
            .filter_map(|id| find(*id))
            .map(|c| c.h * c.v)
            .sum();
        mcus * per_mcu
    }
}

/// Entropy-coded bytes from `at` up to the next marker other than a restart marker, counting a
/// stuffed `FF 00` as one byte. Returns the count and where the marker starts.
fn scan_bytes(data: &[u8], mut at: usize) -> (u64, usize) {
    let mut n = 0u64;
    while at < data.len() {
        // Most of a scan has no 0xFF byte: skip 32 bytes at a time while none is in them (a
        // test without an early exit, which the compiler turns into a few vector instructions).
        if let Some(run) = data.get(at..at + 32)
            && run.iter().fold(true, |none, &b| none & (b != 0xFF))
        {
            n += 32;
            at += 32;
            continue;
        }
        if data[at] != 0xFF {
            n += 1;
            at += 1;
            continue;
        }
        match data.get(at + 1) {
            Some(0x00) => {
                n += 1;
                at += 2;
            }
            Some(0xD0..=0xD7) => at += 2,
            // A fill byte before a marker.
            Some(0xFF) => at += 1,
            _ => break,
        }
    }
    (n, at)
}

/// Refuses, as [`PhotoError::Truncated`], a JPEG with a scan too short for the frame.
///
/// Only the structure the header parser already accepted is walked; anything it cannot follow
/// is left for the decoder to report.
pub(crate) fn check_scans_fill_frame(data: &[u8]) -> Result<(), PhotoError> {
    let mut frame: Option<Frame> = None;
    let mut i = 2usize;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return Ok(());
        }
        let marker = data[i + 1];
        match marker {
            0xFF => {
                i += 1;
                continue;
            }
            0xD9 => return Ok(()),
            0x01 | 0xD0..=0xD8 => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([data[i + 2], data[i + 3]]));
        let Some(seg) = data.get(i + 4..i + 2 + len) else {
            return Ok(());
        };
        match marker {
            0xC0..=0xC2 if frame.is_none() => frame = parse_frame(marker, seg),
            0xDA => {
                let (bytes, next) = scan_bytes(data, i + 2 + len);
                if let Some(frame) = &frame {
                    let need = min_bits(frame, seg);
                    if bytes.saturating_mul(8) < need {
                        return Err(PhotoError::Truncated);
                    }
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 2 + len;
    }
    Ok(())
}

fn parse_frame(marker: u8, seg: &[u8]) -> Option<Frame> {
    let height = u64::from(u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]));
    let width = u64::from(u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]));
    let count = usize::from(*seg.get(5)?);
    if count == 0 || count > 4 {
        return None;
    }
    let mut components = [Component::default(); 4];
    for (k, c) in components.iter_mut().enumerate().take(count) {
        let at = 6 + 3 * k;
        let factors = *seg.get(at + 1)?;
        let (h, v) = (u64::from(factors >> 4), u64::from(factors & 0x0F));
        if h == 0 || v == 0 {
            return None;
        }
        *c = Component {
            id: *seg.get(at)?,
            h,
            v,
        };
    }
    Some(Frame {
        marker,
        width,
        height,
        components,
        count,
    })
}

/// The fewest bits a valid encoder could spend on the scan whose SOS payload is `sos`.
fn min_bits(frame: &Frame, sos: &[u8]) -> u64 {
    let Some(&ns) = sos.first() else { return 0 };
    let ns = usize::from(ns);
    if ns == 0 || ns > 4 {
        return 0;
    }
    let mut ids = [0u8; 4];
    for (k, id) in ids.iter_mut().enumerate().take(ns) {
        let Some(&c) = sos.get(1 + 2 * k) else {
            return 0;
        };
        *id = c;
    }
    let blocks = frame.blocks_in_scan(&ids[..ns]);
    let spectral_start = sos.get(1 + 2 * ns).copied().unwrap_or(1);
    match frame.marker {
        0xC0 | 0xC1 => 2 * blocks,
        0xC2 if spectral_start == 0 => blocks,
        _ => 0,
    }
}
