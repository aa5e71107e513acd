//! A cooperative's admin at work: from the dashboard to the bulk requests, a buyer's request
//! whose town names two places, the split with its confirmation, and the buyer's status saying
//! when the request was made (not "shipped").

use super::*;

on_both_backends!(a_cooperative_admin_finds_their_bulk_requests_and_splits_one_with_a_confirmation,);

async fn a_cooperative_admin_finds_their_bulk_requests_and_splits_one_with_a_confirmation(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (_one, first, v1) = seller(
        &server,
        "Gula Kristal Ajibarang",
        "0812-7600-0001",
        "3302",
        14_000,
    )
    .await;
    let (_two, second, v2) = seller(
        &server,
        "Gula Kristal Wangon",
        "0812-7600-0002",
        "3302",
        14_500,
    )
    .await;
    let admin = account(
        &server,
        "admin.gula",
        "rahasia-kuat-14",
        Role::CooperativeAdmin,
        None,
    )
    .await;
    let state = server.state.clone();
    let cooperative = tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| {
                let id =
                    core.create_organisation("cooperative", "Koperasi Gula Banyumas", "3302")?;
                core.add_member(id, first)?;
                core.add_member(id, second)?;
                core.add_admin(id, admin)?;
                Ok(id)
            })
            .unwrap()
    })
    .await
    .unwrap();

    // A buyer in "Semarang": two places have that name, and the form says which, as the
    // product page's order form does; "Kota Semarang" is taken.
    let (_, _, public) = get(&server, &format!("/koperasi/{cooperative}"), None).await;
    let key = input_value(&public, "key");
    let path = format!("/koperasi/{cooperative}/pesan-partai");
    let mut form = vec![
        ("key", key.as_str()),
        ("permintaan", "Gula kristal kuning, karung 50 kg"),
        ("jumlah", "1000"),
        ("satuan", "kg"),
        ("nama", "CV Sumber Rejeki"),
        ("hp", "0812-3456-0099"),
        ("kabupaten", "Semarang"),
        ("alamat", "Jl. Pandanaran 5"),
    ];
    let (status, _, _, page) = post_form(&server, &path, None, &form).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Pilih salah satu: Kabupaten Semarang, Kota Semarang")
            || page.contains("Pilih salah satu: Kota Semarang, Kabupaten Semarang"),
        "{page}"
    );
    assert!(!page.contains("Kabupaten/kota tidak dikenal"));
    form[6] = ("kabupaten", "Pekalongan");
    let (status, _, _, page) = post_form(&server, &path, None, &form).await;
    assert_eq!(status, 422);
    assert!(page.contains("Pilih salah satu:") && page.contains("Kota Pekalongan"));
    form[6] = ("kabupaten", "Kota Semarang");
    let (status, location, _, _) = post_form(&server, &path, None, &form).await;
    assert_eq!(status, 303);
    let code = location
        .trim_start_matches("/pesanan/")
        .trim_end_matches("/terima-kasih")
        .to_owned();

    // The buyer's status says when it was requested, not "Dikirim" (shipped).
    let (_, _, status_page) = get(&server, &format!("/pesanan?kode={code}&hp=0099"), None).await;
    assert!(status_page.contains("Diminta "), "{status_page}");
    assert!(!status_page.contains("Dikirim"), "{status_page}");

    // The admin signs in, lands on the dashboard, and it leads to the requests.
    let cookie = web_sign_in(&server, "admin.gula", "rahasia-kuat-14").await;
    let (status, _, dashboard) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 200);
    let link = format!("<a href=\"/koperasi/{cooperative}/permintaan\">Koperasi Gula Banyumas</a>");
    assert!(dashboard.contains(&link), "{dashboard}");
    assert!(dashboard.contains("1 permintaan, <strong>1 menunggu dibagi</strong>"));
    let (status, _, requests) = get(
        &server,
        &format!("/koperasi/{cooperative}/permintaan"),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 200);
    let request_path = format!("/koperasi/{cooperative}/permintaan/{code}");
    assert!(requests.contains(&format!("href=\"{request_path}\"")));

    // The split: 600 kg and 400 kg. The admin lands on the request, told it went out, with no
    // empty form left to send.
    let (_, _, split) = get(&server, &request_path, Some(&cookie)).await;
    assert!(split.contains("Kirim pesanan ke anggota"));
    let csrf = input_value(&split, "csrf");
    let (f1, f2) = (format!("alok_{v1}"), format!("alok_{v2}"));
    let (status, location, _, _) = post_form(
        &server,
        &request_path,
        Some(&cookie),
        &[("csrf", &csrf), (&f1, "600"), (&f2, "400")],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{request_path}?dibagi=2"));
    let (_, _, done) = get(&server, &location, Some(&cookie)).await;
    assert!(
        done.contains(
            "<p class=\"notice\" role=\"status\">Pesanan terkirim ke <strong>2</strong> anggota."
        ),
        "{done}"
    );
    assert!(!done.contains("Kirim pesanan ke anggota"), "{done}");
    assert!(done.contains("tidak ada lagi yang perlu dibagi"));
    let (_, _, dashboard) = get(&server, "/dasbor", Some(&cookie)).await;
    assert!(dashboard.contains("1 permintaan</li>"), "{dashboard}");
}
