//! EXIF orientation: reading the tag and turning pixels upright.
//!
//! The tag is read with `kamadak-exif` from the raw TIFF block found by
//! [`super::sniff`]. A missing, broken or out-of-range tag means "already
//! upright". The transform is applied to the small (already resized) image,
//! so it costs a few milliseconds at most.

use super::decode::Pixels;

/// One of the eight EXIF orientations (tag 0x0112), as stored by the camera.
///
/// The value says where the stored 0th row and 0th column sit in the upright
/// picture; [`Orientation::apply`] undoes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Orientation(u8);

impl Orientation {
    /// Already upright.
    pub(crate) const NORMAL: Orientation = Orientation(1);

    /// Wraps an EXIF value; anything outside 1..=8 is treated as upright.
    pub(crate) fn from_exif_value(v: u32) -> Orientation {
        match v {
            1..=8 => Orientation(v as u8),
            _ => Orientation::NORMAL,
        }
    }

    /// Reads the orientation of the primary image from raw TIFF EXIF data.
    pub(crate) fn from_tiff(tiff: &[u8]) -> Orientation {
        let parsed = exif::Reader::new()
            .continue_on_error(true)
            .read_raw(tiff.to_vec())
            .or_else(|e| e.distill_partial_result(|_| {}));
        let Ok(parsed) = parsed else {
            return Orientation::NORMAL;
        };
        parsed
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .map_or(Orientation::NORMAL, Orientation::from_exif_value)
    }

    /// Whether the upright image has width and height swapped.
    pub(crate) fn swaps_axes(self) -> bool {
        self.0 >= 5
    }

    /// Returns the upright version of `src`.
    pub(crate) fn apply(self, src: Pixels) -> Pixels {
        if self.0 == 1 {
            return src;
        }
        let (sw, sh) = (src.width as usize, src.height as usize);
        let (dw, dh) = if self.swaps_axes() {
            (sh, sw)
        } else {
            (sw, sh)
        };
        let ch = src.channels;
        let mut out = vec![0u8; src.data.len()];
        // For each output pixel (x, y) find the stored pixel (sx, sy).
        let map = |x: usize, y: usize| -> (usize, usize) {
            match self.0 {
                2 => (sw - 1 - x, y),
                3 => (sw - 1 - x, sh - 1 - y),
                4 => (x, sh - 1 - y),
                5 => (y, x),
                6 => (y, sh - 1 - x),
                7 => (sw - 1 - y, sh - 1 - x),
                8 => (sw - 1 - y, x),
                _ => (x, y),
            }
        };
        for (y, row) in out.chunks_exact_mut(dw * ch).enumerate().take(dh) {
            for (x, px) in row.chunks_exact_mut(ch).enumerate() {
                let (sx, sy) = map(x, y);
                let at = (sy * sw + sx) * ch;
                px.copy_from_slice(&src.data[at..at + ch]);
            }
        }
        Pixels {
            width: dw as u32,
            height: dh as u32,
            channels: ch,
            data: out,
        }
    }
}
