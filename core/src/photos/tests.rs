//! Tests for the photo pipeline. Every image is generated in code, except the
//! few tiny files under `fixtures/` that no Rust crate in use can write
//! (see `fixtures/README.md`).

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, RgbImage};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::store::{TEMP_PREFIX, remove_temp_leftovers, write_atomic, write_atomic_with};
use super::*;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

type Rgb = [u8; 3];

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/// A temporary directory, removed on drop.
struct TestDir(tempfile::TempDir);

impl TestDir {
    fn new(tag: &str) -> TestDir {
        TestDir(
            tempfile::Builder::new()
                .prefix(&format!("sentra-photos-test-{tag}-"))
                .tempdir()
                .unwrap(),
        )
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// An RGB image with four flat quadrants: TL, TR, BL, BR.
fn quad_rgb(w: u32, h: u32, q: [Rgb; 4]) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let i = usize::from(x >= w / 2) + 2 * usize::from(y >= h / 2);
        image::Rgb(q[i])
    })
}

/// A smooth-ish, natural-looking test picture: gradients, soft texture, a little noise.
fn natural_rgb(w: u32, h: u32) -> RgbImage {
    let mut seed: u32 = 0x1234_5678;
    let mut noise = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        ((seed >> 24) % 9) as f32 - 4.0
    };
    RgbImage::from_fn(w, h, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        let (fx, fy) = (xf / w as f32, yf / h as f32);
        let r = 60.0
            + 140.0 * fx
            + 25.0 * (yf * 0.02).sin()
            + 12.0 * (xf * 0.15).sin() * (yf * 0.11).cos();
        let g = 50.0 + 120.0 * fy + 20.0 * ((xf + yf) * 0.013).sin() + 10.0 * (xf * 0.07).cos();
        let b = 90.0 + 80.0 * (1.0 - fx) * fy + 15.0 * (xf * 0.05 + yf * 0.09).sin();
        let c = |v: f32, n: f32| (v + n).clamp(0.0, 255.0) as u8;
        image::Rgb([c(r, noise()), c(g, noise()), c(b, noise())])
    })
}

/// Encodes RGB pixels as a baseline JPEG (quality 95, 4:4:4) with extra APPn segments.
fn jpeg_with_segments(img: &RgbImage, app: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, 95);
    enc.set_sampling_factor(SamplingFactor::R_4_4_4);
    for (nr, data) in app {
        enc.add_app_segment(*nr, data.clone()).unwrap();
    }
    enc.encode(
        img.as_raw(),
        img.width() as u16,
        img.height() as u16,
        ColorType::Rgb,
    )
    .unwrap();
    out
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    jpeg_with_segments(img, &[])
}

/// Inserts a raw marker segment right after SOI.
fn insert_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// One IFD entry: tag, TIFF type, count, value bytes (big-endian).
type Entry = (u16, u16, u32, Vec<u8>);

/// Serialises an IFD at absolute offset `at`; values over 4 bytes follow it.
fn ifd(entries: &[Entry], at: u32) -> Vec<u8> {
    let table_len = 2 + 12 * entries.len() as u32 + 4;
    let mut table = (entries.len() as u16).to_be_bytes().to_vec();
    let mut data = Vec::new();
    for (tag, typ, count, value) in entries {
        table.extend_from_slice(&tag.to_be_bytes());
        table.extend_from_slice(&typ.to_be_bytes());
        table.extend_from_slice(&count.to_be_bytes());
        if value.len() <= 4 {
            let mut v = value.clone();
            v.resize(4, 0);
            table.extend_from_slice(&v);
        } else {
            let off = at + table_len + data.len() as u32;
            table.extend_from_slice(&off.to_be_bytes());
            data.extend_from_slice(value);
            if data.len() % 2 == 1 {
                data.push(0);
            }
        }
    }
    table.extend_from_slice(&0u32.to_be_bytes());
    table.extend_from_slice(&data);
    table
}

