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

/// The VP8 chunk's payload, as the row path reads it.
fn vp8_payload(data: &[u8]) -> &[u8] {
    let at = data
        .windows(4)
        .position(|w| w == b"VP8 ")
        .expect("a VP8 chunk");
    let size = u32::from_le_bytes(data[at + 4..at + 8].try_into().unwrap()) as usize;
    &data[at + 8..at + 8 + size]
}

#[test]
fn the_row_by_row_vp8_decoder_gives_the_same_planes_as_image_webps_whole_frame() {
    use image_webp::vp8::Vp8Decoder as FrameDecoder;
    use sentra_vp8::Vp8Decoder as RowDecoder;
    // 320x240: whole macroblocks, 15 rows of them; 333x251: partial ones at the right and the
    // bottom; 96x64 (with and without an alpha chunk beside it): four rows.
    for name in ["lossy-320", "lossy-333x251", "lossy", "lossy-alpha"] {
        let data = match name {
            "lossy-320" => fixture!("lossy-320.webp"),
            "lossy-333x251" => fixture!("lossy-333x251.webp"),
            "lossy" => fixture!("lossy.webp"),
            _ => fixture!("lossy-alpha.webp"),
        };
        let payload = vp8_payload(&data);
        let frame = FrameDecoder::decode_frame(std::io::Cursor::new(payload)).unwrap();
        let (w, h) = (usize::from(frame.width), usize::from(frame.height));
        let (stride, chroma_stride) = (w.div_ceil(16) * 16, w.div_ceil(16) * 8);
        let mut lines = 0;
        RowDecoder::decode_rows(std::io::Cursor::new(payload), |rows| {
            assert_eq!((rows.width, rows.height), (w, h), "{name}");
            assert_eq!(rows.first_line, lines, "{name}: rows in order");
            for line in 0..rows.lines {
                let y = rows.first_line + line;
                assert_eq!(
                    rows.y[line * rows.luma_stride..][..w],
                    frame.ybuf[y * stride..][..w],
                    "{name}: luma line {y}"
                );
                let (ours, theirs) = (line / 2 * rows.chroma_stride, y / 2 * chroma_stride);
                let cw = w.div_ceil(2);
                assert_eq!(
                    rows.u[ours..][..cw],
                    frame.ubuf[theirs..][..cw],
                    "{name}: U line {y}"
                );
                assert_eq!(
                    rows.v[ours..][..cw],
                    frame.vbuf[theirs..][..cw],
                    "{name}: V line {y}"
                );
            }
            lines += rows.lines;
            Ok(())
        })
        .unwrap();
        assert_eq!(lines, h, "{name}: every line handed over");
    }
}

/// Every luma line of a VP8 payload, decoded row by row with the loop filter on or off.
fn luma_lines(payload: &[u8], loop_filter: bool) -> Vec<u8> {
    let mut luma = Vec::new();
    sentra_vp8::Vp8Decoder::decode_rows_with(std::io::Cursor::new(payload), loop_filter, |rows| {
        for line in 0..rows.lines {
            luma.extend_from_slice(&rows.y[line * rows.luma_stride..][..rows.width]);
        }
        Ok(())
    })
    .unwrap();
    luma
}

#[test]
fn without_the_loop_filter_the_rows_are_the_frame_before_deblocking() {
    // The reduced path skips VP8's deblocking: the rows differ from the filtered frame (the
    // filter did run on this file) only by what the filter smooths at the block edges.
    let data = fixture!("lossy-320.webp");
    let payload = vp8_payload(&data);
    let (filtered, unfiltered) = (luma_lines(payload, true), luma_lines(payload, false));
    assert_eq!(filtered.len(), 320 * 240);
    assert_eq!(unfiltered.len(), filtered.len());
    assert_ne!(filtered, unfiltered, "the loop filter changes this file");
    let db = psnr(&unfiltered, &filtered);
    assert!(
        db >= 35.0,
        "{db:.1} dB between the unfiltered and filtered luma"
    );
}

#[test]
fn a_vp8_frame_of_another_size_than_its_container_is_refused() {
    // A RIFF header that says 320x240 in VP8X, with the VP8 chunk of the 96x64 file: the rows
    // would not fit the boxes made for the container's size.
    let small = fixture!("lossy.webp");
    let payload = vp8_payload(&small).to_vec();
    let mut vp8x = b"VP8X".to_vec();
    vp8x.extend_from_slice(&10u32.to_le_bytes());
    vp8x.extend_from_slice(&[0, 0, 0, 0]);
    vp8x.extend_from_slice(&(320u32 - 1).to_le_bytes()[..3]);
    vp8x.extend_from_slice(&(240u32 - 1).to_le_bytes()[..3]);
    let mut body = b"WEBP".to_vec();
    body.extend_from_slice(&vp8x);
    body.extend_from_slice(b"VP8 ");
    body.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    body.extend_from_slice(&payload);
    if payload.len() % 2 == 1 {
        body.push(0);
    }
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend_from_slice(&body);
    let e = process_with_edges(&file, &Limits::default(), 80, 40).unwrap_err();
    assert_eq!(e.code(), "truncated_image");
}
