//! JPEG decoded straight to 1/2, 1/4 or 1/8 size, keeping only the coefficients that size uses
//! (#17). Progressive files keep those coefficients until their last scan ([`coefficients`]);
//! sequential (baseline) files turn each block into reduced pixels as soon as it is read
//! ([`sequential`]), so nothing but the reduced image is held.
//!
//! `jpeg-decoder` (like libjpeg and zune-jpeg) keeps all 64 coefficients of every block until
//! the last scan of a progressive file, and its IDCT thread gets a copy of them: a 7000x7000
//! progressive photo peaked at 158 MB, a 12 MP one at 94 MB. Here each block keeps only the
//! top-left corner the reduced IDCT reads plus one non-zero bit per coefficient
//! ([`coefficients`]), and the pixels are made at the reduced size ([`pixels`]).
//!
//! It reads what cameras and libraries write: 8-bit Huffman-coded sequential (SOF0, SOF1) and
//! progressive (SOF2) files
//! with one (grey) or three (YCbCr) components whose chroma is at full or half resolution each
//! way. Anything else (CMYK, Adobe RGB-transform files, other sampling, a DNL marker) returns
//! `Ok(None)` and is left to `jpeg-decoder`.

mod bits;
mod coefficients;
mod pixels;
mod sequential;

use bits::{Bits, Huffman};
use coefficients::{Band, Blocks, Kept, ScanState, decode_block};
use pixels::{Idct, Plane};

use super::decode::{Decoded, Pixels};
use super::error::PhotoError;

/// One frame component.
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant: usize,
    /// Blocks across and down that carry image data (a one-component scan codes these).
    data_width: usize,
    data_height: usize,
    /// Blocks across and down, padded to whole MCUs.
    blocks_across: usize,
    blocks_down: usize,
    /// A progressive frame's kept coefficients, until the last scan.
    blocks: Option<Blocks>,
    /// A sequential frame's reduced pixels, made block by block as the scan is read.
    plane: Option<Plane>,
    /// Whether any scan carried this component.
    scanned: bool,
}

struct Frame {
    progressive: bool,
    width: usize,
    height: usize,
    hmax: usize,
    vmax: usize,
    components: Vec<Component>,
}

impl Frame {
    fn mcus_across(&self) -> usize {
        self.width.div_ceil(8 * self.hmax)
    }

    fn mcus_down(&self) -> usize {
        self.height.div_ceil(8 * self.vmax)
    }
}

/// Everything the markers before a scan have set.
struct Tables {
    quant: [Option<[u16; 64]>; 4],
    dc: [Option<Huffman>; 4],
    ac: [Option<Huffman>; 4],
    restart_interval: usize,
    /// APP2 `ICC_PROFILE` chunks: (sequence number, total, bytes).
    icc: Vec<(u8, u8, Vec<u8>)>,
    /// The Adobe APP14 colour transform, when the segment is there.
    adobe_transform: Option<u8>,
}

