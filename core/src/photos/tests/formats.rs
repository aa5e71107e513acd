//! Every input format the phones produce: progressive, CMYK, grey, alpha, 16-bit, WebP.

use super::*;

#[test]
fn progressive_jpeg_fixture() {
    let data = fixture!("progressive.jpg");
    assert!(
        data.windows(2).any(|w| w == [0xFF, 0xC2]),
        "fixture must be SOF2"
    );
    let p = process(&data);
    assert_eq!((p.display.width, p.display.height), (96, 64));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "progressive");
    // Progressive through the 1/2 DCT scale.
    let p = process_with_edges(&data, &Limits::default(), 48, 24).unwrap();
    assert_eq!((p.display.width, p.display.height), (48, 32));
    assert_quadrants(
        &decode_rgb(&p.display.bytes),
        QUAD,
        48,
        "progressive scaled",
    );
}

#[test]
fn cmyk_jpeg_fixture_from_imagemagick() {
    let data = fixture!("cmyk.jpg");
    let p = process(&data);
    assert_eq!((p.display.width, p.display.height), (96, 64));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 48, "cmyk fixture");
    let p = process_with_edges(&data, &Limits::default(), 48, 24).unwrap();
    assert_quadrants(
        &decode_rgb(&p.display.bytes),
        QUAD,
        56,
        "cmyk fixture scaled",
    );
}

#[test]
fn cmyk_and_ycck_jpegs_made_in_code() {
    // CMYK ink values (0 = no ink) for red, green, blue, white.
    let inks: [[u8; 4]; 4] = [[0, 255, 255, 0], [255, 0, 255, 0], [255, 255, 0, 0], [0; 4]];
    let (w, h) = (64u32, 48u32);
    let mut cmyk = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            let i = usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2);
            cmyk.extend_from_slice(&inks[i]);
        }
    }
    for color in [ColorType::Cmyk, ColorType::CmykAsYcck] {
        let mut data = Vec::new();
        Encoder::new(&mut data, 95)
            .encode(&cmyk, w as u16, h as u16, color)
            .unwrap();
        let p = process(&data);
        assert_quadrants(
            &decode_rgb(&p.display.bytes),
            QUAD,
            48,
            &format!("{color:?}"),
        );
    }
}

#[test]
fn grayscale_jpeg() {
    let (w, h) = (64u16, 48u16);
    let grey: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .map(|i| if i % u32::from(w) < 32 { 30 } else { 220 })
        .collect();
    let mut data = Vec::new();
    Encoder::new(&mut data, 95)
        .encode(&grey, w, h, ColorType::Luma)
        .unwrap();
    let p = process(&data);
    let img = decode_rgb(&p.display.bytes);
    assert_near(&img, 8, 24, [30, 30, 30], 12, "grey left");
    assert_near(&img, 56, 24, [220, 220, 220], 12, "grey right");
}

#[test]
fn png_with_alpha_is_flattened_onto_white() {
    let img = image::RgbaImage::from_fn(64, 48, |x, y| {
        image::Rgba(match (x >= 32, y >= 24) {
            (false, false) => [255, 0, 0, 255], // opaque red
            (true, false) => [0, 255, 0, 0],    // fully transparent green -> white
            (false, true) => [0, 0, 255, 128],  // half blue -> (127,127,255)
            (true, true) => [0, 0, 0, 255],     // opaque black
        })
    });
    let png = encode_with(&DynamicImage::ImageRgba8(img), ImageFormat::Png);
    let p = process(&png);
    let out = decode_rgb(&p.display.bytes);
    assert_quadrants(&out, [RED, WHITE, [127, 127, 255], BLACK], 32, "png alpha");
}

