//! VP8 (lossy WebP) decoded one macroblock row at a time (#17): `image-webp` 0.2.4's decoder,
//! vendored with one change, so a 50 MP lossy WebP never holds its frame whole.
//!
//! `image-webp` (the decoder `image` uses) returns the whole frame: Y, U and V planes at 1.5
//! bytes a pixel, 75 MB at the 50 MP pixel cap, over the 64 MB ceiling on its own. VP8 does
//! not need that: intra prediction reads the unfiltered borders of the macroblocks above and
//! to the left, which the decoder keeps apart, and the loop filter changes at most the last
//! three lines of the row above. So here each macroblock row is decoded, loop-filtered, and
//! the row above it handed to the caller ([`Vp8Decoder::decode_rows`]); only two rows are ever
//! held (32 luma lines: 0.4 MB at 8660 px wide).
//!
//! It is a crate of its own (not a module of `sentra-core`) so that the `mobile` profile, which
//! builds `sentra-core` at opt-level "z" for size, can build this hot decoder at opt-level 3
//! like the other codecs (`Cargo.toml`, `[profile.mobile.package.sentra-vp8]`).
//!
//! The files are upstream's (MIT OR Apache-2.0, the image-rs developers; taken under MIT, its
//! notice in `LICENSE-MIT` beside `Cargo.toml`;
//! <https://github.com/image-rs/image-webp>, tag v0.2.4: `src/vp8.rs` as `decoder.rs`,
//! `src/vp8_arithmetic_decoder.rs` as `arithmetic.rs`, `src/loop_filter.rs`,
//! `src/transform.rs`), without their tests and benches, with these changes, all in
//! `decoder.rs`: the frame buffers are a two-row window (`WINDOW_LUMA_LINES`) and every line
//! index in prediction and loop filtering is relative to it (`16 + y` instead of
//! `mby * 16 + y`); `decode_frame` became `decode_rows` (filter each row as it is decoded,
//! then hand over the row above); the RGB conversion of the whole frame and the `byteorder`
//! reads are gone; `decode_rows_with` can leave the loop filter out (for a caller that
//! averages the rows into much smaller boxes: prediction never reads the filtered pixels). One
//! change for speed, in `transform.rs`: a block with only a DC coefficient skips the 4x4
//! IDCT's arithmetic (its output is flat; the same bytes). Upstream's own tests (the WebP conformance files) are not carried over;
//! `sentra-core`'s check that the rows equal `image-webp`'s whole frame, byte for byte
//! (`core/src/photos/tests/webp_rows.rs`). Keep the changes this small so a new upstream
//! release can be taken by copying its files again. `image-webp` itself stays in the tree:
//! `image` reads lossless, alpha and animated WebP with it.

// Upstream forbids it too.
#![forbid(unsafe_code)]
// Upstream's code, kept as it is so it can be compared and updated (it indexes with
// `try_into().unwrap()` on slices of known length, and has items only its tests use).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, missing_docs)]

mod arithmetic;
mod decoder;
mod loop_filter;
mod transform;

pub use decoder::{Rows, Vp8Decoder};
/// The decoder's error: `image-webp`'s own, so callers map one type for both decoders.
pub use image_webp::DecodingError;
