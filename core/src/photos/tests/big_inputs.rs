//! Inputs far bigger than the display image: decoded already reduced (PNG row by row into
//! boxes, JPEG in the DCT domain), and still the right size, upright and the right colours.
//! Memory itself is measured in `scripts/bench photo`, never asserted here.

use super::*;

/// A 16-bit RGBA PNG with four flat quadrants; the bottom-right one fully transparent.
fn quad_png16_rgba(w: u32, h: u32) -> Vec<u8> {
    let img = image::ImageBuffer::<image::Rgba<u16>, _>::from_fn(w, h, |x, y| {
        let i = usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2);
        let [r, g, b] = QUAD[i].map(|v| u16::from(v) * 257);
        image::Rgba([r, g, b, if i == 3 { 0 } else { 65535 }])
    });
    encode_with(&DynamicImage::ImageRgba16(img), ImageFormat::Png)
}

#[test]
fn a_16_bit_rgba_png_many_times_the_display_size_keeps_its_colours_and_shape() {
    // 1800x1350 to a 128 px display: boxes of 14x14 pixels, then Lanczos3.
    let png = quad_png16_rgba(1800, 1350);
    let p = process_with_edges(&png, &Limits::default(), 128, 32).unwrap();
    assert_eq!((p.display.width, p.display.height), (128, 96));
    assert_eq!((p.thumbnail.width, p.thumbnail.height), (32, 24));
    // The transparent quadrant is flattened onto white.
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "png16 rgba boxes");
    assert_quadrants(&decode_rgb(&p.thumbnail.bytes), QUAD, 48, "png16 thumbnail");
}

#[test]
fn an_8_bit_png_whose_size_is_not_a_multiple_of_the_box_keeps_its_edges() {
    // 1001x763 to 128: boxes of 7, the last column and row of boxes are partial.
    let img = quad_rgb(1001, 763, QUAD);
    let png = encode_with(&DynamicImage::ImageRgb8(img), ImageFormat::Png);
    let p = process_with_edges(&png, &Limits::default(), 128, 32).unwrap();
    assert_eq!((p.display.width, p.display.height), (128, 98));
    let out = decode_rgb(&p.display.bytes);
    assert_quadrants(&out, QUAD, 40, "odd-sized png");
    // The far corners are still their quadrant's colour (no dark edge from a partial box).
    assert_near(&out, 127, 97, WHITE, 40, "bottom-right corner");
    assert_near(&out, 0, 97, BLUE, 60, "bottom-left corner");
}

#[test]
fn a_grey_png_with_alpha_stays_grey_and_flattens_onto_white() {
    let la = image::ImageBuffer::<image::LumaA<u8>, _>::from_fn(900, 600, |x, _| {
        image::LumaA(if x < 450 { [40, 255] } else { [0, 0] })
    });
    let png = encode_with(&DynamicImage::ImageLumaA8(la), ImageFormat::Png);
    let p = process_with_edges(&png, &Limits::default(), 128, 32).unwrap();
    let out = decode_rgb(&p.display.bytes);
    assert_eq!(out.dimensions(), (128, 85));
    assert_near(&out, 16, 40, [40, 40, 40], 12, "grey");
    assert_near(&out, 112, 40, WHITE, 12, "transparent");
}

#[test]
fn an_interlaced_16_bit_png_fixture_from_vips() {
    let data = fixture!("interlaced16.png");
    assert_eq!(data[28], 1, "fixture must be Adam7-interlaced");
    let p = process(&data);
    assert_eq!((p.display.width, p.display.height), (96, 64));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "interlaced");
    // Through boxes of 4: the out-of-order Adam7 rows land in the right boxes.
    let p = process_with_edges(&data, &Limits::default(), 24, 8).unwrap();
    assert_eq!((p.display.width, p.display.height), (24, 16));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 48, "interlaced boxes");
}

#[test]
fn a_png_cut_short_while_rows_are_read_is_truncated() {
    let png = encode_with(
        &DynamicImage::ImageRgb8(natural_rgb(900, 600)),
        ImageFormat::Png,
    );
    let e = process_with_edges(&png[..png.len() * 2 / 3], &Limits::default(), 128, 32).unwrap_err();
    assert!(matches!(e, PhotoError::Truncated), "{e:?}");
}

/// A 10000x4 strip: a hue sweep, darker row by row, as a panorama cut to a thin band.
fn hue_strip(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let t = x as f32 / w as f32 * 6.0;
        let shade = 1.0 - 0.2 * y as f32;
        let f = |o: f32| {
            let d = ((t - o).rem_euclid(6.0) - 3.0).abs();
            ((d - 1.0).clamp(0.0, 1.0) * 255.0 * shade) as u8
        };
        image::Rgb([f(0.0), f(2.0), f(4.0)])
    })
}

#[test]
fn a_10000x4_strip_keeps_its_colours() {
    // The expected image: the original pixels, resized at full precision.
    let src = hue_strip(10000, 4);
    let lanczos = |img: &RgbImage| {
        image::imageops::resize(img, 1280, 1, image::imageops::FilterType::Lanczos3)
    };
    let expected = lanczos(&src);
    let png = encode_with(&DynamicImage::ImageRgb8(src.clone()), ImageFormat::Png);
    let mut camera = Vec::new();
    let mut enc = Encoder::new(&mut camera, 90);
    enc.set_sampling_factor(SamplingFactor::R_4_2_0);
    enc.encode(src.as_raw(), 10000, 4, ColorType::Rgb).unwrap();
    for (name, data) in [
        ("jpeg 4:4:4", jpeg(&src)),
        ("jpeg 4:2:0", camera),
        ("png", png),
    ] {
        let p = process(&data);
        assert_eq!((p.display.width, p.display.height), (1280, 1), "{name}");
        let db = psnr(decode_rgb(&p.display.bytes).as_raw(), expected.as_raw());
        // What the file itself still holds (4:2:0 chroma loses some of a 4-row strip):
        // decoded at full size and resized at full precision.
        let full = image::load_from_memory(&data).unwrap().to_rgb8();
        let best = psnr(lanczos(&full).as_raw(), expected.as_raw()).min(40.0);
        assert!(
            db >= best - 2.0,
            "{name}: strip PSNR {db:.1} dB, the file itself allows {best:.1} dB"
        );
    }
}