fn rational3(a: u32, b: u32, c: u32) -> Vec<u8> {
    [a, 1, b, 1, c, 100]
        .iter()
        .flat_map(|v: &u32| v.to_be_bytes())
        .collect()
}

/// Minimal big-endian TIFF/EXIF block: optional Orientation, and optionally a
/// camera Make plus a GPS IFD with latitude/longitude.
fn exif_tiff(orientation: Option<u16>, with_gps: bool) -> Vec<u8> {
    let mut entries: Vec<Entry> = Vec::new();
    if with_gps {
        entries.push((0x010F, 2, 14, b"SentraTestCam\0".to_vec()));
    }
    if let Some(o) = orientation {
        entries.push((0x0112, 3, 1, o.to_be_bytes().to_vec()));
    }
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    if with_gps {
        entries.push((0x8825, 4, 1, 0u32.to_be_bytes().to_vec()));
        let gps_at = 8 + ifd(&entries, 8).len() as u32;
        if let Some(e) = entries.last_mut() {
            e.3 = gps_at.to_be_bytes().to_vec();
        }
        tiff.extend_from_slice(&ifd(&entries, 8));
        let gps: Vec<Entry> = vec![
            (0x0001, 2, 2, b"S\0".to_vec()),
            (0x0002, 5, 3, rational3(7, 47, 4924)),
            (0x0003, 2, 2, b"E\0".to_vec()),
            (0x0004, 5, 3, rational3(110, 22, 1390)),
        ];
        tiff.extend_from_slice(&ifd(&gps, gps_at));
    } else {
        tiff.extend_from_slice(&ifd(&entries, 8));
    }
    tiff
}

fn app1_exif(tiff: &[u8]) -> (u8, Vec<u8>) {
    let mut v = b"Exif\0\0".to_vec();
    v.extend_from_slice(tiff);
    (1, v)
}

fn decode_rgb(bytes: &[u8]) -> RgbImage {
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg)
        .unwrap()
        .to_rgb8()
}

fn assert_near(img: &RgbImage, x: u32, y: u32, want: Rgb, tol: i32, what: &str) {
    let got = img.get_pixel(x, y).0;
    let ok = got
        .iter()
        .zip(want.iter())
        .all(|(g, w)| (i32::from(*g) - i32::from(*w)).abs() <= tol);
    assert!(
        ok,
        "{what}: pixel ({x},{y}) is {got:?}, want {want:?} (tolerance {tol})"
    );
}

/// Checks the colour at the centre of each quadrant.
fn assert_quadrants(img: &RgbImage, q: [Rgb; 4], tol: i32, what: &str) {
    let (w, h) = img.dimensions();
    let (x0, x1, y0, y1) = (w / 4, 3 * w / 4, h / 4, 3 * h / 4);
    assert_near(img, x0, y0, q[0], tol, &format!("{what} top-left"));
    assert_near(img, x1, y0, q[1], tol, &format!("{what} top-right"));
    assert_near(img, x0, y1, q[2], tol, &format!("{what} bottom-left"));
    assert_near(img, x1, y1, q[3], tol, &format!("{what} bottom-right"));
}

/// JPEG marker codes from SOI up to and including SOS, with each segment's payload.
fn jpeg_segments(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    assert_eq!(&bytes[..2], &[0xFF, 0xD8], "output must start with SOI");
    let mut i = 2;
    let mut out = Vec::new();
    loop {
        assert_eq!(bytes[i], 0xFF, "marker expected at {i}");
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        out.push((marker, bytes[i + 4..i + 2 + len].to_vec()));
        i += 2 + len;
        if marker == 0xDA {
            break;
        }
    }
    assert_eq!(
        &bytes[bytes.len() - 2..],
        &[0xFF, 0xD9],
        "output must end with EOI"
    );
    out
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum::<f64>()
        / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    v.extend_from_slice(&body);
    v.extend_from_slice(&crc32(&body).to_be_bytes());
    v
}

