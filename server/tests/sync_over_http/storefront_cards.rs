//! The catalogue's cards as a phone on a prepaid plan gets them: each card's photo is its own
//! square copy (`/foto/{hash}/kartu`, the centre of the photo, made once with the core's
//! pipeline and kept with the photos on either backend), asked for by the grid's inline script
//! (allowed by its hash in the page's policy) or, without JavaScript, by a lazy `<img>`.

use super::*;
use base64::Engine;
use sha2::{Digest, Sha256};

on_both_backends!(
    a_card_gets_the_centre_square_of_its_photo_made_once_and_kept_with_the_photos,
    the_catalogue_and_a_shop_allow_their_card_script_by_its_hash_only,
);

/// A consenting producer, signed in on a phone.
async fn seller(server: &Server, phone_no: &str) -> (Phone, Id) {
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer("Konveksi Rowosari", phone_no))
        .unwrap();
    account(server, phone_no, "135790", Role::Producer, Some(me)).await;
    sign_in(server, &mut phone, phone_no, "135790").await;
    (phone, me)
}

/// A landscape photo whose middle is blue with detail in it (its own for each `seed`: photos
/// are stored by content) and whose left and right bands, which a square card would hide,
/// are red.
fn banded_photo(phone: &Phone, file: &str, seed: u32) -> std::path::PathBuf {
    let (width, height) = (1600u32, 1200u32);
    let band = (width - height) / 2;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        if x < band || x >= band + height {
            image::Rgb([230, 20, 20])
        } else {
            let v = (x.wrapping_mul(7_919) ^ y.wrapping_mul(104_729) ^ seed.wrapping_mul(31_337))
                .wrapping_mul(2_654_435_761);
            image::Rgb([
                (v >> 28) as u8,
                60 + ((y / 9) % 60) as u8,
                170 + (v >> 27) as u8,
            ])
        }
    });
    let path = phone._dir.path().join(file);
    picture.save(&path).unwrap();
    path
}

/// Pixels of a JPEG that are red rather than blue.
fn red_pixels(jpeg: &[u8]) -> usize {
    let img = image::load_from_memory(jpeg).unwrap().to_rgb8();
    img.pixels().filter(|p| p[0] > p[2]).count()
}

async fn a_card_gets_the_centre_square_of_its_photo_made_once_and_kept_with_the_photos(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me) = seller(&server, "0812-7100-1001").await;
    let jeans = phone
        .sentra
        .create_product(&product(me, "Celana Jeans Rowosari", 9))
        .unwrap();
    let draft = phone
        .sentra
        .create_product(&NewProduct {
            status: "draft".into(),
            ..product(me, "Jeans belum jadi", 1)
        })
        .unwrap();
    let photo = phone
        .sentra
        .add_photo(jeans, &banded_photo(&phone, "jeans.png", 1))
        .unwrap();
    let hidden = phone
        .sentra
        .add_photo(draft, &banded_photo(&phone, "belum-jadi.png", 2))
        .unwrap();
    sync(&server, &phone).await;
    let hash = &photo.hash;

    let html = get(&server, "/").await.text().await.unwrap();
    assert!(
        html.contains(&format!("src=\"/foto/{hash}/kartu\"")),
        "the card shows its card copy: {html}"
    );
    assert!(!html.contains(&format!("/foto/{hash}/160")));

    let display = get(&server, &format!("/foto/{hash}"))
        .await
        .bytes()
        .await
        .unwrap();
    let product_copy = get(&server, &format!("/foto/{hash}/400"))
        .await
        .bytes()
        .await
        .unwrap();
    let response = get(&server, &format!("/foto/{hash}/kartu")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        etag,
        format!("\"{hash}-kartu-240-q40\""),
        "the tag names the settings"
    );
    let card = response.bytes().await.unwrap();
    sentra_server::photos::check_clean_jpeg(&card).unwrap();
    let decoded = image::load_from_memory(&card).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (240, 240), "a square");
    assert!(red_pixels(&display) > 0, "the photo has its bands");
    assert_eq!(
        red_pixels(&card),
        0,
        "the card copy is the photo's centre, bands cut"
    );
    assert!(
        card.len() < product_copy.len(),
        "{} B, the 400 px copy {} B",
        card.len(),
        product_copy.len()
    );

    let path = format!("/foto/{hash}/kartu");
    let key = sentra_server::photos::card_key(hash);
    assert_copy_kept(&server, key, &path, &card, &etag).await;

    // Only for listed products' photos, and only this kind name.
    assert_eq!(
        get(&server, &format!("/foto/{}/kartu", hidden.hash))
            .await
            .status(),
        404
    );
    assert_eq!(
        get(&server, &format!("/foto/{hash}/Kartu")).await.status(),
        404
    );
    assert_eq!(get(&server, "/foto/not-a-hash/kartu").await.status(), 400);
}

/// The inline script of a page, and the `script-src` its answer allows.
async fn script_and_policy(server: &Server, path: &str) -> (String, String, String) {
    let response = get(server, path).await;
    assert_eq!(response.status(), 200, "{path}");
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    let script = html
        .split("<script>")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap_or_else(|| panic!("no inline script in {path}"))
        .to_owned();
    (script, policy, html)
}

async fn the_catalogue_and_a_shop_allow_their_card_script_by_its_hash_only(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me) = seller(&server, "0812-7100-2002").await;
    // Three products with photos: the newest two load with the page, the oldest waits for the
    // script (or, without JavaScript, for a lazy image).
    let mut hashes = Vec::new();
    for (i, name) in ["Sarung Tenun", "Kemeja Batik", "Celana Jeans"]
        .iter()
        .enumerate()
    {
        let id = phone.sentra.create_product(&product(me, name, 5)).unwrap();
        let file = banded_photo(&phone, &format!("p{i}.png"), i as u32 + 10);
        hashes.push(phone.sentra.add_photo(id, &file).unwrap().hash);
    }
    sync(&server, &phone).await;
    assert_eq!(
        hashes
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        3,
        "three photos"
    );

    for path in ["/".to_owned(), format!("/toko/{me}")] {
        let (script, policy, html) = script_and_policy(&server, &path).await;
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&script));
        assert!(
            policy.contains(&format!("script-src 'sha256-{digest}'")),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline'; script") && !policy.contains("unsafe-eval"));
        assert!(policy.starts_with("default-src 'none'"), "{policy}");
        assert_eq!(html.matches("<script>").count(), 1, "{path}: one script");
        assert!(script.contains("IntersectionObserver"));
        // The oldest card waits for the script, with its lazy image for no JavaScript.
        let oldest = &hashes[0];
        assert!(
            html.contains(&format!(
                "<span class=\"ph\" data-src=\"/foto/{oldest}/kartu\" data-alt=\"Sarung Tenun\"></span>"
            )),
            "{path}: {html}"
        );
        assert!(html.contains(&format!(
            "<noscript><img src=\"/foto/{oldest}/kartu\" alt=\"Sarung Tenun\" width=\"240\" height=\"240\" loading=\"lazy\" decoding=\"async\"></noscript>"
        )));
        // The newest two load with the page.
        for newest in &hashes[1..] {
            assert!(html.contains(&format!("<img src=\"/foto/{newest}/kartu\"")));
        }
    }
    // A page without cards keeps the policy with no script at all.
    let status = get(&server, "/pesanan").await;
    let policy = status.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(!policy.contains("script-src"), "{policy}");
}
