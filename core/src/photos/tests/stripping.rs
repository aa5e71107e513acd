//! No metadata survives: no EXIF, GPS, XMP, ICC or comments.

use super::*;

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
