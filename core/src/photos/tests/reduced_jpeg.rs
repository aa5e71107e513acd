//! JPEGs decoded at 1/2, 1/4 and 1/8 size from only the coefficients that size uses (#17),
//! against a full decode of the same file by another decoder (`image`'s zune-jpeg) and against
//! `jpeg-decoder`'s own scaled decode.
//! The fixtures are libjpeg-turbo progressive files as vips writes them: successive
//! approximation (DC and AC refinement scans), 4:2:0, 4:4:4 with restart markers, and grey.

use super::super::reduced_jpeg;
use super::*;

fn fixtures() -> [(&'static str, Vec<u8>); 3] {
    [
        ("4:2:0", fixture!("progressive-420.jpg")),
        (
            "4:4:4 with restarts",
            fixture!("progressive-444-restarts.jpg"),
        ),
        ("grey", fixture!("progressive-grey.jpg")),
    ]
}

#[test]
fn progressive_jpeg_at_reduced_size_matches_a_full_decode_averaged() {
    for (name, data) in fixtures() {
        let full = decode_rgb(&data);
        for s in [2u32, 4, 8] {
            let decoded = reduced_jpeg::decode(&data, (8 / s) as usize, size_of(&data))
                .unwrap()
                .unwrap_or_else(|| panic!("{name}: must be read at reduced size, not left over"));
            let px = decoded.pixels;
            assert_eq!((px.width, px.height), (320 / s, 240 / s), "{name} 1/{s}");
            let channels = if name == "grey" { 1 } else { 3 };
            assert_eq!(px.channels, channels, "{name}");
            let want = box_average(&full, s, channels);
            let db = psnr(&px.data, &want);
            // The reduced IDCT drops the high frequencies a box filter keeps a little of, and
            // 4:2:0 chroma is replicated rather than interpolated: ~30-40 dB on this picture.
            assert!(
                db >= 28.0,
                "{name} at 1/{s}: {db:.1} dB against the full decode"
            );
        }
    }
}

#[test]
fn progressive_jpeg_through_the_pipeline_matches_the_full_decode_resized() {
    for (name, data) in fixtures() {
        let full = decode_rgb(&data);
        // 160 -> the 1/2 DCT scale, 80 -> 1/4 (the short edge must stay >= 32 px).
        for edge in [160, 80] {
            let p = process_with_edges(&data, &Limits::default(), edge, 40).unwrap();
            let (dw, dh) = (p.display.width, p.display.height);
            assert_eq!((dw, dh), (edge, edge * 3 / 4), "{name}");
            let reference =
                image::imageops::resize(&full, dw, dh, image::imageops::FilterType::Lanczos3);
            let ours = decode_rgb(&p.display.bytes);
            let db = psnr(ours.as_raw(), reference.as_raw());
            assert!(db >= 28.0, "{name} at {edge} px: {db:.1} dB");
        }
    }
}

#[test]
fn baseline_jpeg_at_reduced_size_agrees_with_jpeg_decoders_scaled_decode() {
    let src = natural_rgb(320, 240);
    for sampling in [
        SamplingFactor::R_4_2_0,
        SamplingFactor::R_4_4_4,
        SamplingFactor::R_4_2_2,
    ] {
        for restart in [0, 5] {
            let mut data = Vec::new();
            let mut enc = Encoder::new(&mut data, 90);
            enc.set_sampling_factor(sampling);
            enc.set_restart_interval(restart);
            enc.encode(src.as_raw(), 320, 240, ColorType::Rgb).unwrap();
            for s in [2u32, 4, 8] {
                let ours = reduced_jpeg::decode(&data, (8 / s) as usize, size_of(&data))
                    .unwrap()
                    .expect("a baseline YCbCr JPEG is read at reduced size")
                    .pixels;
                assert_eq!((ours.width, ours.height), (320 / s, 240 / s));
                let mut dec = jpeg_decoder::Decoder::new(&data[..]);
                dec.scale((320 / s) as u16, (240 / s) as u16).unwrap();
                let theirs = dec.decode().unwrap();
                let db = psnr(&ours.data, &theirs);
                assert!(
                    db >= 45.0,
                    "{sampling:?} restart {restart} at 1/{s}: {db:.1} dB against jpeg-decoder"
                );
            }
        }
    }
}

#[test]
fn a_cmyk_jpeg_is_left_to_jpeg_decoder() {
    assert!(
        reduced_jpeg::decode(&fixture!("cmyk.jpg"), 4, size_of(&fixture!("cmyk.jpg")))
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_progressive_jpeg_cut_short_is_truncated_at_reduced_size() {
    let data = fixture!("progressive-420.jpg");
    for cut in [data.len() / 3, data.len() / 2, data.len() - 3] {
        let e = process_with_edges(&data[..cut], &Limits::default(), 80, 40).unwrap_err();
        assert_eq!(e.code(), "truncated_image", "cut at {cut}");
    }
}

#[test]
fn progressive_jpeg_at_reduced_size_agrees_with_jpeg_decoders_scaled_decode() {
    for (name, data) in fixtures() {
        for s in [2u32, 4, 8] {
            let ours = reduced_jpeg::decode(&data, (8 / s) as usize, size_of(&data))
                .unwrap()
                .unwrap()
                .pixels;
            let mut dec = jpeg_decoder::Decoder::new(&data[..]);
            dec.scale((320 / s) as u16, (240 / s) as u16).unwrap();
            let theirs = dec.decode().unwrap();
            let db = psnr(&ours.data, &theirs);
            assert!(
                db >= 45.0,
                "{name} at 1/{s}: {db:.1} dB against jpeg-decoder"
            );
        }
    }
}

/// The frame size the header parser reads, as the pipeline hands it to the decoder.
fn size_of(data: &[u8]) -> (u32, u32) {
    let h = super::super::sniff::read_header(data).unwrap();
    (h.width, h.height)
}

#[test]
fn damaged_jpegs_give_an_error_or_a_picture_never_a_panic() {
    // Deterministic byte damage to every fixture and a baseline file, read at every reduced
    // scale straight through the decoder (no catch_unwind in between).
    let mut baseline = Vec::new();
    let mut enc = Encoder::new(&mut baseline, 90);
    enc.set_restart_interval(4);
    let src = natural_rgb(96, 64);
    enc.encode(src.as_raw(), 96, 64, ColorType::Rgb).unwrap();
    let mut files: Vec<Vec<u8>> = fixtures().into_iter().map(|(_, d)| d).collect();
    files.push(baseline);
    let mut seed: u32 = 17;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) as usize % n
    };
    let mut outcomes = [0usize; 3]; // picture, refused, left to jpeg-decoder
    for data in &files {
        let size = size_of(data);
        for _ in 0..150 {
            let mut d = data.clone();
            for _ in 0..1 + next(4) {
                let at = next(d.len());
                d[at] = match next(3) {
                    0 => 0xFF,
                    1 => 0x00,
                    _ => next(256) as u8,
                };
            }
            if next(4) == 0 {
                d.truncate(next(d.len()));
            }
            for n in [4, 3, 2, 1] {
                match reduced_jpeg::decode(&d, n, size) {
                    Ok(Some(p)) => {
                        let px = p.pixels;
                        assert_eq!(px.data.len(), (px.width * px.height) as usize * px.channels);
                        outcomes[0] += 1;
                    }
                    Err(e) => {
                        assert!(matches!(e, PhotoError::Truncated), "{e:?}");
                        outcomes[1] += 1;
                    }
                    Ok(None) => outcomes[2] += 1,
                }
            }
        }
    }
    // Both outcomes happen: damage inside scan data still decodes, damage to headers refuses.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

#[test]
fn baseline_jpeg_at_three_eighths_matches_a_full_decode_resized() {
    // 3/8 (a 12 MP photo's 4000 px long edge to 1500 px) is no power of two: neither
    // jpeg-decoder nor a box average makes it, so the full decode resized with a triangle filter
    // (close to the area average a reduced IDCT approximates) is the reference.
    let src = natural_rgb(320, 240);
    for sampling in [SamplingFactor::R_4_2_0, SamplingFactor::R_4_4_4] {
        let mut data = Vec::new();
        let mut enc = Encoder::new(&mut data, 90);
        enc.set_sampling_factor(sampling);
        enc.encode(src.as_raw(), 320, 240, ColorType::Rgb).unwrap();
        let ours = reduced_jpeg::decode(&data, 3, size_of(&data))
            .unwrap()
            .expect("a baseline YCbCr JPEG is read at 3/8")
            .pixels;
        assert_eq!((ours.width, ours.height), (120, 90), "{sampling:?}");
        let full = decode_rgb(&data);
        let want = image::imageops::resize(&full, 120, 90, image::imageops::FilterType::Triangle);
        let db = psnr(&ours.data, want.as_raw());
        assert!(db >= 30.0, "{sampling:?}: {db:.1} dB at 3/8");
    }
}
