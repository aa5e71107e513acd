//! Downscaling with `fast_image_resize` (SIMD convolution, Lanczos3).
//!
//! Images are only ever made smaller: one whose long edge already fits is
//! returned untouched.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

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
    let pixel_type = match src.channels {
        1 => PixelType::U8,
        _ => PixelType::U8x3,
    };
    let resize_err = |e: &dyn std::fmt::Display| PhotoError::Encode(format!("resize failed: {e}"));
    let src_view =
        ImageRef::new(src.width, src.height, &src.data, pixel_type).map_err(|e| resize_err(&e))?;
    let mut dst = Image::new(width, height, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&src_view, &mut dst, &options)
        .map_err(|e| resize_err(&e))?;
    Ok(Pixels {
        width,
        height,
        channels: src.channels,
        data: dst.into_vec(),
    })
}
