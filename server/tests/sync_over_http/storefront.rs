//! The storefront and cooperative pages as a browser without JavaScript uses them: plain GETs
//! and form POSTs, checking what a buyer sees (and never sees).

use super::*;
use reqwest::redirect::Policy;
use sentra_core::orders::{OrderTab, Transition};

on_both_backends!(
    a_buyer_searches_orders_from_a_form_and_follows_the_order,
    a_cooperative_splits_a_bulk_order_among_members_and_the_buyer_sees_it_roll_up,
);

/// A browser that does not follow redirects, so the test sees each `Location`.
fn browser() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

async fn get_page(server: &Server, path: &str) -> (u16, String) {
    let response = browser()
        .get(format!("{}{path}", server.url))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn post_form(
    server: &Server,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = browser().post(format!("{}{path}", server.url)).form(form);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

/// The value of a hidden or text input named `name` in a page.
fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..at + html[at..].find('>').unwrap()];
    let value = tag.split("value=\"").nth(1).unwrap_or("");
    value[..value.find('"').unwrap_or(0)].to_owned()
}

/// A seller with listed products (one named like a script, one with a photo) and a draft.
async fn shop(server: &Server, phone_no: &str) -> (Phone, Id, Vec<Id>) {
    let mut phone = unsigned_phone();
    let me = phone
        .sentra
        .register_producer(&NewProducer {
            address: "Jl. Rahasia 7, RT 02".into(),
            ..producer("Batik Tulis Rowosari", phone_no)
        })
        .unwrap();
    account(server, phone_no, "112233", Role::Producer, Some(me)).await;
    sign_in(server, &mut phone, phone_no, "112233").await;
    let batik = phone
        .sentra
        .create_product(&NewProduct {
            name: "Kain Batik Tulis Pewarna Alami".into(),
            min_order: 2,
            ..product(me, "", 6)
        })
        .unwrap();
    let script = phone
        .sentra
        .create_product(&product(me, "<script>alert(1)</script>", 4))
        .unwrap();
    let draft = phone
        .sentra
        .create_product(&NewProduct {
            status: "draft".into(),
            ..product(me, "Kain belum jadi", 1)
        })
        .unwrap();
    let picture = image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8])
    });
    let source = phone._dir.path().join("batik.png");
    picture.save(&source).unwrap();
    phone.sentra.add_photo(batik, &source).unwrap();
    let unfinished = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(y % 233) as u8, (x % 229) as u8, ((x * y) % 227) as u8])
    });
    let other = phone._dir.path().join("belum-jadi.png");
    unfinished.save(&other).unwrap();
    phone.sentra.add_photo(draft, &other).unwrap();
    sync(server, &phone).await;
    (phone, me, vec![batik, script, draft])
}