/// Decodes the JPEG `data` at `n`/8 size (`n` = 1, 2, 3 or 4: each 8x8 block becomes `n` x `n`
/// pixels). `Ok(None)` when the file is not one this decoder reads (see the module doc). `size` is the width and height the
/// header check saw (and held against the pixel cap): a frame of any other size is refused.
pub(crate) fn decode(
    data: &[u8],
    n: usize,
    size: (u32, u32),
) -> Result<Option<Decoded>, PhotoError> {
    if !(1..=4).contains(&n) {
        return Ok(None);
    }
    let kept = Kept::new(n);
    let mut tables = Tables {
        quant: [None; 4],
        dc: [None, None, None, None],
        ac: [None, None, None, None],
        restart_interval: 0,
        icc: Vec::new(),
        adobe_transform: None,
    };
    let mut frame: Option<Frame> = None;
    let mut i = 2;
    loop {
        // Fill bytes before a marker.
        while data.get(i) == Some(&0xFF) && data.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (data.get(i), data.get(i + 1)) else {
            return Err(PhotoError::Truncated);
        };
        if marker == 0xD9 {
            break;
        }
        let len = data
            .get(i + 2..i + 4)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .ok_or(PhotoError::Truncated)?;
        let seg = data
            .get(i + 4..i + 2 + len.max(2))
            .ok_or(PhotoError::Truncated)?;
        i += 2 + len.max(2);
        match marker {
            0xC0..=0xC2 => {
                if frame.is_some() {
                    return Err(PhotoError::Truncated);
                }
                let Some(f) = parse_frame(seg, &kept, marker == 0xC2)? else {
                    return Ok(None);
                };
                if (f.width as u64, f.height as u64) != (u64::from(size.0), u64::from(size.1)) {
                    return Err(PhotoError::Truncated);
                }
                frame = Some(f);
            }
            // Any other frame type, arithmetic-coding conditioning, or a DNL marker.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCF | 0xDC => return Ok(None),
            0xC4 => parse_huffman(seg, &mut tables)?,
            0xDB => parse_quant(seg, &mut tables)?,
            0xDD => {
                let b = seg.get(..2).ok_or(PhotoError::Truncated)?;
                tables.restart_interval = usize::from(u16::from_be_bytes([b[0], b[1]]));
            }
            0xE2 if seg.starts_with(b"ICC_PROFILE\0") && seg.len() >= 14 => {
                tables.icc.push((seg[12], seg[13], seg[14..].to_vec()));
            }
            0xEE if seg.starts_with(b"Adobe") => {
                tables.adobe_transform = seg.get(11).copied();
            }
            0xDA => {
                let f = frame.as_mut().ok_or(PhotoError::Truncated)?;
                if f.components.len() == 3 && tables.adobe_transform == Some(0) {
                    return Ok(None); // RGB, not YCbCr.
                }
                i = decode_scan(data, i, seg, f, &tables, &kept)?;
            }
            _ => {}
        }
    }
    let frame = frame.ok_or(PhotoError::Truncated)?;
    Ok(Some(Decoded {
        pixels: to_pixels(frame, &tables, &kept)?,
        icc: icc_profile(&mut tables.icc),
    }))
}

fn parse_frame(seg: &[u8], kept: &Kept, progressive: bool) -> Result<Option<Frame>, PhotoError> {
    let head = seg.get(..6).ok_or(PhotoError::Truncated)?;
    let height = usize::from(u16::from_be_bytes([head[1], head[2]]));
    let width = usize::from(u16::from_be_bytes([head[3], head[4]]));
    let count = usize::from(head[5]);
    if head[0] != 8 || height == 0 || width == 0 || !matches!(count, 1 | 3) {
        return Ok(None);
    }
    let mut parts = Vec::with_capacity(count);
    for k in 0..count {
        let c = seg.get(6 + 3 * k..9 + 3 * k).ok_or(PhotoError::Truncated)?;
        let (h, v) = (usize::from(c[1] >> 4), usize::from(c[1] & 15));
        if !(1..=2).contains(&h) || !(1..=2).contains(&v) || c[2] > 3 {
            return Ok(None);
        }
        parts.push((c[0], h, v, usize::from(c[2])));
    }
    let ids: Vec<u8> = parts.iter().map(|p| p.0).collect();
    if ids == b"RGB" {
        return Ok(None); // RGB, not YCbCr.
    }
    if count == 1 {
        // A one-component frame is coded block by block whatever its factors say.
        parts[0].1 = 1;
        parts[0].2 = 1;
    }
    let hmax = parts.iter().map(|p| p.1).max().unwrap_or(1);
    let vmax = parts.iter().map(|p| p.2).max().unwrap_or(1);
    let (mx, my) = (width.div_ceil(8 * hmax), height.div_ceil(8 * vmax));
    let components = parts
        .into_iter()
        .map(|(id, h, v, quant)| Component {
            id,
            h,
            v,
            quant,
            data_width: (width * h).div_ceil(hmax).div_ceil(8),
            data_height: (height * v).div_ceil(vmax).div_ceil(8),
            blocks_across: mx * h,
            blocks_down: my * v,
            blocks: progressive.then(|| Blocks::new(mx * h, my * v, kept)),
            plane: (!progressive).then(|| Plane::new(mx * h, my * v, kept.n)),
            scanned: false,
        })
        .collect();
    Ok(Some(Frame {
        progressive,
        width,
        height,
        hmax,
        vmax,
        components,
    }))
}

fn parse_huffman(mut seg: &[u8], tables: &mut Tables) -> Result<(), PhotoError> {
    while let Some((&tc_th, rest)) = seg.split_first() {
        let counts: [u8; 16] = rest
            .get(..16)
            .and_then(|c| c.try_into().ok())
            .ok_or(PhotoError::Truncated)?;
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        let symbols = rest.get(16..16 + total).ok_or(PhotoError::Truncated)?;
        let table = Huffman::new(&counts, symbols)?;
        let slot = usize::from(tc_th & 15).min(3);
        match tc_th >> 4 {
            0 => tables.dc[slot] = Some(table),
            1 => tables.ac[slot] = Some(table),
            _ => return Err(PhotoError::Truncated),
        }
        seg = &rest[16 + total..];
    }
    Ok(())
}