fn encode_with(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A fixture file, embedded at compile time (the path is relative to this file).
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/", $name)).to_vec()
    };
}

fn process(data: &[u8]) -> Processed {
    process_bytes(data, &Limits::default()).unwrap()
}

// ---------------------------------------------------------------------------
// Orientation
// ---------------------------------------------------------------------------

const QUAD: [Rgb; 4] = [RED, GREEN, BLUE, WHITE];

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

// ---------------------------------------------------------------------------
// Metadata stripping
// ---------------------------------------------------------------------------

#[test]
fn output_has_no_metadata_at_all() {
    let up = quad_rgb(200, 150, QUAD);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'>\
        <rdf:RDF><rdf:Description exif:GPSLatitude='7,47.82S' xmp:CreatorTool='SentraSecret'/>\
        </rdf:RDF></x:xmpmeta>"
        .to_vec();
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend_from_slice(&[0u8; 128]);
    let data = jpeg_with_segments(
        &up,
        &[
            app1_exif(&exif_tiff(Some(1), true)),
            (1, xmp),
            (2, icc),
            (13, b"Photoshop 3.0\0SentraSecret".to_vec()),
        ],
    );
    let data = insert_segment(&data, 0xFE, b"comment SentraSecret");
    // The input really does carry GPS data.
    let input_exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&data))
        .unwrap();
    assert!(
        input_exif
            .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );

    let p = process(&data);
    for (name, enc) in [("display", &p.display), ("thumbnail", &p.thumbnail)] {
        let segs = jpeg_segments(&enc.bytes);
        let markers: Vec<u8> = segs.iter().map(|s| s.0).collect();
        assert_eq!(markers[0], 0xE0, "{name}: first segment must be JFIF APP0");
        assert!(
            segs[0].1.starts_with(b"JFIF\0"),
            "{name}: APP0 must be JFIF"
        );
        for m in &markers {
            assert!(
                !(0xE1..=0xEF).contains(m) && *m != 0xFE,
                "{name}: unexpected marker FF{m:02X} in {markers:02X?}"
            );
        }
        assert_eq!(markers.iter().filter(|m| **m == 0xE0).count(), 1);
        assert!(
            exif::Reader::new()
                .read_from_container(&mut Cursor::new(&enc.bytes))
                .is_err(),
            "{name}: exif::Reader must find nothing"
        );
        let haystack = String::from_utf8_lossy(&enc.bytes);
        assert!(!haystack.contains("Sentra"), "{name}: metadata text leaked");
        assert!(!haystack.contains("ICC_PROFILE"), "{name}: ICC leaked");
        // Baseline, 4:2:0: SOF0 with luma 2x2, chroma 1x1.
        let sof = segs.iter().find(|s| s.0 == 0xC0).expect("SOF0");
        assert_eq!(sof.1[5], 3, "three components");
        assert_eq!(sof.1[7], 0x22, "luma sampling 2x2 (4:2:0)");
        assert_eq!((sof.1[10], sof.1[13]), (0x11, 0x11), "chroma 1x1");
    }
}

// ---------------------------------------------------------------------------
// Quality and sizing
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Input formats
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Store
// ---------------------------------------------------------------------------

#[test]
fn write_atomic_writes_once_and_leaves_no_temp() {
    let dir = TestDir::new("store");
    let path = write_atomic(dir.path(), "abc.jpg", b"first").unwrap();
    assert_eq!(path, dir.path().join("abc.jpg"));
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    // Content-addressed: an existing name is left alone.
    let again = write_atomic(dir.path(), "abc.jpg", b"second").unwrap();
    assert_eq!(again, path);
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    assert_eq!(dir.entries(), vec!["abc.jpg".to_owned()]);

    for bad in ["", ".", "..", "a/b", ".tmp-x", "a\\b"] {
        let e = write_atomic(dir.path(), bad, b"x").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{bad:?}");
    }
    assert!(write_atomic(&dir.path().join("missing-dir"), "a.jpg", b"x").is_err());
    assert_eq!(dir.entries(), vec!["abc.jpg".to_owned()]);
}

