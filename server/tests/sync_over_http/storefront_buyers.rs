//! The buyers' storefront as a phone on 2G meets it: product photos in copies that fit the
//! screen (made once with the core's pipeline and kept with the photos, on either backend),
//! search ranked by relevance with a count, a producer's shop with Open Graph tags and a
//! WhatsApp link, tier names in the order form, a description and a favicon.

use super::*;

on_both_backends!(
    a_listed_photo_is_served_in_copies_that_fit_made_once_and_kept_with_the_photos,
    a_search_lists_the_best_match_first_and_says_how_many_match,
    a_producers_shop_lists_what_they_sell_and_unfolds_into_a_card_when_shared,
    the_order_form_names_the_tiers_and_a_single_variant_needs_no_table,
);

async fn page(server: &Server, path: &str) -> (u16, String) {
    let response = get(server, path).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The `content` of `<meta property|name="key" content="…">` in a page.
fn meta(html: &str, key: &str) -> Option<String> {
    let at = html
        .find(&format!("property=\"{key}\""))
        .or_else(|| html.find(&format!("name=\"{key}\"")))?;
    let rest = &html[at..];
    let value = rest.split("content=\"").nth(1)?;
    Some(value[..value.find('"')?].replace("&amp;", "&"))
}

/// A consenting producer with products listed from a phone, synced.
async fn seller(server: &Server, name: &str, phone_no: &str) -> (Phone, Id) {
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&producer(name, phone_no))
        .unwrap();
    account(server, phone_no, "135790", Role::Producer, Some(me)).await;
    sign_in(server, &mut phone, phone_no, "135790").await;
    (phone, me)
}

/// A photo with detail in it (a smooth gradient would make every copy tiny).
fn detailed_photo(phone: &Phone, file: &str, width: u32, height: u32) -> std::path::PathBuf {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let v = (x.wrapping_mul(7_919) ^ y.wrapping_mul(104_729)).wrapping_mul(2_654_435_761);
        image::Rgb([
            ((x / 7) % 256) as u8 ^ (v >> 28) as u8,
            ((y / 5) % 256) as u8,
            (v >> 24) as u8 / 4,
        ])
    });
    let path = phone._dir.path().join(file);
    picture.save(&path).unwrap();
    path
}

async fn a_listed_photo_is_served_in_copies_that_fit_made_once_and_kept_with_the_photos(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me) = seller(&server, "Konveksi Rowosari", "0812-7000-1001").await;
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
    let source = detailed_photo(&phone, "jeans.png", 2000, 1500);
    let photo = phone.sentra.add_photo(jeans, &source).unwrap();
    let other = detailed_photo(&phone, "belum-jadi.png", 900, 1200);
    let hidden = phone.sentra.add_photo(draft, &other).unwrap();
    sync(&server, &phone).await;

    // The product page offers copies that fit, never the 1280 px photo itself in the page.
    let (status, html) = page(&server, &format!("/p/{jeans}")).await;
    assert_eq!(status, 200);
    let hash = &photo.hash;
    assert!(
        html.contains(&format!("/foto/{hash}/400 400w, /foto/{hash}/640 640w")),
        "srcset in {html}"
    );
    assert!(html.contains(&format!(
        "<source media=\"(max-width: 40rem)\" srcset=\"/foto/{hash}/400\">"
    )));
    let display = get(&server, &format!("/foto/{hash}"))
        .await
        .bytes()
        .await
        .unwrap();

    let mut sizes = Vec::new();
    for (edge, expected) in [(400, (400, 300)), (640, (640, 480)), (160, (160, 120))] {
        let response = get(&server, &format!("/foto/{hash}/{edge}")).await;
        assert_eq!(response.status(), 200, "copy {edge}");
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(etag, format!("\"{hash}-{edge}\""));
        let bytes = response.bytes().await.unwrap();
        // Made by the core's pipeline: upright, a clean JFIF JPEG of the expected size.
        sentra_server::photos::check_clean_jpeg(&bytes).unwrap();
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), expected, "copy {edge}");
        assert!(
            bytes.len() < display.len(),
            "copy {edge} is smaller than the photo"
        );
        sizes.push(bytes.len());
        let path = format!("/foto/{hash}/{edge}");
        let key = sentra_server::photos::copy_key(hash, edge);
        assert_copy_kept(&server, key, &path, &bytes, &etag).await;
    }
    assert!(sizes[2] < sizes[0] && sizes[0] < sizes[1], "{sizes:?}");

    // Only the sizes the storefront uses, and only photos of listed products.
    assert_eq!(
        get(&server, &format!("/foto/{hash}/500")).await.status(),
        404
    );
    assert_eq!(
        get(&server, &format!("/foto/{hash}/abc")).await.status(),
        404
    );
    assert_eq!(
        get(&server, &format!("/foto/{}/400", hidden.hash))
            .await
            .status(),
        404
    );
    assert_eq!(get(&server, "/foto/not-a-hash/400").await.status(), 400);
}

