//! Signing in and out on the web, the sign-in throttle shared with the phones' `/v1/login`, and
//! who may open which page.

use super::*;

on_both_backends!(
    wrong_secrets_on_the_web_are_throttled_like_on_a_phone,
    a_session_lives_in_an_httponly_cookie_until_signing_out_revokes_it,
    anonymous_visitors_are_sent_to_sign_in_and_producers_are_refused,
);

async fn wrong_secrets_on_the_web_are_throttled_like_on_a_phone(backend: Backend) {
    let Some(server) = server_behind_proxy(backend).await else {
        return;
    };
    account(
        &server,
        "dinas.banyumas",
        "rahasia-kuat-1",
        Role::Official,
        None,
    )
    .await;

    let (status, _, form) = get(&server, "/masuk", None).await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"login\"") && form.contains("name=\"secret\""));
    assert!(form.contains("Masuk"), "Bahasa Indonesia first");

    let max = server.state.sign_in_limits.per_address_and_login;
    for attempt in 1..=max + 1 {
        let (status, _, set_cookie, body) = post_form(
            &server,
            "/masuk",
            None,
            &[("login", "dinas.banyumas"), ("secret", "salah")],
        )
        .await;
        assert!(set_cookie.is_empty());
        assert!(
            body.contains("value=\"dinas.banyumas\""),
            "the name stays typed"
        );
        if attempt <= max {
            assert_eq!(status, 401);
            assert!(body.contains("kata sandi, atau PIN salah"), "{body}");
        } else {
            assert_eq!(
                status, 429,
                "the sixth wrong password from here is throttled"
            );
        }
    }
    // This browser's address now waits for this login, even with the right password, on the
    // web and on a phone alike.
    let answer = send(
        server
            .client
            .post(format!("{}/masuk", server.url))
            .form(&[("login", "dinas.banyumas"), ("secret", "rahasia-kuat-1")]),
    )
    .await;
    assert_eq!(answer.status, 429);
    assert!(answer.headers.contains_key("retry-after"));
    assert!(!answer.headers.contains_key("set-cookie"));
    let body = String::from_utf8(answer.body).unwrap();
    assert!(
        body.contains("Terlalu banyak percobaan yang salah dari sini"),
        "{body}"
    );
    let phone = login_attempt(&server, Id::new(), "dinas.banyumas", "rahasia-kuat-1").await;
    assert_eq!(phone.status, 429);
    assert_eq!(phone.code(), "too_many_attempts");
    // From another network (as the trusted proxy reports it) the owner signs in.
    let elsewhere = send(
        server
            .client
            .post(format!("{}/masuk", server.url))
            .header("x-forwarded-for", "198.51.100.20")
            .form(&[("login", "dinas.banyumas"), ("secret", "rahasia-kuat-1")]),
    )
    .await;
    assert_eq!(elsewhere.status, 303);
    assert!(elsewhere.headers.contains_key("set-cookie"));

    // Empty fields are refused before any attempt counts; English when asked.
    let response = server
        .client
        .post(format!("{}/masuk", server.url))
        .header("accept-language", "en-GB,en;q=0.9")
        .form(&[("login", ""), ("secret", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Enter your user name")
    );
}

async fn a_session_lives_in_an_httponly_cookie_until_signing_out_revokes_it(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "dinas.jateng",
        "rahasia-kuat-2",
        Role::Official,
        None,
    )
    .await;
    let (status, location, set_cookie, _) = post_form(
        &server,
        "/masuk",
        None,
        &[
            ("login", "dinas.jateng"),
            ("secret", "rahasia-kuat-2"),
            ("lanjut", "/dasbor?wilayah=33"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        location, "/dasbor?wilayah=33",
        "back where the official was going"
    );
    assert!(set_cookie.starts_with("sentra_sesi="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    // Behind an HTTPS proxy the cookie is also Secure.
    let response = server
        .client
        .post(format!("{}/masuk", server.url))
        .header("x-forwarded-proto", "https")
        .form(&[("login", "dinas.jateng"), ("secret", "rahasia-kuat-2")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let secure = response.headers()["set-cookie"].to_str().unwrap();
    assert!(secure.contains("; Secure"), "{secure}");

    // Another site cannot send the official elsewhere after signing in.
    let (status, location, _, _) = post_form(
        &server,
        "/masuk",
        None,
        &[
            ("login", "dinas.jateng"),
            ("secret", "rahasia-kuat-2"),
            ("lanjut", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/dasbor"));

    let (status, _, page) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Dasbor UMKM") && page.contains("Petugas dinas"));
    // Signed in, /masuk goes straight on.
    let (status, location, _) = get(&server, "/masuk", Some(&cookie)).await;
    assert_eq!((status, location.as_str()), (303, "/dasbor"));

    // Signing out needs the page's form token: a bare cross-site POST does nothing.
    let (status, _, _, _) = post_form(&server, "/keluar", Some(&cookie), &[]).await;
    assert_eq!(status, 400);
    let (status, _, _) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 200, "still signed in");

    let csrf = input_value(&page, "csrf");
    let (status, location, set_cookie, _) =
        post_form(&server, "/keluar", Some(&cookie), &[("csrf", &csrf)]).await;
    assert_eq!((status, location.as_str()), (303, "/masuk"));
    assert!(set_cookie.contains("Max-Age=0"));
    // The token is revoked on the server, not only forgotten by the browser.
    let (status, location, _) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/masuk?lanjut="));
}

async fn anonymous_visitors_are_sent_to_sign_in_and_producers_are_refused(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    for path in [
        "/dasbor",
        "/dasbor?dari=2026-01&wilayah=33",
        "/dasbor/ekspor/kanal.csv",
        "/dasbor/impor",
        "/dasbor/pendamping",
    ] {
        let (status, location, body) = get(&server, path, None).await;
        assert_eq!(status, 303, "{path}");
        assert!(
            location.starts_with("/masuk?lanjut=%2Fdasbor"),
            "{path}: {location}"
        );
        assert!(!body.contains("Rp"), "{path} shows no figures");
    }
    // A forged or stale cookie is no one.
    let (status, _, _) = get(&server, "/dasbor", Some("sentra_sesi=00ff00ff")).await;
    assert_eq!(status, 303);

    // A producer may sign in on the web (their storefront), but not read the dashboard.
    let (_phone, _, _) = seller(&server, "Batik Pak Joko", "0812-7000-0001", "3327", 50_000).await;
    let (status, location, set_cookie, _) = post_form(
        &server,
        "/masuk",
        None,
        &[("login", "0812 7000 0001"), ("secret", "112233")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/"),
        "a producer lands on the storefront"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    for path in ["/dasbor", "/dasbor/ekspor/provinsi.csv", "/dasbor/impor"] {
        let (status, _, body) = get(&server, path, Some(&cookie)).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("Tidak diizinkan"));
    }
    // Facilitators may import but not assign regions; cooperative admins may do neither.
    account(
        &server,
        "pendamping.a",
        "rahasia-kuat-3",
        Role::Facilitator,
        None,
    )
    .await;
    let facilitator = web_sign_in(&server, "pendamping.a", "rahasia-kuat-3").await;
    assert_eq!(
        get(&server, "/dasbor/impor", Some(&facilitator)).await.0,
        200
    );
    assert_eq!(
        get(&server, "/dasbor/pendamping", Some(&facilitator))
            .await
            .0,
        403
    );
    account(
        &server,
        "koperasi.a",
        "rahasia-kuat-4",
        Role::CooperativeAdmin,
        None,
    )
    .await;
    let cooperative = web_sign_in(&server, "koperasi.a", "rahasia-kuat-4").await;
    assert_eq!(
        get(&server, "/dasbor/impor", Some(&cooperative)).await.0,
        403
    );
    assert_eq!(get(&server, "/dasbor", Some(&cooperative)).await.0, 200);
}