#[test]
fn write_atomic_removes_temp_on_injected_write_error() {
    let dir = TestDir::new("inject");
    let e = write_atomic_with(dir.path(), "x.jpg", &[7u8; 10000], |f, data| {
        use std::io::Write;
        f.write_all(&data[..4000])?;
        Err(std::io::Error::from_raw_os_error(28)) // ENOSPC
    })
    .unwrap_err();
    assert_eq!(e.raw_os_error(), Some(28));
    assert!(dir.entries().is_empty(), "left behind: {:?}", dir.entries());
}

const FSIZE_CHILD_ENV: &str = "SENTRA_PHOTOS_FSIZE_CHILD_DIR";

/// Runs in a child process whose file-size limit (RLIMIT_FSIZE) is 64 KiB, with
/// SIGXFSZ ignored: writing past it fails with EFBIG, like a full disk.
/// Ignored unless started by the test below.
#[test]
#[ignore = "helper: run by write_atomic_on_a_full_disk_leaves_nothing"]
fn fsize_child() {
    let Some(dir) = std::env::var_os(FSIZE_CHILD_ENV) else {
        return;
    };
    let e = write_atomic(Path::new(&dir), "big.jpg", &vec![1u8; 1024 * 1024]).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge, "{e:?}");
}

/// A full disk, for real: the child runs under a 64 KiB file-size limit set
/// by `/bin/sh` (`trap '' XFSZ; ulimit -f`), so no unsafe code is needed here.
#[cfg(target_os = "linux")]
#[test]
fn write_atomic_on_a_full_disk_leaves_nothing() {
    let dir = TestDir::new("fsize");
    // module_path!() is "<crate>::photos::tests"; the test filter wants the part after the crate.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    let name = format!("{module}::fsize_child");
    let out = std::process::Command::new("/bin/sh")
        .arg("-c")
        // ulimit -f counts 512-byte blocks in dash (POSIX) and 1024 in bash: 64 or 128 KiB.
        .arg(r#"trap '' XFSZ; ulimit -f 128 && exec "$0" "$@""#)
        .arg(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--ignored", "--test-threads=1"])
        .env(FSIZE_CHILD_ENV, dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed: {stdout}{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "child did not run the test: {stdout}"
    );
    assert!(dir.entries().is_empty(), "left behind: {:?}", dir.entries());
}

#[test]
fn remove_temp_leftovers_only_removes_temps() {
    let dir = TestDir::new("sweep");
    std::fs::write(
        dir.path().join(format!("{TEMP_PREFIX}123-0-a.jpg")),
        b"partial",
    )
    .unwrap();
    std::fs::write(dir.path().join(format!("{TEMP_PREFIX}9")), b"partial").unwrap();
    std::fs::write(dir.path().join("keep.jpg"), b"done").unwrap();
    std::fs::create_dir(dir.path().join(format!("{TEMP_PREFIX}dir"))).unwrap();
    assert_eq!(remove_temp_leftovers(dir.path()).unwrap(), 2);
    assert_eq!(
        dir.entries(),
        vec![format!("{TEMP_PREFIX}dir"), "keep.jpg".to_owned()]
    );
    assert_eq!(remove_temp_leftovers(dir.path()).unwrap(), 0);
}

#[test]
fn processed_outputs_round_trip_through_the_store() {
    let dir = TestDir::new("roundtrip");
    let p = process(&jpeg(&natural_rgb(400, 300)));
    for enc in [&p.display, &p.thumbnail] {
        let name = format!("{}.jpg", enc.hash);
        let path = write_atomic(dir.path(), &name, &enc.bytes).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), enc.bytes);
    }
    assert_eq!(dir.entries().len(), 2);
}