async fn a_search_lists_the_best_match_first_and_says_how_many_match(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me) = seller(&server, "Sentra Rowosari", "0812-7000-2002").await;
    phone
        .sentra
        .create_product(&NewProduct {
            description: "Jeans denim biru, jahitan rapi".into(),
            ..product(me, "Celana Jeans Rowosari", 5)
        })
        .unwrap();
    // Newer, and mentions jeans only in passing.
    phone
        .sentra
        .create_product(&NewProduct {
            description: "Cocok dipakai dengan jeans".into(),
            category: "Sarung".into(),
            ..product(me, "Sarung Tenun Pemalang", 5)
        })
        .unwrap();
    phone
        .sentra
        .create_product(&product(me, "Kemeja Batik", 5))
        .unwrap();
    sync(&server, &phone).await;

    let (_, found) = page(&server, "/?q=jeans").await;
    let (jeans, sarung) = (
        found.find("Celana Jeans Rowosari").unwrap(),
        found.find("Sarung Tenun Pemalang").unwrap(),
    );
    assert!(jeans < sarung, "the jeans come first");
    assert!(found.contains("2 produk ditemukan"), "{found}");
    assert!(!found.contains("Kemeja Batik"));

    // Under a filter the heading says what is shown, and how many.
    let (_, sarongs) = page(&server, "/?kategori=Sarung&kabupaten=3327&provinsi=33").await;
    assert!(
        sarongs.contains("<h1>Produk: Sarung · Kabupaten Pemalang</h1>"),
        "{sarongs}"
    );
    assert!(sarongs.contains("1 produk ditemukan"));
    assert!(!sarongs.contains("Produk terbaru"));
    let (_, english) = page(&server, "/?kategori=Sarung&lang=en").await;
    assert!(english.contains("<h1>Products: Sarung</h1>") && english.contains("1 product found"));
    // The first page, unfiltered, stays "Produk terbaru", with no count.
    let (_, home) = page(&server, "/").await;
    assert!(home.contains("<h1>Produk terbaru</h1>") && !home.contains("ditemukan"));
    // The filters are folded away, and every page describes itself.
    assert!(home.contains("<details class=\"filters\">"));
    assert!(meta(&home, "description").is_some_and(|d| d.contains("UMKM")));
}

