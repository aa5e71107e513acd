//! The entropy-coded bits of one scan and the Huffman tables that read them.
//!
//! A JPEG scan is a bit stream in which a `FF` byte is followed by a stuffed `00`, and which
//! ends at a marker. Like libjpeg (and `jpeg-decoder`), reading past the marker yields zero bits:
//! whether a scan carried enough data for its frame is checked beforehand, by `scans.rs`.

use crate::photos::error::PhotoError;

/// Bits of the lookup table: codes up to this long are decoded in one step.
const LOOKUP_BITS: u32 = 9;
/// Entries in a lookup table. The tables are arrays of exactly this many, so an index made of
/// the top `LOOKUP_BITS` bits of the accumulator needs no bounds check.
const LOOKUP_SIZE: usize = 1 << LOOKUP_BITS;

/// A Huffman table (ITU T.81 Annex C), with a lookup table for the short codes.
pub(super) struct Huffman {
    /// For each `LOOKUP_BITS`-bit prefix: `(length << 8) | symbol`, or 0 for a longer code.
    lookup: Box<[u16; LOOKUP_SIZE]>,
    /// The largest code of each length (index 1..=16), or -1 when there is none.
    max_code: [i32; 18],
    /// What to add to a code of each length to index `symbols`.
    offset: [i32; 18],
    symbols: Vec<u8>,
    /// For an AC table, for each `LOOKUP_BITS`-bit prefix holding a whole run/size code *and*
    /// the coefficient's extra bits: `value << 16 | run << 8 | bits used`; 0 otherwise. One
    /// lookup then decodes most coefficients (libjpeg-turbo's and `jpeg-decoder`'s "fast AC").
    fast_ac: Box<[i32; LOOKUP_SIZE]>,
}

impl Huffman {
    /// Builds a table from the DHT counts per length (1..=16) and the symbols.
    pub(super) fn new(counts: &[u8; 16], symbols: &[u8]) -> Result<Huffman, PhotoError> {
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > 256 || total != symbols.len() {
            return Err(PhotoError::Truncated);
        }
        let mut lookup = Box::new([0u16; LOOKUP_SIZE]);
        let mut max_code = [-1i32; 18];
        let mut offset = [0i32; 18];
        let mut code = 0i32;
        let mut k = 0usize;
        for len in 1..=16u32 {
            let count = usize::from(counts[len as usize - 1]);
            offset[len as usize] = k as i32 - code;
            for _ in 0..count {
                if code >= (1 << len) {
                    return Err(PhotoError::Truncated);
                }
                if len <= LOOKUP_BITS {
                    let shift = LOOKUP_BITS - len;
                    let first = (code as usize) << shift;
                    let entry = ((len as u16) << 8) | u16::from(symbols[k]);
                    lookup[first..first + (1 << shift)].fill(entry);
                }
                code += 1;
                k += 1;
            }
            if count > 0 {
                max_code[len as usize] = code - 1;
            }
            code <<= 1;
        }
        let mut fast_ac = Box::new([0i32; LOOKUP_SIZE]);
        for (prefix, (&entry, slot)) in lookup.iter().zip(fast_ac.iter_mut()).enumerate() {
            let (len, rs) = (u32::from(entry >> 8), entry as u8);
            let (run, size) = (i32::from(rs >> 4), u32::from(rs & 15));
            if entry == 0 || size == 0 || len + size > LOOKUP_BITS {
                continue; // A longer code, an end of block or a run of 16 zeros.
            }
            let extra = (prefix as u32 >> (LOOKUP_BITS - len - size)) & ((1 << size) - 1);
            let value = extend(extra, size);
            *slot = (value << 16) | (run << 8) | (len + size) as i32;
        }
        Ok(Huffman {
            lookup,
            max_code,
            offset,
            symbols: symbols.to_vec(),
            fast_ac,
        })
    }
}

/// The JPEG EXTEND procedure: `v`, read as `n` (1..=16) bits, as a signed value.
fn extend(v: u32, n: u32) -> i32 {
    let v = v as i32;
    if v < (1 << (n - 1)) {
        v - (1 << n) + 1
    } else {
        v
    }
}

/// Reads the bits of one scan, from its first entropy-coded byte.
pub(super) struct Bits<'a> {
    data: &'a [u8],
    /// The next byte to load.
    pos: usize,
    /// Loaded bits, most significant first.
    acc: u64,
    count: u32,
    /// A marker (or the end of the data) was reached: only zero bits follow.
    at_marker: bool,
}

