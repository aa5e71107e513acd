//! Colour: a photo tagged with another colour space (an iPhone's Display P3) comes out in sRGB.

use image::ImageEncoder;

use super::*;

/// Saturated colours as a Display P3 camera stores them, one per quadrant.
const P3_QUAD: [Rgb; 4] = [[230, 120, 60], [70, 170, 90], [45, 85, 215], [200, 60, 140]];

/// The sRGB numbers of a Display P3 colour, computed here from the published matrix (linear
/// Display P3 to linear sRGB, both D65) and the sRGB curve both spaces use: independent of
/// the colour library the app uses.
fn p3_to_srgb(p3: Rgb) -> Rgb {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let enc = |v: f64| {
        let v = v.clamp(0.0, 1.0);
        let e = if v <= 0.003_130_8 {
            v * 12.92
        } else {
            1.055 * v.powf(1.0 / 2.4) - 0.055
        };
        (e * 255.0).round() as u8
    };
    let [r, g, b] = p3.map(lin);
    [
        enc(1.224_940_2 * r - 0.224_940_4 * g),
        enc(-0.042_056_9 * r + 1.042_057_1 * g),
        enc(-0.019_637_6 * r - 0.078_636_1 * g + 1.098_273_5 * b),
    ]
}

fn display_p3_icc() -> Vec<u8> {
    moxcms::ColorProfile::new_display_p3().encode().unwrap()
}

fn p3_jpeg(icc: Option<&[u8]>) -> Vec<u8> {
    let img = quad_rgb(256, 192, P3_QUAD);
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 95);
    enc.set_sampling_factor(SamplingFactor::R_4_4_4);
    if let Some(icc) = icc {
        enc.add_icc_profile(icc).unwrap();
    }
    enc.encode(img.as_raw(), 256, 192, ColorType::Rgb).unwrap();
    out
}

#[test]
fn a_display_p3_jpeg_is_converted_to_srgb() {
    let expected = P3_QUAD.map(p3_to_srgb);
    // The conversion moves these colours visibly, so keeping the P3 numbers would fail.
    for (p3, srgb) in P3_QUAD.iter().zip(&expected) {
        let moved = p3.iter().zip(srgb).any(|(a, b)| a.abs_diff(*b) >= 15);
        assert!(moved, "{p3:?} -> {srgb:?} must differ visibly");
    }
    let data = p3_jpeg(Some(&display_p3_icc()));
    let p = process(&data);
    assert_quadrants(&decode_rgb(&p.display.bytes), expected, 5, "P3 display");
    assert_quadrants(&decode_rgb(&p.thumbnail.bytes), expected, 6, "P3 thumbnail");
    // Through the DCT-scaled decode too.
    let p = process_with_edges(&data, &Limits::default(), 128, 32).unwrap();
    assert_quadrants(&decode_rgb(&p.display.bytes), expected, 6, "P3 scaled");
}

/// Writes the P3 quadrants with a Display P3 profile through `encoder`.
fn write_p3(mut encoder: impl ImageEncoder) {
    let img = quad_rgb(256, 192, P3_QUAD);
    encoder.set_icc_profile(display_p3_icc()).unwrap();
    encoder
        .write_image(img.as_raw(), 256, 192, image::ExtendedColorType::Rgb8)
        .unwrap();
}

/// `file` (the P3 quadrants) through the pipeline: the display image holds their sRGB numbers.
fn assert_p3_converted(file: &[u8], what: &str) {
    let p = process_with_edges(file, &Limits::default(), 128, 32).unwrap();
    let expected = P3_QUAD.map(p3_to_srgb);
    assert_quadrants(&decode_rgb(&p.display.bytes), expected, 5, what);
}

#[test]
fn a_display_p3_png_is_converted_to_srgb() {
    let mut png = Vec::new();
    write_p3(image::codecs::png::PngEncoder::new(&mut png));
    assert_p3_converted(&png, "P3 png");
}

#[test]
fn a_display_p3_lossless_webp_is_converted_to_srgb() {
    // Lossless WebP is decoded whole by image-webp; its profile comes from the ICCP chunk.
    let mut webp = Vec::new();
    write_p3(image::codecs::webp::WebPEncoder::new_lossless(&mut webp));
    assert_p3_converted(&webp, "P3 webp");
}

#[test]
fn srgb_tagged_untagged_and_broken_profiles_keep_their_numbers() {
    let srgb = moxcms::ColorProfile::new_srgb().encode().unwrap();
    for (name, icc) in [
        ("sRGB profile", Some(srgb.as_slice())),
        ("no profile", None),
        ("broken profile", Some(&b"not an ICC profile at all"[..])),
    ] {
        let p = process(&p3_jpeg(icc));
        assert_quadrants(&decode_rgb(&p.display.bytes), P3_QUAD, 5, name);
    }
}