async fn a_producers_shop_lists_what_they_sell_and_unfolds_into_a_card_when_shared(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me) = seller(&server, "Gula Kristal Bu Sri", "0812-7000-3003").await;
    let gula = phone
        .sentra
        .create_product(&NewProduct {
            unit: "kg".into(),
            price: 15_000,
            ..product(me, "Gula Kristal Banyumas", 50)
        })
        .unwrap();
    phone
        .sentra
        .create_product(&product(me, "Gula Semut Aren", 20))
        .unwrap();
    phone
        .sentra
        .create_product(&NewProduct {
            status: "draft".into(),
            ..product(me, "Gula percobaan", 1)
        })
        .unwrap();
    let source = detailed_photo(&phone, "gula.png", 1200, 900);
    let photo = phone.sentra.add_photo(gula, &source).unwrap();
    // A producer who never consented to publication has no shop.
    let hidden = phone
        .sentra
        .register_producer(&NewProducer {
            consent_publish: false,
            consent_date: None,
            ..producer("Belum Setuju", "0812-7000-3004")
        })
        .unwrap();
    sync(&server, &phone).await;
    let base = &server.url;

    let (status, shop) = page(&server, &format!("/toko/{me}")).await;
    assert_eq!(status, 200);
    assert!(shop.contains("<h1>Gula Kristal Bu Sri</h1>"));
    assert!(shop.contains("Gula Kristal Banyumas") && shop.contains("Gula Semut Aren"));
    assert!(!shop.contains("Gula percobaan"), "no drafts");
    assert!(shop.contains("2 produk") && !shop.contains("0812") && !shop.contains("Rowosari"));
    let url = format!("{base}/toko/{me}");
    assert_eq!(meta(&shop, "og:url").as_deref(), Some(url.as_str()));
    assert_eq!(
        meta(&shop, "og:image"),
        Some(format!("{base}/foto/{}/640", photo.hash))
    );
    assert!(
        meta(&shop, "og:title")
            .unwrap()
            .starts_with("Gula Kristal Bu Sri")
    );
    let text = format!("Lihat produk Gula Kristal Bu Sri di Sentra: {url}");
    assert!(shop.contains(&format!(
        "href=\"https://wa.me/?text={}\"",
        sentra_server::web::catalogue::url_encode(&text)
            .replace('+', "%20")
            .replace('&', "&amp;")
    )));
    assert_eq!(page(&server, &format!("/toko/{hidden}")).await.0, 404);
    assert_eq!(page(&server, "/toko/bukan-id").await.0, 404);

    // The product page: a card with the name, price and photo, all absolute, and the shop linked.
    let (_, product_page) = page(&server, &format!("/p/{gula}")).await;
    assert_eq!(
        meta(&product_page, "og:title").as_deref(),
        Some("Gula Kristal Banyumas — Rp 15.000 / kg")
    );
    assert_eq!(
        meta(&product_page, "product:price:amount").as_deref(),
        Some("15000")
    );
    assert_eq!(
        meta(&product_page, "og:url"),
        Some(format!("{base}/p/{gula}"))
    );
    let image = meta(&product_page, "og:image").unwrap();
    assert_eq!(image, format!("{base}/foto/{}/640", photo.hash));
    let card_photo = Client::new().get(&image).send().await.unwrap();
    assert_eq!(card_photo.status(), 200, "the card's photo is public");
    assert!(product_page.contains(&format!("href=\"/toko/{me}\"")));
    assert!(product_page.contains("https://wa.me/?text=Lihat%20Gula%20Kristal%20Banyumas%20"));
    assert!(
        meta(&product_page, "description")
            .unwrap()
            .contains("Rp 15.000 / kg")
    );

    // The icon browsers ask for.
    let icon = get(&server, "/favicon.ico").await;
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    assert!(icon.bytes().await.unwrap().starts_with(&[0, 0, 1, 0]));
}

async fn the_order_form_names_the_tiers_and_a_single_variant_needs_no_table(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me) = seller(&server, "Kaos Rowosari", "0812-7000-4004").await;
    let variant = |size: &str, colour: &str| NewVariant {
        options: vec![size.into(), colour.into()],
        initial_stock: 3,
        ..Default::default()
    };
    let kaos = phone
        .sentra
        .create_product(&NewProduct {
            tiers: vec!["Ukuran".into(), "Warna".into()],
            variants: vec![variant("M", "Merah"), variant("L", "Biru")],
            ..product(me, "Kaos Batik", 0)
        })
        .unwrap();
    let long_name = "Celana Jeans Rowosari Premium Denim Stretch Slimfit Warna Biru Dongker Tua";
    let single = phone
        .sentra
        .create_product(&product(me, long_name, 4))
        .unwrap();
    sync(&server, &phone).await;

    let (_, tiered) = page(&server, &format!("/p/{kaos}")).await;
    assert!(tiered.contains("<th>Ukuran / Warna</th>"), "{tiered}");
    assert!(tiered.contains("M / Merah") && tiered.contains("L / Biru"));
    let (_, plain) = page(&server, &format!("/p/{single}")).await;
    assert!(!plain.contains("<table"), "one variant, one quantity field");
    assert!(plain.contains("Jumlah (pcs)"));
    assert_eq!(
        plain.matches(long_name).count(),
        3,
        "the title, the heading and the link card's title; not again in the order form"
    );
}
