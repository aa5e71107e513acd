//! Smaller copies of a photo, for pages that show it small: the buyers' storefront sends a
//! phone a copy that fits its screen instead of the 1280 px display image. A copy goes
//! through the same pipeline as every photo (reduced-size decode, Lanczos3, upright, JPEG
//! with only a JFIF header), so it is as clean as the image it was made from.
//!
//! Two kinds: [`smaller_copy`] keeps the photo's shape (quality 80, for the product page), and
//! [`card_copy`] is the square a catalogue card shows.
//!
//! ## The card copy: why 240 px square at quality 40
//!
//! A card is about 170 CSS px square on a phone (340 device px on a DPR 2 screen), drawn with
//! `object-fit: cover`, and the first catalogue page must reach a phone in at most 60 KB with
//! every photo it fetches before the buyer scrolls (issue #16). The card copy is therefore the
//! photo's centre square (the parts `cover` would hide are never sent) at [`CARD_EDGE`] px,
//! JPEG quality [`CARD_QUALITY`], 4:2:0 chroma, optimised Huffman tables, baseline. One size
//! for every screen: in a square it is as sharp as the phone's 320×240 thumbnail.
//!
//! Measured on the browser suite's camera photo (a detailed painting, hard to compress): the
//! centre square of its 1280 px display image made by this code (`cargo run -p sentra-core
//! --example card_copies`), scaled up to 340 px as the browser does, against the same square
//! resized straight to 340 px by libvips (Lanczos3) as the reference; SSIM and PSNR by
//! scikit-image 0.24.0 (`structural_similarity`, `peak_signal_noise_ratio`):
//!
//! | copy                                   | bytes   | SSIM  | PSNR    |
//! |----------------------------------------|---------|-------|---------|
//! | 160×120, q80: the old card copy (*)    | 6.9 KB  | 0.641 | 23.4 dB |
//! | 160 px square, q80                     | 8.9 KB  | 0.731 | 24.6 dB |
//! | 200 px square, q50                     | 7.8 KB  | 0.728 | 24.6 dB |
//! | 240 px square, q30                     | 7.7 KB  | 0.735 | 24.6 dB |
//! | **240 px square, q40**                 | 9.3 KB  | 0.761 | 25.2 dB |
//! | 240 px square, q50                     | 10.8 KB | 0.780 | 25.6 dB |
//! | 280 px square, q40                     | 12.4 KB | 0.810 | 26.2 dB |
//! | 320 px square, q40                     | 15.7 KB | 0.843 | 27.1 dB |
//!
//! (*) made by libvips here; the server's own was ~8 KB. `cover` shows its 120 px middle.
//!
//! At equal bytes more pixels at a lower quality win (240 px at q30 against 200 px at q50 and
//! 160 px at q80), and the square alone lifts SSIM from 0.64 to 0.73. In libvips' encoder on
//! the same square, 4:4:4 chroma cost ~20% more bytes for +0.3 dB and progressive scans
//! changed the size by under 1% at this size, so 4:2:0 and baseline; optimised Huffman tables
//! save ~6%. A 360×640 phone shows four cards before it scrolls: 4 × ~9.7 KB (headers
//! included) plus the ~5.4 KB page is 44 KB of the 60 KB budget; q50 would be ~50 KB, but a
//! 360×800 phone shows six cards, ~64 KB at q40 already.

use super::decode::{self, Pixels};
use super::orientation::Orientation;
use super::{Encoded, Limits, PhotoError, check_size, colour, process_with_edges, resize, sniff};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The side of a card copy, in pixels (see the module doc for the measurements).
pub const CARD_EDGE: u32 = 240;

/// The JPEG quality of a card copy.
pub const CARD_QUALITY: u8 = 40;

/// A copy of the photo `data` (JPEG, PNG or WebP) whose long edge is at most `long_edge`
/// pixels; never upscaled, so a photo already that small comes back at its own size.
pub fn smaller_copy(data: &[u8], long_edge: u32) -> Result<Encoded, PhotoError> {
    // The pipeline's second output (its thumbnail) is made from the first at the same size,
    // so only the first is kept.
    Ok(process_with_edges(data, &Limits::default(), long_edge, long_edge)?.display)
}

/// The square a catalogue card shows: the centre square of the photo `data` (JPEG, PNG or
/// WebP), upright, [`CARD_EDGE`] px a side at [`CARD_QUALITY`]. Never upscaled: a photo whose
/// short edge is smaller gives a square of its short edge.
pub fn card_copy(data: &[u8]) -> Result<Encoded, PhotoError> {
    square_copy(data, CARD_EDGE, CARD_QUALITY)
}