fn parse_quant(mut seg: &[u8], tables: &mut Tables) -> Result<(), PhotoError> {
    while let Some((&pq_tq, rest)) = seg.split_first() {
        let wide = pq_tq >> 4 != 0;
        let size = if wide { 128 } else { 64 };
        let bytes = rest.get(..size).ok_or(PhotoError::Truncated)?;
        let mut q = [0u16; 64];
        for (k, v) in q.iter_mut().enumerate() {
            *v = if wide {
                u16::from_be_bytes([bytes[2 * k], bytes[2 * k + 1]])
            } else {
                u16::from(bytes[k])
            };
        }
        tables.quant[usize::from(pq_tq & 15).min(3)] = Some(q);
        seg = &rest[size..];
    }
    Ok(())
}

/// Decodes the scan whose SOS payload is `sos` and whose data starts at `at`; returns where the
/// next marker starts.
fn decode_scan(
    data: &[u8],
    at: usize,
    sos: &[u8],
    frame: &mut Frame,
    tables: &Tables,
    kept: &Kept,
) -> Result<usize, PhotoError> {
    let count = usize::from(*sos.first().ok_or(PhotoError::Truncated)?);
    if count == 0 || count > frame.components.len() {
        return Err(PhotoError::Truncated);
    }
    let mut members = Vec::with_capacity(count); // (frame index, DC table, AC table)
    for k in 0..count {
        let s = sos.get(1 + 2 * k..3 + 2 * k).ok_or(PhotoError::Truncated)?;
        let index = frame
            .components
            .iter()
            .position(|c| c.id == s[0])
            .ok_or(PhotoError::Truncated)?;
        frame.components[index].scanned = true;
        members.push((
            index,
            tables.dc[usize::from(s[1] >> 4).min(3)].as_ref(),
            tables.ac[usize::from(s[1] & 15).min(3)].as_ref(),
        ));
    }
    let spec = sos
        .get(1 + 2 * count..4 + 2 * count)
        .ok_or(PhotoError::Truncated)?;
    let band = Band {
        start: usize::from(spec[0]),
        end: usize::from(spec[1]),
        high: u32::from(spec[2] >> 4),
        low: u32::from(spec[2] & 15),
    };
    if !frame.progressive {
        return decode_sequential_scan(data, at, &members, frame, tables, kept);
    }
    let dc_scan = band.start == 0;
    if band.end > 63
        || band.start > band.end
        || (dc_scan && band.end != 0)
        || (!dc_scan && count != 1)
        || band.low > 13
    {
        return Err(PhotoError::Truncated);
    }
    let mut bits = Bits::new(data, at);
    let mut state = ScanState::new();
    let interval = tables.restart_interval;
    let mut units = 0usize;
    let mut unit = |bits: &mut Bits<'_>, state: &mut ScanState| {
        if interval > 0 && units > 0 && units.is_multiple_of(interval) {
            bits.restart();
            *state = ScanState::new();
        }
        units += 1;
    };
    if count == 1 {
        let (index, dc, ac) = members[0];
        let c = &mut frame.components[index];
        let blocks = c.blocks.as_mut().ok_or(PhotoError::Truncated)?;
        for by in 0..c.data_height {
            for bx in 0..c.data_width {
                unit(&mut bits, &mut state);
                let at = by * blocks.width + bx;
                decode_block(&mut bits, band, &mut state, 0, dc, ac, blocks, at, kept)?;
            }
        }
    } else {
        for my in 0..frame.mcus_down() {
            for mx in 0..frame.mcus_across() {
                unit(&mut bits, &mut state);
                for (place, &(index, dc, ac)) in members.iter().enumerate() {
                    let c = &mut frame.components[index];
                    let (h, v) = (c.h, c.v);
                    let blocks = c.blocks.as_mut().ok_or(PhotoError::Truncated)?;
                    for y in 0..v {
                        for x in 0..h {
                            let at = (my * v + y) * blocks.width + mx * h + x;
                            decode_block(
                                &mut bits, band, &mut state, place, dc, ac, blocks, at, kept,
                            )?;
                        }
                    }
                }
            }
        }
    }
    Ok(bits.end_of_scan())
}

