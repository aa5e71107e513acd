//! Quality against a full-quality reference, output sizes, no upscaling, stable hashes.

use super::*;

/// PSNR of our output against a full-precision reference: `image`'s Lanczos3
/// resize of the fully decoded input.
fn quality_check(src: &RgbImage, display_edge: u32, thumb_edge: u32, min_db: f64) -> Processed {
    let data = jpeg(src);
    let full = decode_rgb(&data);
    let p = process_with_edges(&data, &Limits::default(), display_edge, thumb_edge).unwrap();
    let (dw, dh) = (p.display.width, p.display.height);
    let reference = image::imageops::resize(&full, dw, dh, image::imageops::FilterType::Lanczos3);
    let ours = decode_rgb(&p.display.bytes);
    assert_eq!(ours.dimensions(), reference.dimensions());
    let db = psnr(ours.as_raw(), reference.as_raw());
    assert!(db >= min_db, "display PSNR {db:.2} dB < {min_db} dB");

    let (tw, th) = (p.thumbnail.width, p.thumbnail.height);
    let thumb_ref = image::imageops::resize(&full, tw, th, image::imageops::FilterType::Lanczos3);
    let thumb = decode_rgb(&p.thumbnail.bytes);
    let db = psnr(thumb.as_raw(), thumb_ref.as_raw());
    assert!(db >= min_db, "thumbnail PSNR {db:.2} dB < {min_db} dB");
    p
}

#[test]
fn display_quality_is_at_least_30_db() {
    let src = natural_rgb(2000, 1500);
    let p = quality_check(&src, DISPLAY_LONG_EDGE, THUMBNAIL_LONG_EDGE, 30.0);
    assert_eq!((p.display.width, p.display.height), (1280, 960));
    assert_eq!((p.thumbnail.width, p.thumbnail.height), (320, 240));
}

#[test]
fn dct_scaled_decode_quality_is_at_least_30_db() {
    // 640 -> 300 makes the decoder use its 1/2 DCT scale (320 px) before resizing.
    let src = natural_rgb(640, 480);
    let p = quality_check(&src, 300, 80, 30.0);
    assert_eq!((p.display.width, p.display.height), (300, 225));
}

#[test]
fn output_sizes_fit_the_long_edge() {
    // Same fitting rule as 1280/320, at a scale that keeps debug-build tests fast.
    for (w, h, dw, dh, tw, th) in [
        (200, 150, 128, 96, 32, 24),
        (150, 200, 96, 128, 24, 32),
        (160, 40, 128, 32, 32, 8),
        (130, 130, 128, 128, 32, 32),
        (100, 70, 100, 70, 32, 22),
        (1000, 3, 128, 1, 32, 1),
    ] {
        let data = jpeg(&quad_rgb(w, h, QUAD));
        let p = process_with_edges(&data, &Limits::default(), 128, 32).unwrap();
        assert_eq!((p.display.width, p.display.height), (dw, dh), "{w}x{h}");
        assert_eq!((p.thumbnail.width, p.thumbnail.height), (tw, th), "{w}x{h}");
        let d = decode_rgb(&p.display.bytes);
        assert_eq!(d.dimensions(), (dw, dh));
        if dh >= 8 {
            assert_quadrants(&d, QUAD, 48, &format!("{w}x{h}"));
        }
    }
    assert_eq!(
        resize::fit_within(4000, 3000, DISPLAY_LONG_EDGE),
        (1280, 960)
    );
    assert_eq!(
        resize::fit_within(3000, 4000, DISPLAY_LONG_EDGE),
        (960, 1280)
    );
    assert_eq!(
        resize::fit_within(1280, 960, THUMBNAIL_LONG_EDGE),
        (320, 240)
    );
    assert_eq!(resize::fit_within(64, 64, THUMBNAIL_LONG_EDGE), (64, 64));
}

#[test]
fn never_upscales() {
    let img = natural_rgb(64, 64);
    let png = encode_with(&DynamicImage::ImageRgb8(img.clone()), ImageFormat::Png);
    for data in [jpeg(&img), png] {
        let p = process(&data);
        assert_eq!((p.display.width, p.display.height), (64, 64));
        assert_eq!((p.thumbnail.width, p.thumbnail.height), (64, 64));
        assert_eq!(decode_rgb(&p.display.bytes).dimensions(), (64, 64));
        assert_eq!(decode_rgb(&p.thumbnail.bytes).dimensions(), (64, 64));
    }
}

#[test]
fn same_input_gives_same_hashes() {
    let data = jpeg(&natural_rgb(400, 300));
    let a = process(&data);
    let b = process(&data);
    assert_eq!(a, b);
    assert_eq!(a.display.hash, b.display.hash);
    assert_eq!(a.thumbnail.hash, b.thumbnail.hash);
    for enc in [&a.display, &a.thumbnail] {
        assert_eq!(enc.hash, blake3::hash(&enc.bytes).to_hex().to_string());
        assert_eq!(enc.hash.len(), 64);
        assert!(
            enc.hash
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
    }
    let other = process(&jpeg(&natural_rgb(400, 301)));
    assert_ne!(a.display.hash, other.display.hash);
}
