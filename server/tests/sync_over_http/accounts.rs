//! Sign-in, lockout and tokens; what each account may push and see; rate limits.

use super::*;

on_both_backends!(
    wrong_pins_are_refused_then_throttled_and_a_token_dies_at_logout,
    a_facilitators_offline_registration_reaches_the_server_and_stays_in_scope,
    a_push_outside_the_accounts_rights_is_rejected_and_changes_nothing,
    a_facilitator_assigned_to_a_regency_sees_and_edits_its_producers_and_no_others,
);

async fn wrong_pins_are_refused_then_throttled_and_a_token_dies_at_logout(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "0812-1111-2222",
        "123456",
        Role::Producer,
        Some(Id::new()),
    )
    .await;
    // The owner's phone signed in before someone else starts guessing.
    let owner = phone(&server, "0812-1111-2222", "123456").await;
    let device = Id::new();
    for _ in 0..5 {
        let response = login(&server, device, "+62 812 1111 2222", "000000").await;
        assert_eq!(response.status(), 401);
        let body: wire::ErrorBody =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(body.code, "bad_credentials");
    }
    let sixth = login(&server, device, "081211112222", "000000").await;
    assert_eq!(sixth.status(), 429, "the sixth wrong PIN is throttled");
    assert!(sixth.headers().contains_key("retry-after"));
    let body: wire::ErrorBody = serde_json::from_slice(&sixth.bytes().await.unwrap()).unwrap();
    assert_eq!(body.code, "too_many_attempts");
    let right = login(&server, device, "081211112222", "123456").await;
    assert_eq!(
        right.status(),
        429,
        "the guessing device waits, even with the right PIN"
    );
    // The owner's phone, signed in already, keeps syncing.
    sync(&server, &owner).await;

    account(
        &server,
        "pendamping.banyumas",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    let phone = phone(&server, "pendamping.banyumas", "rahasia-kuat").await;
    sync(&server, &phone).await;
    let client = Client::new();
    let logout = client
        .post(format!("{}/v1/logout", server.url))
        .header("authorization", format!("Bearer {}", phone.token))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let request = phone.sentra.sync_pull_request(1024).unwrap();
    let replay = post(
        &client,
        &format!("{}/v1/sync/pull", server.url),
        Some(&phone.token),
        wire::encode(&request).unwrap(),
    )
    .await;
    assert_eq!(
        replay.status(),
        401,
        "a token replayed after logout is refused"
    );
}

async fn a_facilitators_offline_registration_reaches_the_server_and_stays_in_scope(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    account(
        &server,
        "pendamping.lain",
        "rahasia-lain",
        Role::Facilitator,
        None,
    )
    .await;
    let f = phone(&server, "pendamping", "rahasia-kuat").await;
    let other = phone(&server, "pendamping.lain", "rahasia-lain").await;

    // Offline in the village: register producer C with a product.
    // Offline in the village: register producer C, with the activation PIN C chose.
    let mut narti = producer("Batik Tulis Bu Narti", "0813-2222-3333");
    narti.activation_pin = Some("246810".into());
    let c = f.sentra.register_producer(&narti).unwrap();
    let kain = f
        .sentra
        .create_product(&product(c, "Kain Batik Tulis", 4))
        .unwrap();
    sync(&server, &f).await;
    assert!(
        f.sentra.sync_push_batch(1 << 20).unwrap().is_none(),
        "everything accepted"
    );
    assert!(f.sentra.quarantined().unwrap().is_empty());

    // After that sync C can sign in on their own phone with phone and PIN, and gets what F made.
    let c_phone = phone(&server, "081322223333", "246810").await;
    sync(&server, &c_phone).await;
    assert_eq!(
        c_phone.sentra.product(kain).unwrap().name,
        "Kain Batik Tulis"
    );
    assert_eq!(c_phone.sentra.producer(c).unwrap().phone, "+6281322223333");

    // The PIN's hash went to the server only: no phone is ever sent it.
    let mut request = c_phone.sentra.sync_pull_request(1 << 20).unwrap();
    request.cursor = None;
    let body = wire::encode(&request).unwrap();
    let raw = post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&f.token),
        body,
    )
    .await;
    assert_eq!(raw.status(), 403, "F's token is bound to F's device");
    let body = wire::encode(&request).unwrap();
    let raw = post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&c_phone.token),
        body,
    )
    .await;
    let page: PullResponse = wire::decode(&raw.bytes().await.unwrap()).unwrap();
    assert!(page.changes.iter().any(|ch| ch.entity == "producer"));
    assert!(
        page.changes
            .iter()
            .all(|ch| !ch.fields.contains_key("activation_pin_hash"))
    );
    // A wrong PIN does not open C's account.
    assert_eq!(
        login(&server, Id::new(), "081322223333", "135790")
            .await
            .status(),
        401
    );

    // Another facilitator sees nothing of C.
    sync(&server, &other).await;
    assert!(other.sentra.producer(c).is_err());
    assert!(other.sentra.product(kain).is_err());
}

