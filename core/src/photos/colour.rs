//! Colour: pixels whose file carries an RGB ICC profile are converted to sRGB.
//!
//! iPhones tag their photos Display P3; a browser or WhatsApp that reads our profile-less
//! output assumes sRGB, so keeping P3 numbers fades saturated colours (mean ΔE 8.6 measured in
//! #17). The conversion uses `moxcms` (pure Rust), on
//! the resized display image, so it costs little. Grey and CMYK data, a profile that is not
//! RGB, or one that cannot be parsed leave the numbers as they are, as a browser would.

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

use super::decode::Pixels;

/// Returns `px` in sRGB, converted from the colour space `icc` describes.
pub(crate) fn to_srgb(px: Pixels, icc: Option<&[u8]>) -> Pixels {
    let Some(icc) = icc else { return px };
    if px.channels != 3 {
        return px;
    }
    let Ok(source) = ColorProfile::new_from_slice(icc) else {
        return px;
    };
    if source.color_space != DataColorSpace::Rgb {
        return px;
    }
    let srgb = ColorProfile::new_srgb();
    let Ok(transform) =
        source.create_transform_8bit(Layout::Rgb, &srgb, Layout::Rgb, TransformOptions::default())
    else {
        return px;
    };
    let mut data = vec![0u8; px.data.len()];
    if transform.transform(&px.data, &mut data).is_err() {
        return px;
    }
    Pixels { data, ..px }
}
