//! Bad input: each case gets its typed error and leaves nothing behind.

use super::*;

fn err_of(data: &[u8]) -> PhotoError {
    process_bytes(data, &Limits::default()).unwrap_err()
}

#[test]
fn not_an_image() {
    for data in [
        &b"Hello, this is a text file, not a photo."[..],
        b"",
        b"\xFF\xD8",
        b"GIF89a\x01\x00\x01\x00",
        b"RIFF\0\0\0\0WAVEfmt ",
    ] {
        let e = err_of(data);
        assert!(matches!(e, PhotoError::NotAnImage), "{data:?}: {e:?}");
        assert_eq!(e.code(), "not_an_image");
    }
}

#[test]
fn truncated_inputs() {
    let img = natural_rgb(256, 192);
    let jpeg_data = jpeg(&img);
    let png_data = encode_with(&DynamicImage::ImageRgb8(img.clone()), ImageFormat::Png);
    let webp_data = encode_with(&DynamicImage::ImageRgb8(img), ImageFormat::WebP);
    let progressive = fixture!("progressive.jpg");
    for (name, data) in [
        ("jpeg", &jpeg_data),
        ("png", &png_data),
        ("webp", &webp_data),
        ("progressive", &progressive),
    ] {
        let cut = &data[..data.len() / 2];
        let e = err_of(cut);
        assert!(matches!(e, PhotoError::Truncated), "{name}: {e:?}");
        assert_eq!(e.code(), "truncated_image");
    }
    // Cut inside the header, and corrupt entropy data.
    assert!(matches!(err_of(&jpeg_data[..20]), PhotoError::Truncated));
    assert!(matches!(err_of(&png_data[..30]), PhotoError::Truncated));
}

/// SOI + SOF0 declaring `w`x`h`, nothing else.
fn jpeg_header_only(w: u16, h: u16) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8];
    v.extend_from_slice(&h.to_be_bytes());
    v.extend_from_slice(&w.to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend_from_slice(&png_chunk(b"IHDR", &ihdr));
    v.extend_from_slice(&png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00]));
    v.extend_from_slice(&png_chunk(b"IEND", &[]));
    v
}

fn webp_vp8x_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"RIFF\x1e\0\0\0WEBPVP8X\x0a\0\0\0\0\0\0\0".to_vec();
    v.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    v.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    v
}

#[test]
fn decompression_bombs_are_rejected_from_the_header() {
    for (name, data) in [
        ("jpeg", jpeg_header_only(60000, 60000)),
        ("png", png_header_only(60000, 60000)),
        ("webp", webp_vp8x_header_only(60000, 60000)),
    ] {
        let e = err_of(&data);
        assert!(
            matches!(
                e,
                PhotoError::TooManyPixels {
                    width: 60000,
                    height: 60000
                }
            ),
            "{name}: {e:?}"
        );
        assert_eq!(e.code(), "too_many_pixels");
    }
    // A real, valid PNG whose pixel count is over a (lowered) limit.
    let png = encode_with(
        &DynamicImage::ImageRgb8(quad_rgb(64, 48, QUAD)),
        ImageFormat::Png,
    );
    let limits = Limits {
        max_pixels: 64 * 48 - 1,
        ..Limits::default()
    };
    let e = process_bytes(&png, &limits).unwrap_err();
    assert!(matches!(
        e,
        PhotoError::TooManyPixels {
            width: 64,
            height: 48
        }
    ));
    // Exactly at the limit is allowed (a 50 MP header passes the check).
    let at_limit = jpeg_header_only(10000, 5000);
    assert!(matches!(err_of(&at_limit), PhotoError::Truncated));
    let over = jpeg_header_only(10000, 5001);
    assert!(matches!(err_of(&over), PhotoError::TooManyPixels { .. }));
}

