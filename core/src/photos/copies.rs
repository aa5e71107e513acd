//! Smaller copies of a photo, for pages that show it small: the buyers' storefront sends a
//! phone a copy that fits its screen instead of the 1280 px display image. A copy goes
//! through the same pipeline as every photo (reduced-size decode, Lanczos3, upright, JPEG
//! quality 80 with only a JFIF header), so it is as clean as the image it was made from.

use super::{Encoded, Limits, PhotoError, process_with_edges};

/// A copy of the photo `data` (JPEG, PNG or WebP) whose long edge is at most `long_edge`
/// pixels; never upscaled, so a photo already that small comes back at its own size.
pub fn smaller_copy(data: &[u8], long_edge: u32) -> Result<Encoded, PhotoError> {
    // The pipeline's second output (its thumbnail) is made from the first at the same size,
    // so only the first is kept.
    Ok(process_with_edges(data, &Limits::default(), long_edge, long_edge)?.display)
}

#[cfg(test)]
mod tests {
    use super::smaller_copy;

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
}