#[test]
fn png_16_bit_and_grey_alpha() {
    let img16 = image::ImageBuffer::<image::Rgb<u16>, _>::from_fn(64, 48, |x, y| {
        let q = QUAD[usize::from(x >= 32) + 2 * usize::from(y >= 24)];
        image::Rgb(q.map(|v| u16::from(v) * 257))
    });
    let png = encode_with(&DynamicImage::ImageRgb16(img16), ImageFormat::Png);
    let p = process(&png);
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "png16");

    let la = image::ImageBuffer::<image::LumaA<u16>, _>::from_fn(64, 48, |x, _| {
        image::LumaA(if x < 32 { [0, 65535] } else { [0, 0] })
    });
    let png = encode_with(&DynamicImage::ImageLumaA16(la), ImageFormat::Png);
    let out = decode_rgb(&process(&png).display.bytes);
    assert_near(&out, 8, 24, BLACK, 16, "grey-alpha opaque black");
    assert_near(&out, 56, 24, WHITE, 16, "grey-alpha transparent");
}

#[test]
fn webp_lossless_with_alpha_made_in_code() {
    let img = image::RgbaImage::from_fn(64, 48, |x, y| {
        image::Rgba(match (x >= 32, y >= 24) {
            (false, false) => [255, 0, 0, 255],
            (true, false) => [0, 255, 0, 255],
            (false, true) => [0, 0, 255, 255],
            (true, true) => [0, 0, 0, 0],
        })
    });
    let data = encode_with(&DynamicImage::ImageRgba8(img), ImageFormat::WebP);
    let p = process(&data);
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "webp lossless");
}

/// An animated WebP assembled chunk by chunk (RIFF `VP8X` + `ANIM` + one `ANMF` per frame, each
/// holding a lossless `VP8L` frame): what a sticker or a phone's "motion" export can be.
fn animated_webp(frames: &[RgbImage]) -> Vec<u8> {
    let (w, h) = frames[0].dimensions();
    let le24 = |v: u32| v.to_le_bytes()[..3].to_vec();
    let chunk = |name: &[u8], body: Vec<u8>| {
        let mut c = name.to_vec();
        c.extend((body.len() as u32).to_le_bytes());
        c.extend(&body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    };
    let mut vp8x = vec![0x02, 0, 0, 0]; // Animation, no alpha.
    vp8x.extend(le24(w - 1));
    vp8x.extend(le24(h - 1));
    let mut body = b"WEBP".to_vec();
    body.extend(chunk(b"VP8X", vp8x));
    body.extend(chunk(b"ANIM", vec![255, 255, 255, 255, 0, 0]));
    for frame in frames {
        let still = encode_with(&DynamicImage::ImageRgb8(frame.clone()), ImageFormat::WebP);
        assert_eq!(
            &still[12..16],
            b"VP8L",
            "the encoder writes a simple lossless file"
        );
        let mut anmf = [le24(0), le24(0), le24(w - 1), le24(h - 1), le24(100)].concat();
        anmf.push(0x02); // Do not blend: the frame replaces the canvas.
        anmf.extend(&still[12..]);
        body.extend(chunk(b"ANMF", anmf));
    }
    chunk(b"RIFF", body)
}

#[test]
fn an_animated_webp_gives_its_first_frame() {
    let first = quad_rgb(64, 48, QUAD);
    let second = quad_rgb(64, 48, [BLACK; 4]);
    let data = animated_webp(&[first, second]);
    let p = process(&data);
    assert_eq!((p.display.width, p.display.height), (64, 48));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "animated webp");
}

#[test]
fn webp_lossy_fixtures() {
    let p = process(&fixture!("lossy.webp"));
    assert_eq!((p.display.width, p.display.height), (96, 64));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 48, "lossy webp");

    let p = process(&fixture!("lossy-alpha.webp"));
    let out = decode_rgb(&p.display.bytes);
    assert_quadrants(
        &out,
        [RED, WHITE, [127, 127, 255], BLACK],
        48,
        "lossy webp alpha",
    );
}

#[test]
fn format_comes_from_magic_bytes_not_the_extension() {
    let dir = TestDir::new("ext");
    let png = encode_with(
        &DynamicImage::ImageRgb8(quad_rgb(64, 48, QUAD)),
        ImageFormat::Png,
    );
    let path = dir.path().join("really-a-png.jpg");
    std::fs::write(&path, &png).unwrap();
    let p = process_file(&path, &Limits::default()).unwrap();
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "png named .jpg");
}