#[test]
fn file_over_the_size_cap() {
    let dir = TestDir::new("cap");
    let data = jpeg(&natural_rgb(64, 48));
    let path = dir.path().join("big.jpg");
    std::fs::write(&path, &data).unwrap();
    let limits = Limits {
        max_file_bytes: data.len() as u64 - 1,
        ..Limits::default()
    };
    let e = process_file(&path, &limits).unwrap_err();
    match e {
        PhotoError::FileTooLarge { bytes, limit } => {
            assert_eq!(bytes, data.len() as u64);
            assert_eq!(limit, data.len() as u64 - 1);
        }
        ref other => panic!("unexpected {other:?}"),
    }
    assert_eq!(e.code(), "file_too_large");
    let e = process_bytes(&data, &limits).unwrap_err();
    assert_eq!(e.code(), "file_too_large");
    assert_eq!(Limits::default().max_file_bytes, 30 * 1024 * 1024);
    assert_eq!(Limits::default().max_pixels, 50_000_000);
    assert_eq!(
        dir.entries(),
        vec!["big.jpg".to_owned()],
        "nothing else written"
    );
}

#[test]
fn unreadable_paths() {
    let dir = TestDir::new("unreadable");
    let missing = dir.path().join("no-such-photo-of-budi.jpg");
    for path in [missing.as_path(), dir.path()] {
        let e = process_file(path, &Limits::default()).unwrap_err();
        assert!(matches!(e, PhotoError::Unreadable(_)), "{e:?}");
        assert_eq!(e.code(), "unreadable");
        assert!(std::error::Error::source(&e).is_some());
        let msg = e.to_string();
        assert!(
            !msg.contains("budi") && !msg.contains("sentra-photos-test"),
            "{msg}"
        );
    }
    assert!(dir.entries().is_empty());
}

#[test]
fn error_codes_and_messages_are_stable_and_path_free() {
    let errors = [
        (PhotoError::NotAnImage, "not_an_image"),
        (PhotoError::HeicNotSupported, "heic_not_supported"),
        (PhotoError::Truncated, "truncated_image"),
        (
            PhotoError::TooManyPixels {
                width: 60000,
                height: 60000,
            },
            "too_many_pixels",
        ),
        (
            PhotoError::FileTooLarge { bytes: 2, limit: 1 },
            "file_too_large",
        ),
        (
            PhotoError::Unreadable(std::io::Error::from(std::io::ErrorKind::NotFound)),
            "unreadable",
        ),
        (PhotoError::Unsupported, "unsupported_image"),
        (PhotoError::Encode("zero size".into()), "encode_failed"),
    ];
    for (e, code) in errors {
        assert_eq!(e.code(), code);
        let msg = e.to_string();
        assert!(!msg.is_empty() && !msg.contains('/'), "{msg}");
    }
}

/// A 640x480 camera-like JPEG (baseline or progressive) whose frame header was changed to claim
/// `w`x`h`, as a damaged or forged file arrives.
fn jpeg_claiming(progressive: bool, w: u16, h: u16) -> Vec<u8> {
    let img = natural_rgb(640, 480);
    let mut data = Vec::new();
    let mut enc = Encoder::new(&mut data, 90);
    enc.set_sampling_factor(SamplingFactor::R_4_2_0);
    enc.set_progressive(progressive);
    enc.encode(img.as_raw(), 640, 480, ColorType::Rgb).unwrap();
    let sof = if progressive { 0xC2 } else { 0xC0 };
    let at = data
        .windows(2)
        .position(|m| m == [0xFF, sof])
        .expect("frame header");
    data[at + 5..at + 7].copy_from_slice(&h.to_be_bytes());
    data[at + 7..at + 9].copy_from_slice(&w.to_be_bytes());
    data
}

#[test]
fn a_640x480_jpeg_whose_header_claims_7000x7000_is_truncated_not_stored_as_junk() {
    for progressive in [false, true] {
        let honest = jpeg_claiming(progressive, 640, 480);
        let p = process(&honest);
        assert_eq!((p.display.width, p.display.height), (640, 480));

        let lying = jpeg_claiming(progressive, 7000, 7000);
        let e = err_of(&lying);
        assert!(
            matches!(e, PhotoError::Truncated),
            "progressive {progressive}: {e:?}"
        );
        assert_eq!(e.code(), "truncated_image");
    }
}

