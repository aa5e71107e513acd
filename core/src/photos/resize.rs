//! Downscaling with `fast_image_resize` (SIMD convolution, Lanczos3).
//!
//! Images are only ever made smaller: one whose long edge already fits is
//! returned untouched.
//!
//! The resizer is called through its typed API (`resize_typed`) for one pixel type, RGB (`U8x3`).
//! Its untyped `resize` dispatches on the pixel type at run time, which keeps every type's SIMD
//! kernels (16-bit, float, alpha) in the library even after LTO; the typed call lets the linker
//! drop them (#17: the size of `libsentra_ffi.so`). Each pixel type costs about 170 KB of
//! kernels per instruction set (one per fixed-point precision, for SSE4.1 and AVX2 on x86_64), so
//! a grey image, which is rare, is resized as RGB with three equal channels and made grey again:
//! the same pixels for three times the resize work on that image.

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::U8x3;
use fast_image_resize::{FilterType, PixelTrait, ResizeAlg, ResizeOptions, Resizer};

use super::decode::Pixels;
use super::error::PhotoError;

/// Output size for fitting `width`x`height` into a `long_edge` box, never upscaling.
pub(crate) fn fit_within(width: u32, height: u32, long_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_edge || long == 0 {
        return (width, height);
    }
    let scale = |v: u32| -> u32 {
        let scaled = (u64::from(v) * u64::from(long_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled)
            .unwrap_or(long_edge)
            .clamp(1, long_edge)
    };
    if width >= height {
        (long_edge, scale(height))
    } else {
        (scale(width), long_edge)
    }
}

/// Resizes `src` to exactly `width`x`height` (no-op when the size already matches).
pub(crate) fn resize_to(src: Pixels, width: u32, height: u32) -> Result<Pixels, PhotoError> {
    if src.width == width && src.height == height {
        return Ok(src);
    }
    let data = if src.channels == 1 {
        let rgb = Pixels {
            data: src.data.iter().flat_map(|&v| [v; 3]).collect(),
            channels: 3,
            ..src
        };
        let resized = resize_typed::<U8x3>(&rgb, width, height)?;
        resized.chunks_exact(3).map(|px| px[0]).collect()
    } else {
        resize_typed::<U8x3>(&src, width, height)?
    };
    Ok(Pixels {
        width,
        height,
        channels: src.channels,
        data,
    })
}

/// Lanczos3 of `src`'s bytes read as pixels of type `P` into a new `width`x`height` buffer.
fn resize_typed<P: PixelTrait>(
    src: &Pixels,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, PhotoError> {
    let resize_err = |e: &dyn std::fmt::Display| PhotoError::Encode(format!("resize failed: {e}"));
    let src_view = TypedImageRef::<P>::from_buffer(src.width, src.height, &src.data)
        .map_err(|e| resize_err(&e))?;
    let len = usize::try_from(u64::from(width) * u64::from(height))
        .ok()
        .and_then(|pixels| pixels.checked_mul(size_of::<P>()))
        .ok_or_else(|| resize_err(&"output too large"))?;
    let mut data = vec![0u8; len];
    {
        let mut dst =
            TypedImage::<P>::from_buffer(width, height, &mut data).map_err(|e| resize_err(&e))?;
        // Grey and RGB have no alpha to premultiply.
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
            .use_alpha(false);
        Resizer::new()
            .resize_typed(&src_view, &mut dst, &options)
            .map_err(|e| resize_err(&e))?;
    }
    Ok(data)
}