impl<'a> Bits<'a> {
    pub(super) fn new(data: &'a [u8], pos: usize) -> Bits<'a> {
        Bits {
            data,
            pos,
            acc: 0,
            count: 0,
            at_marker: false,
        }
    }

    fn fill(&mut self) {
        // As many whole bytes as the accumulator holds, in one load, when none of the next eight
        // is 0xFF (no stuffing, no marker): most of the time.
        if !self.at_marker
            && let Some(next) = self.data.get(self.pos..self.pos + 8)
            && let Ok(next) = <[u8; 8]>::try_from(next)
        {
            let word = u64::from_be_bytes(next);
            // A byte of `!word` is zero exactly where `word` has 0xFF; this finds whether any is
            // (with no false alarm when none is).
            let inverted = !word;
            let has_ff =
                inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080;
            if has_ff == 0 {
                let n = (64 - self.count) / 8;
                if n > 0 {
                    let taken = if n == 8 { word } else { word >> (64 - 8 * n) };
                    self.acc |= taken << (64 - self.count - 8 * n);
                    self.count += 8 * n;
                    self.pos += n as usize;
                }
                return;
            }
        }
        while self.count <= 56 {
            let byte = if self.at_marker {
                0
            } else {
                match self.data.get(self.pos) {
                    Some(0xFF) if self.data.get(self.pos + 1) == Some(&0) => {
                        self.pos += 2;
                        0xFF
                    }
                    Some(0xFF) | None => {
                        self.at_marker = true;
                        0
                    }
                    Some(&b) => {
                        self.pos += 1;
                        b
                    }
                }
            };
            self.acc |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// The next `n` (1..=16) bits, consumed.
    pub(super) fn bits(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        if self.count < n {
            self.fill();
        }
        let v = (self.acc >> (64 - n)) as u32;
        self.acc <<= n;
        self.count -= n;
        v
    }

    /// One bit.
    pub(super) fn bit(&mut self) -> bool {
        self.bits(1) == 1
    }

    /// `n` bits as a signed value (the JPEG EXTEND procedure).
    pub(super) fn signed(&mut self, n: u32) -> i32 {
        if n == 0 || n > 16 {
            return 0;
        }
        extend(self.bits(n), n)
    }

    /// One AC coefficient decoded with a single lookup, as `(zeros before it, value)`, when its
    /// code and extra bits are short enough (most are); `None` (nothing consumed) otherwise.
    pub(super) fn fast_ac(&mut self, table: &Huffman) -> Option<(usize, i32)> {
        if self.count < LOOKUP_BITS {
            self.fill();
        }
        let entry = table.fast_ac[(self.acc >> (64 - LOOKUP_BITS)) as usize];
        if entry == 0 {
            return None;
        }
        let used = (entry & 31) as u32;
        self.acc <<= used;
        self.count -= used;
        Some((((entry >> 8) & 15) as usize, entry >> 16))
    }

    /// One Huffman-coded symbol.
    pub(super) fn symbol(&mut self, table: &Huffman) -> Result<u8, PhotoError> {
        if self.count < 16 {
            self.fill();
        }
        let entry = table.lookup[(self.acc >> (64 - LOOKUP_BITS)) as usize];
        if entry != 0 {
            let len = u32::from(entry >> 8);
            self.acc <<= len;
            self.count -= len;
            return Ok(entry as u8);
        }
        for len in LOOKUP_BITS + 1..=16 {
            let code = (self.acc >> (64 - len)) as i32;
            if code <= table.max_code[len as usize] {
                self.acc <<= len;
                self.count -= len;
                let at = usize::try_from(code + table.offset[len as usize])
                    .map_err(|_| PhotoError::Truncated)?;
                return table.symbols.get(at).copied().ok_or(PhotoError::Truncated);
            }
        }
        Err(PhotoError::Truncated)
    }

    /// At a restart interval: drops the bits left in the byte and steps over the `RSTn` marker.
    pub(super) fn restart(&mut self) {
        self.acc = 0;
        self.count = 0;
        self.at_marker = false;
        while self.pos + 1 < self.data.len() {
            if self.data[self.pos] != 0xFF {
                self.pos += 1;
                continue;
            }
            match self.data[self.pos + 1] {
                0xFF => self.pos += 1,
                0xD0..=0xD7 => {
                    self.pos += 2;
                    return;
                }
                0x00 => self.pos += 2,
                // Another marker: the scan ends early; leave it for the caller.
                _ => return,
            }
        }
    }

    /// Where the marker after the scan starts (restart markers and stuffed bytes skipped), or
    /// the end of the data.
    pub(super) fn end_of_scan(&self) -> usize {
        let mut at = self.pos;
        while at + 1 < self.data.len() {
            if self.data[at] == 0xFF && !matches!(self.data[at + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
                return at;
            }
            at += 1;
        }
        self.data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::Bits;

    /// However `fill` groups its loads, the bits read are the stream's: each stuffed `FF 00` is
    /// one `FF`, and a marker ends the data with zero bits.
    #[test]
    fn bits_are_the_streams_whatever_the_reads_and_the_stuffing() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut plain = Vec::new();
        for i in 0..600 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // Runs of 0xFF bytes, single ones, and long stretches without any.
            let byte = if i % 97 < 3 || i % 13 == 5 {
                0xFF
            } else {
                seed as u8
            };
            plain.push(byte);
        }
        let mut data = vec![0xAB, 0xCD]; // Bytes before the scan, skipped by `pos`.
        for &b in &plain {
            data.push(b);
            if b == 0xFF {
                data.push(0x00);
            }
        }
        data.extend([0xFF, 0xD9]);
        let mut expected_bits = plain
            .iter()
            .flat_map(|&b| (0..8).rev().map(move |i| u32::from((b >> i) & 1)));
        let mut bits = Bits::new(&data, 2);
        let mut read = 0usize;
        for step in 0.. {
            let n = [1, 7, 16, 3, 9, 12, 2, 16, 5][step % 9];
            let want = (0..n).fold(0u32, |v, _| v << 1 | expected_bits.next().unwrap_or(0));
            assert_eq!(bits.bits(n), want, "{n} bits at bit {read}");
            read += n as usize;
            if read > plain.len() * 8 + 64 {
                break;
            }
        }
    }
}