/// Decodes a sequential scan, turning each block into reduced pixels as soon as it is read;
/// returns where the next marker starts.
fn decode_sequential_scan(
    data: &[u8],
    at: usize,
    members: &[(usize, Option<&Huffman>, Option<&Huffman>)],
    frame: &mut Frame,
    tables: &Tables,
    kept: &Kept,
) -> Result<usize, PhotoError> {
    let mut scan = Vec::with_capacity(members.len());
    for &(index, dc, ac) in members {
        let c = &frame.components[index];
        let quant = tables.quant[c.quant]
            .as_ref()
            .ok_or(PhotoError::Truncated)?;
        let (dc, ac) = (
            dc.ok_or(PhotoError::Truncated)?,
            ac.ok_or(PhotoError::Truncated)?,
        );
        scan.push((index, dc, ac, Idct::new(kept, quant)));
    }
    let mut bits = Bits::new(data, at);
    let mut predictors = [0i32; 4];
    let interval = tables.restart_interval;
    let mut units = 0usize;
    let mut unit = |bits: &mut Bits<'_>, predictors: &mut [i32; 4]| {
        if interval > 0 && units > 0 && units.is_multiple_of(interval) {
            bits.restart();
            *predictors = [0; 4];
        }
        units += 1;
    };
    let mut values = [0i16; 16];
    let per_block = kept.n * kept.n;
    let mut block = |bits: &mut Bits<'_>,
                     place: usize,
                     predictors: &mut [i32; 4],
                     c: &mut Component,
                     (bx, by): (usize, usize)|
     -> Result<(), PhotoError> {
        let (_, dc, ac, idct) = &scan[place];
        let values = &mut values[..per_block];
        values.fill(0);
        sequential::decode_block(bits, dc, ac, &mut predictors[place], values, kept)?;
        if bx < c.blocks_across && by < c.blocks_down {
            let plane = c.plane.as_mut().ok_or(PhotoError::Truncated)?;
            idct.block(values, plane, bx, by);
        }
        Ok(())
    };
    if members.len() == 1 {
        let c = &mut frame.components[members[0].0];
        for by in 0..c.data_height {
            for bx in 0..c.data_width {
                unit(&mut bits, &mut predictors);
                block(&mut bits, 0, &mut predictors, c, (bx, by))?;
            }
        }
    } else {
        for my in 0..frame.mcus_down() {
            for mx in 0..frame.mcus_across() {
                unit(&mut bits, &mut predictors);
                for (place, &(index, ..)) in members.iter().enumerate() {
                    let c = &mut frame.components[index];
                    for y in 0..c.v {
                        for x in 0..c.h {
                            let at = (mx * c.h + x, my * c.v + y);
                            block(&mut bits, place, &mut predictors, c, at)?;
                        }
                    }
                }
            }
        }
    }
    Ok(bits.end_of_scan())
}

/// The pixels at `kept.n`/8 size (rounded up, as libjpeg does); each component's coefficients
/// are dropped once its plane is made.
fn to_pixels(frame: Frame, tables: &Tables, kept: &Kept) -> Result<Pixels, PhotoError> {
    let (width, height) = (
        (frame.width * kept.n).div_ceil(8),
        (frame.height * kept.n).div_ceil(8),
    );
    let mut planes = Vec::with_capacity(frame.components.len());
    let mut shifts = Vec::with_capacity(frame.components.len());
    for c in frame.components {
        if !c.scanned {
            // No scan data at all for it (a header with nothing after it).
            return Err(PhotoError::Truncated);
        }
        let plane = match (c.plane, c.blocks) {
            (Some(plane), _) => plane,
            (None, Some(blocks)) => {
                let quant = tables.quant[c.quant]
                    .as_ref()
                    .ok_or(PhotoError::Truncated)?;
                pixels::plane(&blocks, kept, quant)
            }
            (None, None) => return Err(PhotoError::Truncated),
        };
        planes.push(plane);
        shifts.push((
            (frame.hmax / c.h).trailing_zeros(),
            (frame.vmax / c.v).trailing_zeros(),
        ));
    }
    Ok(pixels::image(&planes, &shifts, width, height))
}

/// The ICC profile from its APP2 chunks in sequence order, when all of them are there.
fn icc_profile(chunks: &mut [(u8, u8, Vec<u8>)]) -> Option<Vec<u8>> {
    let total = chunks.first()?.1;
    if usize::from(total) != chunks.len() {
        return None;
    }
    chunks.sort_by_key(|c| c.0);
    Some(chunks.iter().flat_map(|c| c.2.iter().copied()).collect())
}