async fn a_push_outside_the_accounts_rights_is_rejected_and_changes_nothing(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    let f = phone(&server, "pendamping", "rahasia-kuat").await;
    let a = f
        .sentra
        .register_producer(&producer("Konveksi A", "0812-0000-0001"))
        .unwrap();
    let b = f
        .sentra
        .register_producer(&producer("Konveksi B", "0812-0000-0002"))
        .unwrap();
    let b_product = f.sentra.create_product(&product(b, "Jeans B", 5)).unwrap();
    sync(&server, &f).await;
    account(&server, "0812-0000-0001", "111111", Role::Producer, Some(a)).await;
    account(&server, "0812-0000-0002", "222222", Role::Producer, Some(b)).await;
    let a_phone = phone(&server, "081200000001", "111111").await;
    let b_phone = phone(&server, "081200000002", "222222").await;
    sync(&server, &b_phone).await;

    // A's phone somehow holds B's product (say, a shared phone before switching accounts) and
    // edits it: the server refuses, the entry is quarantined, and B's price is untouched.
    let page: PullResponse = {
        let client = Client::new();
        // B's own scope, as B's phone would pull it from the start.
        let mut request = b_phone.sentra.sync_pull_request(1 << 20).unwrap();
        request.cursor = None;
        let response = post(
            &client,
            &format!("{}/v1/sync/pull", server.url),
            Some(&b_phone.token),
            wire::encode(&request).unwrap(),
        )
        .await;
        wire::decode(&response.bytes().await.unwrap()).unwrap()
    };
    a_phone.sentra.sync_apply_pull(&page).unwrap();
    a_phone
        .sentra
        .edit_product(
            b_product,
            &ProductPatch {
                price: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &a_phone).await;
    let held = a_phone.sentra.quarantined().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].code, "forbidden");
    sync(&server, &b_phone).await;
    assert_eq!(b_phone.sentra.product(b_product).unwrap().price, 85_000);
    // And A's own scope never carried B's data.
    let fresh = phone(&server, "081200000001", "111111").await;
    sync(&server, &fresh).await;
    assert!(fresh.sentra.product(b_product).is_err());
}

async fn pull_once(server: &Server, phone: &Phone) -> reqwest::Response {
    let request = phone.sentra.sync_pull_request(1024).unwrap();
    let body = wire::encode(&request).unwrap();
    post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&phone.token),
        body,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_floods_the_server_is_slowed_down_and_others_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
    let limit = sentra_server::limits::RateLimit {
        burst: 5.0,
        per_second: 0.001,
    };
    let state = AppState::new(Arc::new(store), dir.path().join("photos")).with_rate_limit(limit);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let server = Server {
        url,
        state,
        _dir: dir,
    };
    account(
        &server,
        "pendamping",
        "rahasia-kuat",
        Role::Facilitator,
        None,
    )
    .await;
    let flooding = phone(&server, "pendamping", "rahasia-kuat").await;
    let calm = phone(&server, "pendamping", "rahasia-kuat").await;
    for _ in 0..5 {
        assert_eq!(pull_once(&server, &flooding).await.status(), 200);
    }
    let refused = pull_once(&server, &flooding).await;
    assert_eq!(refused.status(), 429);
    let body: wire::ErrorBody = serde_json::from_slice(&refused.bytes().await.unwrap()).unwrap();
    assert_eq!(body.code, "rate_limited");
    assert_eq!(
        pull_once(&server, &calm).await.status(),
        200,
        "another token has its own bucket"
    );
}

async fn a_facilitator_assigned_to_a_regency_sees_and_edits_its_producers_and_no_others(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    account(
        &server,
        "pendamping.lama",
        "rahasia-lama",
        Role::Facilitator,
        None,
    )
    .await;
    account(
        &server,
        "pendamping.baru",
        "rahasia-baru",
        Role::Facilitator,
        None,
    )
    .await;
    let old = phone(&server, "pendamping.lama", "rahasia-lama").await;
    let mut in_pemalang = producer("Konveksi Pemalang", "0812-9090-0001");
    in_pemalang.region_code = "33.27.05.2001".into();
    let mut in_banyumas = producer("Gula Banyumas", "0812-9090-0002");
    in_banyumas.region_code = "3302".into();
    let p1 = old.sentra.register_producer(&in_pemalang).unwrap();
    let p2 = old.sentra.register_producer(&in_banyumas).unwrap();
    let jeans = old
        .sentra
        .create_product(&product(p1, "Jeans Pemalang", 3))
        .unwrap();
    let gula = old
        .sentra
        .create_product(&product(p2, "Gula Banyumas", 3))
        .unwrap();
    sync(&server, &old).await;

    // The new facilitator takes over Kabupaten Pemalang.
    let (state, login) = (server.state.clone(), "pendamping.baru");
    tokio::task::spawn_blocking(move || state.assign_region(login, "3327").unwrap())
        .await
        .unwrap();
    let (state, login) = (server.state.clone(), "pendamping.baru");
    let bad = tokio::task::spawn_blocking(move || state.assign_region(login, "9999"))
        .await
        .unwrap();
    assert!(bad.is_err(), "an unknown region is refused");
    let new = phone(&server, "pendamping.baru", "rahasia-baru").await;
    sync(&server, &new).await;
    assert!(
        new.sentra.product(jeans).is_ok(),
        "sees the producers of the regency"
    );
    assert!(new.sentra.product(gula).is_err(), "and no others");
    new.sentra
        .edit_product(
            jeans,
            &ProductPatch {
                price: Some(99_000),
                ..Default::default()
            },
        )
        .unwrap();
    sync(&server, &new).await;
    assert!(
        new.sentra.quarantined().unwrap().is_empty(),
        "may edit them"
    );
    sync(&server, &old).await;
    assert_eq!(old.sentra.product(jeans).unwrap().price, 99_000);
}