#[test]
fn a_flat_one_colour_photo_has_little_scan_data_and_is_still_accepted() {
    // The scan check must never refuse a valid file, however well it compresses.
    for progressive in [false, true] {
        let img = RgbImage::from_pixel(2048, 1536, image::Rgb([200, 180, 150]));
        let mut data = Vec::new();
        let mut enc = Encoder::new(&mut data, 80);
        enc.set_progressive(progressive);
        enc.encode(img.as_raw(), 2048, 1536, ColorType::Rgb)
            .unwrap();
        let p = process(&data);
        assert_eq!((p.display.width, p.display.height), (1280, 960));
        assert_near(
            &decode_rgb(&p.display.bytes),
            640,
            480,
            [200, 180, 150],
            4,
            "flat",
        );
    }
}

#[test]
fn an_arithmetic_coded_jpeg_is_unsupported_not_truncated() {
    // SOF9 (extended sequential, arithmetic coding) in place of SOF0: the marker alone says
    // "arithmetic", and no decoder in the app reads it.
    let mut data = jpeg(&natural_rgb(64, 48));
    let at = data.windows(2).position(|m| m == [0xFF, 0xC0]).unwrap();
    data[at + 1] = 0xC9;
    let e = err_of(&data);
    assert!(matches!(e, PhotoError::Unsupported), "{e:?}");
    assert_eq!(e.code(), "unsupported_image");
}

/// The start of an ISO base media file: an `ftyp` box with these brands, then a `meta` box
/// stub, as an iPhone (HEIC) or an AVIF encoder writes it.
fn iso_media(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
    let size = 16 + 4 * compatible.len() as u32;
    let mut v = size.to_be_bytes().to_vec();
    v.extend_from_slice(b"ftyp");
    v.extend_from_slice(major);
    v.extend_from_slice(&0u32.to_be_bytes());
    for brand in compatible {
        v.extend_from_slice(*brand);
    }
    v.extend_from_slice(&[0, 0, 0, 0x22, b'm', b'e', b't', b'a', 0, 0, 0, 0]);
    v.extend_from_slice(&[
        0, 0, 0, 0x22, b'h', b'd', b'l', b'r', 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    v.extend_from_slice(b"pict");
    v.resize(v.len() + 4096, 0);
    v
}

#[test]
fn heic_and_avif_photos_are_refused_with_their_own_code_not_as_not_a_photo() {
    for (name, data) in [
        (
            "iPhone HEIC",
            iso_media(
                b"heic",
                &[b"mif1", b"MiHE", b"MiPr", b"miaf", b"MiHB", b"heic"],
            ),
        ),
        ("Android HEIF", iso_media(b"mif1", &[b"mif1", b"heic"])),
        (
            "AVIF",
            iso_media(b"avif", &[b"avif", b"mif1", b"miaf", b"MA1A"]),
        ),
    ] {
        let e = err_of(&data);
        assert!(matches!(e, PhotoError::HeicNotSupported), "{name}: {e:?}");
        assert_eq!(e.code(), "heic_not_supported");
    }
    // An MP4 video is also an ISO media file, but not a photo.
    let e = err_of(&iso_media(b"isom", &[b"isom", b"iso2", b"mp41"]));
    assert!(matches!(e, PhotoError::NotAnImage), "{e:?}");
}

#[test]
fn the_heic_message_says_what_to_do_in_indonesian_first() {
    use crate::error::{ErrorCode, Lang};
    let id = ErrorCode::HeicNotSupported.message(Lang::Id);
    let en = ErrorCode::HeicNotSupported.message(Lang::En);
    assert!(
        id.contains("Paling Kompatibel") && id.contains("JPEG"),
        "{id}"
    );
    assert!(
        en.contains("Most Compatible") && en.contains("JPEG"),
        "{en}"
    );
    let big = ErrorCode::FileTooLarge.message(Lang::Id);
    assert!(
        big.contains("12 MP"),
        "file_too_large says what to change in the camera: {big}"
    );
    assert!(ErrorCode::FileTooLarge.message(Lang::En).contains("12 MP"));
}
