//! Tests for the photo pipeline, one file per concern; this one holds the shared helpers.
//! Every image is generated in code, except the
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

/// The full decode averaged over `s` x `s` boxes (clipped at the right and bottom edges), in
/// `channels` channels: what a reduced-size decode approximates.
fn box_average(full: &RgbImage, s: u32, channels: usize) -> Vec<u8> {
    let (w, h) = full.dimensions();
    let mut out = Vec::new();
    for by in 0..h.div_ceil(s) {
        for bx in 0..w.div_ceil(s) {
            let mut sum = [0u32; 3];
            let mut n = 0;
            for y in by * s..((by + 1) * s).min(h) {
                for x in bx * s..((bx + 1) * s).min(w) {
                    let p = full.get_pixel(x, y).0;
                    for c in 0..3 {
                        sum[c] += u32::from(p[c]);
                    }
                    n += 1;
                }
            }
            out.extend(sum[..channels].iter().map(|v| ((v + n / 2) / n) as u8));
        }
    }
    out
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

/// Four distinct corner colours, so any wrong turn or flip shows.
const QUAD: [Rgb; 4] = [RED, GREEN, BLUE, WHITE];

mod bad_input;
mod big_inputs;
mod colour;
mod formats;
mod orientation;
mod quality;
mod reduced_jpeg;
mod store;
mod stripping;
mod webp_rows;
