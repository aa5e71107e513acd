//! A producer registered without consent to be published: nothing of theirs on any public page
//! or public API answer, until they consent.

use super::*;
use sentra_core::producers::ProducerPatch;

on_both_backends!(a_producer_without_consent_is_on_no_public_page_until_they_consent,);

async fn a_producer_without_consent_is_on_no_public_page_until_they_consent(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let hidden = shop(
        &server,
        "0812-7300-0020",
        "Usaha Tanpa Izin",
        "Kain Rahasia Tanpa Izin",
        false,
    )
    .await;
    // A cooperative the producer belongs to, with a public page of its members' products.
    let state = server.state.clone();
    let member = hidden.producer;
    let cooperative = tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| {
                let cooperative =
                    core.create_organisation("cooperative", "Koperasi Tenun Jepara", "3320")?;
                core.add_member(cooperative, member)?;
                Ok(cooperative)
            })
            .unwrap()
    })
    .await
    .unwrap();

    let public = [
        "/".to_owned(),
        "/?q=rahasia".to_owned(),
        "/?kategori=Kain+Tenun".to_owned(),
        "/?kabupaten=3327".to_owned(),
        format!("/?koperasi={cooperative}"),
        format!("/koperasi/{cooperative}"),
    ];
    for path in &public {
        let page = get(&server, path).await;
        assert_eq!(page.status, 200, "{path}");
        let page = text(&page);
        for secret in [
            "Kain Rahasia Tanpa Izin",
            "Usaha Tanpa Izin",
            &hidden.product.to_string(),
            &hidden.thumb,
        ] {
            assert!(!page.contains(secret), "{path} shows {secret}");
        }
        assert!(
            !page.contains("<option value=\"Kain Tenun\""),
            "{path}: their category"
        );
    }
    let product_page = get(&server, &format!("/p/{}", hidden.product)).await;
    assert_eq!(product_page.status, 404);
    assert!(!text(&product_page).contains("Usaha Tanpa Izin"));
    let photo = get(&server, &format!("/foto/{}", hidden.thumb)).await;
    assert_eq!(photo.status, 404);
    // The order API refuses them as unknown, and the order form too.
    let order = place(
        &server,
        order_body(&hidden, "tanpa-izin-1", "Ani", "0813-1111-2222", 1),
    )
    .await;
    assert_eq!((order.status, order.code()), (404, "not_found".into()));
    let form = send(
        server
            .client
            .post(format!("{}/p/{}/pesan", server.url, hidden.product))
            .form(&[("nama", "Ani")]),
    )
    .await;
    assert_eq!(form.status, 404);
    // Another signed-in account outside their scope cannot fetch the photo either.
    account(
        &server,
        "0812-7300-0021",
        "246810",
        Role::Producer,
        Some(Id::new()),
    )
    .await;
    let stranger = sign_in(&server, "0812-7300-0021", "246810").await;
    let fetched = send(
        server
            .client
            .get(format!("{}/v1/photos/{}", server.url, hidden.thumb))
            .header("authorization", format!("Bearer {}", stranger.token)),
    )
    .await;
    assert_eq!(fetched.status, 404);

    // The producer consents on their phone; the next sync publishes them.
    hidden
        .sentra
        .edit_producer(
            hidden.producer,
            &ProducerPatch {
                consent: Some((true, Some("2026-12-01".into()))),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &hidden.sentra, &hidden.session.token).await;
    for path in [
        "/".to_owned(),
        "/?q=rahasia".to_owned(),
        format!("/koperasi/{cooperative}"),
    ] {
        let page = text(&get(&server, &path).await);
        assert!(page.contains("Kain Rahasia Tanpa Izin"), "{path}");
    }
    let product_page = get(&server, &format!("/p/{}", hidden.product)).await;
    assert_eq!(product_page.status, 200);
    assert!(text(&product_page).contains("Usaha Tanpa Izin"));
    assert_eq!(
        get(&server, &format!("/foto/{}", hidden.thumb))
            .await
            .status,
        200
    );
    let order = place(
        &server,
        order_body(&hidden, "dengan-izin-1", "Ani", "0813-1111-2222", 1),
    )
    .await;
    assert_eq!(order.status, 201, "{}", text(&order));
}
