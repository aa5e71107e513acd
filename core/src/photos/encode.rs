//! JPEG output: baseline, quality 80, 4:2:0 chroma, standard Huffman tables, and
//! no metadata at all (the only header segment is JFIF APP0).
//!
//! The content hash is lowercase hex BLAKE3 of the encoded bytes, so outputs
//! can be stored content-addressed and deduplicated.

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::Encoded;
use super::decode::Pixels;
use super::error::PhotoError;

/// JPEG quality of every output.
pub(crate) const JPEG_QUALITY: u8 = 80;

/// Encodes `px` as a baseline JPEG and hashes it.
pub(crate) fn encode_jpeg(px: &Pixels) -> Result<Encoded, PhotoError> {
    // Optimised Huffman tables save only ~1% here but cost a second pass (~40% more time).
    encode_jpeg_with(px, JPEG_QUALITY, false)
}

/// A baseline JPEG of `px` at `quality` (4:2:0, JFIF header only), with optimised Huffman
/// tables when `optimised` (worth its second pass only for small copies), and its hash.
pub(crate) fn encode_jpeg_with(
    px: &Pixels,
    quality: u8,
    optimised: bool,
) -> Result<Encoded, PhotoError> {
    let to_u16 = |v: u32| {
        u16::try_from(v).map_err(|_| PhotoError::Encode("image too large for JPEG".to_owned()))
    };
    let (w, h) = (to_u16(px.width)?, to_u16(px.height)?);
    let color = if px.channels == 1 {
        ColorType::Luma
    } else {
        ColorType::Rgb
    };
    // Rough size guess to avoid regrowing the buffer.
    let mut bytes = Vec::with_capacity(px.data.len() / 6 + 1024);
    let mut encoder = Encoder::new(&mut bytes, quality.clamp(1, 100));
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    encoder.set_optimized_huffman_tables(optimised);
    encoder
        .encode(&px.data, w, h, color)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    Ok(Encoded {
        bytes,
        width: px.width,
        height: px.height,
        hash,
    })
}
