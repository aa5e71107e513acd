//! The pages in a hostile browser: framed by another site, sniffed as another type, leaking
//! their address to other sites, and a sign-in form posted from another site (login CSRF).

use super::*;

on_both_backends!(
    every_page_photo_and_api_answer_carries_the_security_headers,
    a_sign_in_posted_from_another_site_is_refused_and_sets_no_session,
);

async fn every_page_photo_and_api_answer_carries_the_security_headers(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let shop = shop(
        &server,
        "0812-7300-0001",
        "Tenun Ikat Troso",
        "Kain Troso",
        true,
    )
    .await;
    let pages = [
        "/".to_owned(),
        "/?q=troso".to_owned(),
        format!("/p/{}", shop.product),
        "/pesanan".to_owned(),
        "/pesanan?kode=SNT-AAAAAAAA&hp=0000".to_owned(),
        "/masuk".to_owned(),
        "/tidak-ada".to_owned(),
        format!("/p/{}", Id::new()),
    ];
    for path in &pages {
        let answer = get(&server, path).await;
        let h = &answer.headers;
        assert!(
            h["content-type"].to_str().unwrap().starts_with("text/html"),
            "{path}"
        );
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        // No script but the catalogue cards' one, allowed by its hash: never 'unsafe-inline',
        // never a source to load from (`storefront_cards.rs` checks the hash is the script's).
        let scripts: Vec<&str> = csp
            .split(';')
            .map(str::trim)
            .filter(|d| d.starts_with("script-src"))
            .flat_map(|d| d.split_whitespace().skip(1))
            .collect();
        assert!(
            scripts.is_empty() || (scripts.len() == 1 && scripts[0].starts_with("'sha256-")),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
    // The photo: an image, never sniffed as anything else.
    let photo = get(&server, &format!("/foto/{}", shop.thumb)).await;
    assert_eq!(photo.status, 200);
    assert_eq!(photo.headers["content-type"], "image/jpeg");
    assert_eq!(photo.headers["x-content-type-options"], "nosniff");
    assert!(photo.body.starts_with(&[0xFF, 0xD8]));
    // The API: its answers and its refusals.
    for answer in [
        get(&server, "/v1/orders/SNT-AAAAAAAA?phone_last4=0000").await,
        get(&server, "/v1/tidak-ada").await,
        get(&server, "/healthz").await,
        send(
            server
                .client
                .get(format!("{}/v1/photos/{}", server.url, shop.thumb))
                .header("authorization", format!("Bearer {}", shop.session.token)),
        )
        .await,
    ] {
        assert_eq!(answer.headers["x-content-type-options"], "nosniff");
        assert!(answer.headers.contains_key("content-security-policy"));
    }
}

async fn a_sign_in_posted_from_another_site_is_refused_and_sets_no_session(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(&server, "penyerang", "rahasia-kuat-9", Role::Official, None).await;
    let form = [
        ("login", "penyerang"),
        ("secret", "rahasia-kuat-9"),
        ("lanjut", "/dasbor"),
    ];
    let host = server.url.trim_start_matches("http://").to_owned();
    // Another site's form, as a modern browser reports it, and as an older one (Origin only).
    for (what, headers) in [
        (
            "sec-fetch-site",
            vec![
                ("sec-fetch-site", "cross-site".to_owned()),
                ("origin", "https://jahat.example".to_owned()),
            ],
        ),
        (
            "same-site subdomain",
            vec![("sec-fetch-site", "same-site".to_owned())],
        ),
        (
            "origin only",
            vec![("origin", "https://jahat.example".to_owned())],
        ),
        ("null origin", vec![("origin", "null".to_owned())]),
    ] {
        let mut request = server
            .client
            .post(format!("{}/masuk", server.url))
            .form(&form);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let answer = send(request).await;
        assert_eq!(answer.status, 403, "{what}: {}", text(&answer));
        assert!(
            !answer.headers.contains_key("set-cookie"),
            "{what}: no session cookie"
        );
    }
    // The same form from this site signs in.
    let answer = send(
        server
            .client
            .post(format!("{}/masuk", server.url))
            .header("origin", format!("http://{host}"))
            .form(&form),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", text(&answer));
    assert!(
        answer.headers["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("sentra_sesi=")
    );
}