/// The centre square of the photo `data`, `edge` px a side (or its short edge when smaller),
/// upright, as a JPEG of `quality` (1-100) with 4:2:0 chroma and optimised Huffman tables.
/// [`card_copy`] is this at the card's size; other sizes are for measuring.
pub fn square_copy(data: &[u8], edge: u32, quality: u8) -> Result<Encoded, PhotoError> {
    let limits = Limits::default();
    check_size(data.len() as u64, &limits)?;
    let header = sniff::read_header(data)?;
    let (width, height) = (u64::from(header.width), u64::from(header.height));
    if width.saturating_mul(height) > limits.max_pixels {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    let orientation = header
        .exif
        .map_or(Orientation::NORMAL, Orientation::from_tiff);
    // Decode (at reduced size) so that the short edge still covers `edge`: the long edge the
    // decoder aims at is `edge` scaled by the photo's shape.
    let (long, short) = (width.max(height), width.min(height).max(1));
    let target_long = u32::try_from(u64::from(edge) * long / short).unwrap_or(u32::MAX);
    // Decoders are third-party code fed untrusted bytes (as in the pipeline itself).
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        decode::decode(data, &header, &limits, target_long)
    }))
    .map_err(|_| PhotoError::Truncated)??;
    // The centre square commutes with every EXIF orientation, so it is cut before turning.
    let square = centre_square(decoded.pixels);
    let side = square.width.min(edge);
    let resized = resize::resize_to(square, side, side)?;
    let upright = orientation.apply(colour::to_srgb(resized, decoded.icc.as_deref()));
    encode(&upright, quality)
}

/// The largest square in the middle of `px`.
fn centre_square(px: Pixels) -> Pixels {
    let side = px.width.min(px.height);
    if px.width == px.height {
        return px;
    }
    let (left, top) = ((px.width - side) / 2, (px.height - side) / 2);
    let row = px.width as usize * px.channels;
    let (from, len) = (left as usize * px.channels, side as usize * px.channels);
    let mut data = Vec::with_capacity(len * side as usize);
    for y in top..top + side {
        let start = y as usize * row + from;
        data.extend_from_slice(&px.data[start..start + len]);
    }
    Pixels {
        width: side,
        height: side,
        channels: px.channels,
        data,
    }
}

/// A baseline JPEG of `px` at `quality`: JFIF header only, 4:2:0, optimised Huffman tables.
fn encode(px: &Pixels, quality: u8) -> Result<Encoded, PhotoError> {
    super::encode::encode_jpeg_with(px, quality, true)
}

#[cfg(test)]
mod tests {
    use super::{CARD_EDGE, card_copy, smaller_copy, square_copy};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encode");
        out.into_inner()
    }

    #[test]
    fn a_display_photo_gets_a_640_px_copy_with_its_shape() {
        let copy = smaller_copy(&jpeg(1280, 960), 640).expect("copy");
        assert_eq!((copy.width, copy.height), (640, 480));
        assert_eq!(copy.hash, blake3::hash(&copy.bytes).to_hex().to_string());
        assert!(
            copy.bytes.starts_with(&[0xFF, 0xD8, 0xFF, 0xE0]),
            "JFIF first"
        );
    }

    #[test]
    fn a_small_photo_is_never_upscaled() {
        let copy = smaller_copy(&jpeg(300, 200), 640).expect("copy");
        assert_eq!((copy.width, copy.height), (300, 200));
    }

    /// A photo whose middle is blue and whose outer bands (left and right, or top and bottom
    /// when portrait) are red: what `object-fit: cover` would hide.
    fn banded(width: u32, height: u32) -> Vec<u8> {
        let side = width.min(height);
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            let (along, len) = if width >= height {
                (x, width)
            } else {
                (y, height)
            };
            let band = (len - side) / 2;
            if along < band || along >= band + side {
                image::Rgb([220, 20, 20])
            } else {
                image::Rgb([20, 40, 200])
            }
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("encode");
        out.into_inner()
    }

    /// How many pixels of a JPEG are red rather than blue.
    fn red_pixels(jpeg: &[u8]) -> usize {
        let img = image::load_from_memory(jpeg).expect("decode").to_rgb8();
        img.pixels().filter(|p| p[0] > p[2]).count()
    }

    #[test]
    fn a_card_copy_is_the_centre_square_of_a_landscape_photo() {
        let photo = banded(1280, 960);
        assert!(red_pixels(&photo) > 0, "the bands are there to be cut");
        let card = card_copy(&photo).expect("card");
        assert_eq!((card.width, card.height), (CARD_EDGE, CARD_EDGE));
        assert_eq!(
            red_pixels(&card.bytes),
            0,
            "nothing of the hidden bands is sent"
        );
        assert_eq!(card.hash, blake3::hash(&card.bytes).to_hex().to_string());
        assert!(
            card.bytes.starts_with(&[0xFF, 0xD8, 0xFF, 0xE0]),
            "JFIF first"
        );
    }

    #[test]
    fn a_card_copy_is_the_centre_square_of_a_portrait_photo() {
        let card = card_copy(&banded(960, 1280)).expect("card");
        assert_eq!((card.width, card.height), (CARD_EDGE, CARD_EDGE));
        assert_eq!(red_pixels(&card.bytes), 0);
    }

    #[test]
    fn a_small_photo_gives_a_card_of_its_short_edge() {
        let card = card_copy(&banded(200, 150)).expect("card");
        assert_eq!((card.width, card.height), (150, 150));
        assert_eq!(red_pixels(&card.bytes), 0);
    }

    #[test]
    fn a_lower_quality_square_is_smaller() {
        let photo = jpeg(1280, 960);
        let low = square_copy(&photo, 240, 40).expect("q40");
        let high = square_copy(&photo, 240, 80).expect("q80");
        assert!(
            low.bytes.len() < high.bytes.len(),
            "{} vs {}",
            low.bytes.len(),
            high.bytes.len()
        );
    }

    #[test]
    fn a_card_copy_of_something_not_a_photo_is_refused() {
        assert!(card_copy(b"not a photo at all").is_err());
    }
}
