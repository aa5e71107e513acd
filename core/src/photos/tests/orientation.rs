//! EXIF orientation: every value comes out upright, from JPEG, PNG and WebP.

use super::*;

/// Builds the image a camera would store for EXIF orientation `o` when the
/// upright picture is `up`, straight from the EXIF definition of where the
/// stored 0th row and 0th column lie in the upright picture.
fn stored_for_orientation(up: &RgbImage, o: u16) -> RgbImage {
    let (uw, uh) = up.dimensions();
    let (sw, sh) = if o >= 5 { (uh, uw) } else { (uw, uh) };
    RgbImage::from_fn(sw, sh, |c, r| {
        let (ux, uy) = match o {
            1 => (c, r),                   // row 0 top, column 0 left
            2 => (uw - 1 - c, r),          // row 0 top, column 0 right
            3 => (uw - 1 - c, uh - 1 - r), // row 0 bottom, column 0 right
            4 => (c, uh - 1 - r),          // row 0 bottom, column 0 left
            5 => (r, c),                   // row 0 left, column 0 top
            6 => (uw - 1 - r, c),          // row 0 right, column 0 top
            7 => (uw - 1 - r, uh - 1 - c), // row 0 right, column 0 bottom
            8 => (r, uh - 1 - c),          // row 0 left, column 0 bottom
            _ => unreachable!(),
        };
        *up.get_pixel(ux, uy)
    })
}

#[test]
fn all_eight_orientations_come_out_upright() {
    let up = quad_rgb(64, 48, QUAD);
    for o in 1..=8u16 {
        let stored = stored_for_orientation(&up, o);
        let data = jpeg_with_segments(&stored, &[app1_exif(&exif_tiff(Some(o), false))]);

        let p = process(&data);
        for (name, enc) in [("display", &p.display), ("thumbnail", &p.thumbnail)] {
            assert_eq!((enc.width, enc.height), (64, 48), "orientation {o} {name}");
            let img = decode_rgb(&enc.bytes);
            assert_eq!(img.dimensions(), (64, 48));
            assert_quadrants(&img, QUAD, 40, &format!("orientation {o} {name}"));
        }

        // Same again through the DCT-scaled decode and a real downscale.
        let p = process_with_edges(&data, &Limits::default(), 32, 16).unwrap();
        assert_eq!((p.display.width, p.display.height), (32, 24), "o={o}");
        assert_eq!((p.thumbnail.width, p.thumbnail.height), (16, 12), "o={o}");
        assert_quadrants(
            &decode_rgb(&p.display.bytes),
            QUAD,
            48,
            &format!("o={o} small"),
        );
    }
}

#[test]
fn orientation_from_png_exif_chunk() {
    let up = quad_rgb(64, 48, QUAD);
    let stored = stored_for_orientation(&up, 6);
    let png = encode_with(&DynamicImage::ImageRgb8(stored), ImageFormat::Png);
    // Insert eXIf right after IHDR (8-byte signature + 25-byte IHDR chunk).
    let mut data = png[..33].to_vec();
    data.extend_from_slice(&png_chunk(b"eXIf", &exif_tiff(Some(6), false)));
    data.extend_from_slice(&png[33..]);

    let p = process(&data);
    assert_eq!((p.display.width, p.display.height), (64, 48));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "png eXIf 6");
}

#[test]
fn orientation_from_webp_exif_chunk() {
    let up = quad_rgb(64, 48, QUAD);
    let stored = stored_for_orientation(&up, 8);
    let (sw, sh) = stored.dimensions();
    let simple = encode_with(&DynamicImage::ImageRgb8(stored), ImageFormat::WebP);
    assert_eq!(&simple[12..16], b"VP8L");
    // Re-wrap the VP8L bitstream in an extended (VP8X) file with an EXIF chunk.
    let vp8l_chunk = &simple[12..];
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(b"VP8X");
    body.extend_from_slice(&10u32.to_le_bytes());
    body.extend_from_slice(&[0x08, 0, 0, 0]); // EXIF flag
    body.extend_from_slice(&(sw - 1).to_le_bytes()[..3]);
    body.extend_from_slice(&(sh - 1).to_le_bytes()[..3]);
    body.extend_from_slice(vp8l_chunk);
    let tiff = exif_tiff(Some(8), false);
    body.extend_from_slice(b"EXIF");
    body.extend_from_slice(&(tiff.len() as u32).to_le_bytes());
    body.extend_from_slice(&tiff);
    if tiff.len() % 2 == 1 {
        body.push(0);
    }
    let mut data = b"RIFF".to_vec();
    data.extend_from_slice(&(body.len() as u32).to_le_bytes());
    data.extend_from_slice(&body);

    let p = process(&data);
    assert_eq!((p.display.width, p.display.height), (64, 48));
    assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "webp EXIF 8");
}

#[test]
fn broken_or_odd_orientation_values_mean_upright() {
    let up = quad_rgb(64, 48, QUAD);
    for tiff in [
        exif_tiff(Some(0), false),
        exif_tiff(Some(9), false),
        b"MM\0\x2a garbage".to_vec(),
    ] {
        let data = jpeg_with_segments(&up, &[app1_exif(&tiff)]);
        let p = process(&data);
        assert_eq!((p.display.width, p.display.height), (64, 48));
        assert_quadrants(&decode_rgb(&p.display.bytes), QUAD, 40, "odd exif");
    }
}