async fn a_buyer_searches_orders_from_a_form_and_follows_the_order(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, me, products) = shop(&server, "0812-6000-1000").await;
    let (batik, script, draft) = (products[0], products[1], products[2]);

    // The first page: both listed products, not the draft; the script is text; small.
    let (status, home) = get_page(&server, "/").await;
    assert_eq!(status, 200);
    assert!(home.contains("Kain Batik Tulis Pewarna Alami"));
    assert!(home.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!home.contains("<script>alert(1)"));
    assert!(!home.contains("Kain belum jadi"));
    assert!(
        home.len() <= 60 * 1024,
        "first page is {} bytes",
        home.len()
    );
    assert!(home.contains("loading=\"eager\"") && home.contains("lang=en"));

    // Search, in words a buyer types (prefixes, any case), and a filter by province.
    let (_, found) = get_page(&server, "/?q=BATIK+pewar").await;
    assert!(found.contains("Kain Batik Tulis") && !found.contains("alert(1)"));
    let (_, elsewhere) = get_page(&server, "/?q=batik&provinsi=35").await;
    assert!(!elsewhere.contains("Kain Batik Tulis"));
    let (_, here) = get_page(&server, "/?q=batik&provinsi=33&kabupaten=3327").await;
    assert!(here.contains("Kain Batik Tulis"));

    // The product page: the producer's regency, never their phone or address.
    let (status, page) = get_page(&server, &format!("/p/{batik}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Kabupaten Pemalang") && page.contains("Batik Tulis Rowosari"));
    // The phone in any form it could be written in; a shorter piece such as "6000" also turns
    // up by chance in the page's random ids and photo hashes.
    for phone_form in ["60001000", "6000-1000", "6000 1000"] {
        assert!(
            !page.contains(phone_form),
            "the page shows the phone: {phone_form}"
        );
    }
    assert!(!page.contains("Rahasia"));
    let (_, script_page) = get_page(&server, &format!("/p/{script}")).await;
    assert!(script_page.contains("&lt;script&gt;") && !script_page.contains("<script>alert"));
    assert_eq!(get_page(&server, &format!("/p/{draft}")).await.0, 404);
    assert_eq!(get_page(&server, "/p/not-an-id").await.0, 404);

    // A listed product's photo is public, cached for a year, and revalidates by ETag; a
    // draft's photo is not served.
    let photo = page.split("/foto/").nth(1).unwrap()[..64].to_owned();
    let response = browser()
        .get(format!("{}/foto/{photo}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let again = browser()
        .get(format!("{}/foto/{photo}", server.url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let draft_photo = phone.sentra.photos(draft).unwrap()[0].hash.clone();
    assert_eq!(
        get_page(&server, &format!("/foto/{draft_photo}")).await.0,
        404
    );
    assert_eq!(get_page(&server, "/foto/..%2F..%2Fserver.db").await.0, 400);

    // A bad form comes back with every problem under its field, and nothing is ordered.
    let variant = phone.sentra.product(batik).unwrap().variants[0].id;
    let quantity = format!("jumlah_{variant}");
    let key = input_value(&page, "key");
    let bad = post_form(
        &server,
        &format!("/p/{batik}/pesan"),
        None,
        &[
            ("key", &key),
            (&quantity, "-3"),
            ("nama", ""),
            ("hp", "12"),
            ("kabupaten", "Bandung"),
            ("alamat", "Jl. Kenanga 3"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let bad = bad.text().await.unwrap();
    for message in [
        "Jumlah tidak boleh negatif.",
        "Wajib diisi.",
        "Nomor HP tidak valid",
        "Kabupaten Bandung, Kota Bandung",
    ] {
        assert!(bad.contains(message), "missing {message:?}");
    }
    assert!(
        bad.contains(">Jl. Kenanga 3</textarea>"),
        "the form keeps what was typed"
    );

    // Below the minimum order: refused with the minimum named.
    let form = |qty: &'static str| {
        vec![
            ("key", key.clone()),
            (quantity.as_str(), qty.to_owned()),
            ("nama", "Bu Sari".to_owned()),
            ("hp", "0813 9000 4321".to_owned()),
            ("kabupaten", "banyumas".to_owned()),
            ("alamat", "Jl. Kenanga 3, Purwokerto".to_owned()),
            ("catatan", "<b>segera</b>".to_owned()),
        ]
    };
    let as_pairs = |f: &Vec<(&str, String)>| -> Vec<(String, String)> {
        f.iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let too_few = browser()
        .post(format!("{}/p/{batik}/pesan", server.url))
        .form(&as_pairs(&form("1")))
        .send()
        .await
        .unwrap();
    assert_eq!(too_few.status(), 422);
    assert!(too_few.text().await.unwrap().contains("minimal pesan 2"));

    // A good order, sent twice (a double tap): one order, one code.
    let mut codes = Vec::new();
    for _ in 0..2 {
        let placed = browser()
            .post(format!("{}/p/{batik}/pesan", server.url))
            .form(&as_pairs(&form("2")))
            .send()
            .await
            .unwrap();
        assert_eq!(placed.status(), 303);
        let location = placed.headers()["location"].to_str().unwrap().to_owned();
        codes.push(location);
    }
    assert_eq!(codes[0], codes[1]);
    let code = codes[0]
        .trim_start_matches("/pesanan/")
        .trim_end_matches("/terima-kasih")
        .to_owned();
    let (_, thanks) = get_page(&server, &codes[0]).await;
    assert!(thanks.contains(&code));

    // The producer's phone gets it, accepts it; the buyer sees "accepted".
    sync(&server, &phone).await;
    let orders = phone.sentra.orders(OrderTab::ToRespond, 0, 10).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].note, "<b>segera</b>");
    phone
        .sentra
        .transition_order(orders[0].id, &Transition::Accept)
        .unwrap();
    sync(&server, &phone).await;
    let (status, tracked) = get_page(&server, &format!("/pesanan?kode={code}&hp=4321")).await;
    assert_eq!(status, 200);
    assert!(tracked.contains("Diterima penjual"), "{tracked}");
    // With what was ordered, by name.
    assert!(
        tracked.contains("Kain Batik Tulis Pewarna Alami"),
        "{tracked}"
    );
    assert!(
        !tracked.contains("Kenanga"),
        "the status page shows no address"
    );
    let (status, wrong) = get_page(&server, &format!("/pesanan?kode={code}&hp=1234")).await;
    assert_eq!(status, 404);
    let (_, unknown) = get_page(&server, "/pesanan?kode=SNT-ZZZZZZZZ&hp=4321").await;
    // Wrong digits and a wrong code look the same: the same notice, nothing of the order.
    let notice = |page: &str| page[page.find("<p class=\"notice\"").unwrap()..].to_owned();
    assert_eq!(notice(&wrong), notice(&unknown));
    assert!(!wrong.contains("Status:") && !wrong.contains("Rp "));

    // English on request, remembered in a cookie; and from the browser's language.
    let english = browser()
        .get(format!(
            "{}/pesanan?kode={code}&hp=4321&lang=en",
            server.url
        ))
        .send()
        .await
        .unwrap();
    assert!(
        english.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("lang=en")
    );
    assert!(
        english
            .text()
            .await
            .unwrap()
            .contains("Accepted by the seller")
    );
    let by_header = browser()
        .get(format!("{}/", server.url))
        .header("accept-language", "en-GB,en;q=0.9,id;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(by_header.contains("Newest products"));

    // Compressed for a browser that accepts it.
    let compressed = browser()
        .get(format!("{}/", server.url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    assert!(compressed.bytes().await.unwrap().len() < home.len() / 2);
    let _ = me;
}

async fn a_cooperative_splits_a_bulk_order_among_members_and_the_buyer_sees_it_roll_up(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (one, first, _) = shop(&server, "0812-6000-2000").await;
    let (two, second, _) = shop(&server, "0812-6000-3000").await;
    let (_, outsider, _) = shop(&server, "0812-6000-4000").await;

    // The server's admin makes the cooperative with two members and its admin account.
    let state = server.state.clone();
    let admin_login = "admin.koperasi";
    account(
        &server,
        admin_login,
        "kata-sandi-koperasi",
        Role::CooperativeAdmin,
        None,
    )
    .await;
    let organisation = tokio::task::spawn_blocking(move || {
        let replica = state.replica().unwrap();
        let user = state.user_id(admin_login).unwrap();
        replica
            .act(|core| {
                let id =
                    core.create_organisation("cooperative", "Koperasi Batik Pemalang", "3327")?;
                core.add_member(id, first)?;
                core.add_member(id, second)?;
                core.add_admin(id, user)?;
                Ok(id)
            })
            .unwrap()
    })
    .await
    .unwrap();

    // Its public page shows members' products, and the catalogue filters by it.
    let (status, public) = get_page(&server, &format!("/koperasi/{organisation}")).await;
    assert_eq!(status, 200);
    assert!(public.contains("Koperasi Batik Pemalang") && public.contains("Kain Batik Tulis"));
    let (_, filtered) = get_page(&server, &format!("/?koperasi={organisation}")).await;
    assert!(filtered.contains("Kain Batik Tulis"));
    let _ = outsider;

    // A buyer asks for 20 pieces; a bad quantity is refused first.
    let key = input_value(&public, "key");
    let mut form = vec![
        ("key", key.as_str()),
        ("permintaan", "Kain batik tulis untuk seragam dinas"),
        ("jumlah", "0"),
        ("satuan", "lembar"),
        ("nama", "Dinas Koperasi Kab. Banyumas"),
        ("hp", "0281-555-9876"),
        ("kabupaten", "Banyumas"),
        ("alamat", "Jl. Pemuda 1, Purwokerto"),
    ];
    let path = format!("/koperasi/{organisation}/pesan-partai");
    let refused = post_form(&server, &path, None, &form).await;
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Angka di luar batas")
    );
    form[2] = ("jumlah", "20");
    let sent = post_form(&server, &path, None, &form).await;
    assert_eq!(sent.status(), 303);
    let code = sent.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/pesanan/")
        .trim_end_matches("/terima-kasih")
        .to_owned();
    assert!(code.starts_with("KOP-"));
    let status_path = format!("/pesanan?kode={code}&hp=9876");
    let (_, waiting) = get_page(&server, &status_path).await;
    assert!(waiting.contains("sedang dibagi ke anggota"), "{waiting}");

    // The admin pages need the cooperative's admin: anonymous goes to sign in.
    let admin_path = format!("/koperasi/{organisation}/permintaan/{code}");
    let anonymous = browser()
        .get(format!("{}{admin_path}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 303);
    let signed = post_form(
        &server,
        "/masuk",
        None,
        &[("login", admin_login), ("secret", "kata-sandi-koperasi")],
    )
    .await;
    let cookie = signed.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = browser()
        .get(format!("{}{admin_path}", server.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Kain batik tulis untuk seragam dinas"));

    // Split: 12 to the first member, 8 to the second.
    let variant_of = |phone: &Phone, name: &str| {
        let summary = phone
            .sentra
            .list_products(&sentra_core::catalogue::listing::ProductQuery {
                search: Some(name.into()),
                limit: 5,
                ..Default::default()
            })
            .unwrap();
        phone.sentra.product(summary[0].id).unwrap().variants[0].id
    };
    let (v1, v2) = (variant_of(&one, "pewarna"), variant_of(&two, "pewarna"));
    let csrf = input_value(&page, "csrf");
    let (f1, f2) = (format!("alok_{v1}"), format!("alok_{v2}"));
    let allocated = post_form(
        &server,
        &admin_path,
        Some(&cookie),
        &[("csrf", &csrf), (&f1, "12"), (&f2, "8")],
    )
    .await;
    assert_eq!(allocated.status(), 303);
    // Without the form token, nothing happens.
    let forged = post_form(&server, &admin_path, Some(&cookie), &[(&f1, "99")]).await;
    assert_eq!(forged.status(), 400);

    // Each member's phone gets its part as a cooperative order.
    for (phone, quantity) in [(&one, 12), (&two, 8)] {
        sync(&server, phone).await;
        let orders = phone.sentra.orders(OrderTab::ToRespond, 0, 10).unwrap();
        assert_eq!(orders.len(), 1);
        assert_eq!(orders[0].lines[0].quantity, quantity);
        assert_eq!(orders[0].channel.as_str(), "cooperative");
        assert!(orders[0].note.starts_with(&code));
    }

    // The buyer's status rolls up: new until both accept, then accepted.
    let accept = |phone: &Phone| {
        let order = phone.sentra.orders(OrderTab::ToRespond, 0, 1).unwrap()[0].id;
        phone
            .sentra
            .transition_order(order, &Transition::Accept)
            .unwrap();
    };
    accept(&one);
    sync(&server, &one).await;
    let (_, half) = get_page(&server, &status_path).await;
    assert!(half.contains("<h2>Status: Pesanan dibuat"), "{half}");
    accept(&two);
    sync(&server, &two).await;
    let (_, both) = get_page(&server, &status_path).await;
    assert!(both.contains("<h2>Status: Diterima penjual"), "{both}");
    assert_eq!(
        get_page(&server, &format!("/pesanan?kode={code}&hp=0000"))
            .await
            .0,
        404
    );
}
