//! Lossy WebP reduced row by row from its VP8 frame (#17), against a full decode of the same file
//! through `image`.

use super::super::webp_rows;
use super::*;

#[test]
fn lossy_webp_reduced_row_by_row_matches_the_full_decode_resized() {
    let data = fixture!("lossy-320.webp");
    let full = image::load_from_memory_with_format(&data, ImageFormat::WebP)
        .unwrap()
        .to_rgb8();
    assert_eq!(full.dimensions(), (320, 240));
    // 160 -> 2x2 boxes, 80 -> 4x4 boxes.
    for edge in [160, 80] {
        let decoded = webp_rows::decode(&data, edge)
            .unwrap()
            .expect("a lossy opaque WebP twice the display size takes the row-by-row path");
        let k = 320 / edge;
        assert_eq!(decoded.pixels.width, 320 / k);
        // Against the full decode averaged over the same boxes (`image` interpolates the
        // half-resolution chroma, the row path repeats it).
        let db = psnr(&decoded.pixels.data, &box_average(&full, k, 3));
        assert!(
            db >= 35.0,
            "boxes of {k}: {db:.1} dB against the full decode"
        );
        let p = process_with_edges(&data, &Limits::default(), edge, 40).unwrap();
        let (dw, dh) = (p.display.width, p.display.height);
        assert_eq!((dw, dh), (edge, edge * 3 / 4));
        let reference =
            image::imageops::resize(&full, dw, dh, image::imageops::FilterType::Lanczos3);
        let db = psnr(decode_rgb(&p.display.bytes).as_raw(), reference.as_raw());
        // A box pre-reduction then Lanczos3 against Lanczos3 alone, on a detailed picture: the
        // same bound as the reduced-size JPEG decodes.
        assert!(db >= 28.0, "at {edge} px: {db:.1} dB");
    }
}

#[test]
fn webp_the_row_path_does_not_read_is_left_to_image() {
    let lossy = fixture!("lossy-320.webp");
    // No reduction needed: decoded whole through `image`.
    assert!(webp_rows::decode(&lossy, 320).unwrap().is_none());
    // Lossless (the `image` encoder writes VP8L) and lossy with alpha.
    let lossless = encode_with(
        &DynamicImage::ImageRgb8(natural_rgb(256, 192)),
        ImageFormat::WebP,
    );
    assert!(webp_rows::decode(&lossless, 64).unwrap().is_none());
    assert!(
        webp_rows::decode(&fixture!("lossy-alpha.webp"), 32)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_lossy_webp_cut_short_is_truncated_on_the_row_path() {
    let data = fixture!("lossy-320.webp");
    // Both cuts fall inside the VP8 chunk (the EXIF chunk vips writes comes after it).
    for cut in [data.len() / 2, data.len() * 3 / 4] {
        let e = process_with_edges(&data[..cut], &Limits::default(), 80, 40).unwrap_err();
        assert_eq!(e.code(), "truncated_image", "cut at {cut}");
    }
}
