//! What travels beyond protocol version 1, negotiated in headers: pull pages in columns, and
//! push batches sent before the one ahead of them is answered. An app that knows neither (an
//! old phone) must sync with this server exactly as before, and both kinds of phone converge.

use super::counting::Counting;
use super::*;
use sentra_core::sync::columns::COLUMNS;
use sentra_core::sync::engine::Transport;
use sentra_core::sync::wire::{ColumnsPage, PullRequest, PushRequest};

/// A producer with `products` products made offline on their phone, signed in.
async fn seller_with_products(server: &Server, products: usize) -> (Phone, Id) {
    let mut seller = unsigned_phone();
    let me = seller
        .sentra
        .register_producer(&producer("Batik Tulis Bu Ratna", "0812-3030-4040"))
        .unwrap();
    for i in 0..products {
        seller
            .sentra
            .create_product(&product(
                me,
                &format!("Batik Tulis {i}"),
                (i % 7) as i64 + 1,
            ))
            .unwrap();
    }
    account(server, "0812-3030-4040", "246810", Role::Producer, Some(me)).await;
    sign_in(server, &mut seller, "081230304040", "246810").await;
    (seller, me)
}

/// A raw pull by `phone` from the start of the feed, with `headers`.
async fn raw_pull(server: &Server, phone: &Phone, headers: &[(&str, &str)]) -> reqwest::Response {
    let body = wire::encode(&PullRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: phone.sentra.device_id(),
        cursor: None,
        max_bytes: 4 * 1024 * 1024,
    })
    .unwrap();
    let mut request = Client::new()
        .post(format!("{}/v1/sync/pull", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", phone.token))
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// A raw push of `entries` by `phone`, naming the entry before them if `after` is given.
async fn raw_push(
    server: &Server,
    phone: &Phone,
    entries: Vec<wire::PushEntry>,
    after: Option<i64>,
) -> PushResponse {
    let body = wire::encode(&PushRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: phone.sentra.device_id(),
        entries,
    })
    .unwrap();
    let mut request = Client::new()
        .post(format!("{}/v1/sync/push", server.url))
        .header("content-encoding", "zstd")
        .header("authorization", format!("Bearer {}", phone.token))
        .body(body);
    if let Some(after) = after {
        request = request.header(wire::PUSH_AFTER_HEADER, after.to_string());
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let features = response.headers()[wire::FEATURES_HEADER].to_str().unwrap();
    assert!(
        features.split(',').any(|f| f == wire::PUSH_AFTER),
        "the server says it orders pushes: {features}"
    );
    wire::decode(&response.bytes().await.unwrap()).unwrap()
}

async fn an_old_phone_gets_plain_pages_and_a_new_one_columns_with_the_same_changes(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (seller, _) = seller_with_products(&server, 40).await;
    sync(&server, &seller).await;
    let reader = phone(&server, "081230304040", "246810").await;

    // An app of version 1 sends no header: a plain page, as before.
    let plain = raw_pull(&server, &reader, &[]).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get(wire::PAGE_FORMAT_HEADER).is_none());
    let plain: PullResponse = wire::decode(&plain.bytes().await.unwrap()).unwrap();
    assert_eq!(
        plain.changes.len(),
        1 + 40 * 3,
        "producer, then 40 products with variant and stock"
    );

    // An app that reads columns says so, and gets the very same page in columns.
    let columns = raw_pull(&server, &reader, &[(wire::PAGE_FORMAT_HEADER, COLUMNS)]).await;
    assert_eq!(columns.status(), 200);
    assert_eq!(columns.headers()[wire::PAGE_FORMAT_HEADER], COLUMNS);
    let body = columns.bytes().await.unwrap();
    let page: ColumnsPage = wire::decode(&body).unwrap();
    assert_eq!(page.columns.tables.len(), 4, "one table per kind of change");
    let mut expanded = PullResponse::try_from(page).unwrap();
    expanded.server_time_ms = plain.server_time_ms;
    assert!(expanded == plain, "the same changes, cursor and scope");

    // A format the server does not know is no format: a plain page.
    let unknown = raw_pull(&server, &reader, &[(wire::PAGE_FORMAT_HEADER, "rows-v9")]).await;
    assert!(unknown.headers().get(wire::PAGE_FORMAT_HEADER).is_none());
    let mut unknown: PullResponse = wire::decode(&unknown.bytes().await.unwrap()).unwrap();
    unknown.server_time_ms = plain.server_time_ms;
    assert!(unknown == plain, "a plain page");
}

async fn an_old_phone_and_a_new_phone_of_one_shop_converge_through_this_server(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (new_phone, me) = seller_with_products(&server, 25).await;
    let old_phone = phone(&server, "081230304040", "246810").await;
    let old_transport = HttpTransport::new(&server.url, &old_phone.token).version_1_only();
    let options = SyncOptions {
        push_batch_bytes: 4 * 1024,
        pull_page_bytes: 4 * 1024,
        ..Default::default()
    };
    let old_sync = || async {
        let report = old_phone
            .sentra
            .sync(
                &old_transport,
                &options,
                None::<&NoProgress>,
                &CancelToken::new(),
            )
            .await
            .unwrap();
        assert!(report.completed, "{report:?}");
        assert!(
            !old_transport.orders_pushes(),
            "an old app never overlaps its pushes"
        );
        report
    };
    sync(&server, &new_phone).await;
    let first = old_sync().await;
    assert_eq!(first.pulled, 1 + 25 * 3);

    // Both edit offline, some of the same products, then sync in turn.
    let ids: Vec<Id> = new_phone
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    for (i, id) in ids.iter().enumerate().take(10) {
        let patch = ProductPatch {
            price: Some(90_000 + i as i64),
            ..Default::default()
        };
        new_phone.sentra.edit_product(*id, &patch).unwrap();
        let variant = new_phone.sentra.product(*id).unwrap().variants[0].id;
        new_phone.sentra.adjust_stock(variant, 2).unwrap();
    }
    for id in ids.iter().skip(5).take(10) {
        let patch = ProductPatch {
            name: Some("Batik Cap Sogan".into()),
            ..Default::default()
        };
        old_phone.sentra.edit_product(*id, &patch).unwrap();
        let variant = old_phone.sentra.product(*id).unwrap().variants[0].id;
        old_phone.sentra.adjust_stock(variant, -1).unwrap();
    }
    for product in 0..15 {
        old_phone
            .sentra
            .create_product(&product_named(me, product))
            .unwrap();
    }
    sync(&server, &new_phone).await;
    old_sync().await;
    sync(&server, &new_phone).await;

    let shop = |p: &Phone| {
        let mut rows: Vec<(Id, String, i64, i64)> = p
            .sentra
            .list_products(&sentra_core::catalogue::listing::ProductQuery {
                limit: 200,
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|p| (p.id, p.name, p.min_price, p.total_stock))
            .collect();
        rows.sort();
        rows
    };
    let (new_shop, old_shop) = (shop(&new_phone), shop(&old_phone));
    assert_eq!(new_shop.len(), 40);
    assert_eq!(new_shop, old_shop, "both phones hold the same shop");
    let both_edited = new_shop
        .iter()
        .filter(|r| r.1 == "Batik Cap Sogan" && r.2 >= 90_000);
    assert_eq!(
        both_edited.count(),
        5,
        "per field: one phone's name, the other's price"
    );
}

fn product_named(me: Id, i: usize) -> NewProduct {
    product(me, &format!("Selendang Sutra {i}"), 3)
}

async fn a_batch_sent_ahead_waits_for_the_one_before_it_and_the_feed_keeps_the_phones_order(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (seller, _) = seller_with_products(&server, 12).await;
    let all = seller
        .sentra
        .sync_push_batch(1 << 20)
        .unwrap()
        .unwrap()
        .entries;
    let (first, second) = all.split_at(all.len() / 2);
    let (first, second) = (first.to_vec(), second.to_vec());
    let last_of_first = first.last().unwrap().seq;

    // The second half arrives first, naming the last entry of the first half: it waits.
    let ahead = {
        let (url, token, device) = (
            server.url.clone(),
            seller.token.clone(),
            seller.sentra.device_id(),
        );
        let second = second.clone();
        tokio::spawn(async move {
            let body = wire::encode(&PushRequest {
                version: wire::PROTOCOL_VERSION,
                device_id: device,
                entries: second,
            })
            .unwrap();
            let response = Client::new()
                .post(format!("{url}/v1/sync/push"))
                .header("content-encoding", "zstd")
                .header("authorization", format!("Bearer {token}"))
                .header(wire::PUSH_AFTER_HEADER, last_of_first.to_string())
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            wire::decode::<PushResponse>(&response.bytes().await.unwrap()).unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(
        !ahead.is_finished(),
        "the batch ahead waits for the one before it"
    );
    let answer = raw_push(&server, &seller, first.clone(), None).await;
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied));
    let answer = ahead.await.unwrap();
    assert_eq!(answer.results.len(), second.len());
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied));

    // Another device of the shop reads the feed in the phone's order: nothing before its parent.
    let reader = phone(&server, "081230304040", "246810").await;
    let page: PullResponse =
        wire::decode(&raw_pull(&server, &reader, &[]).await.bytes().await.unwrap()).unwrap();
    let pushed: Vec<Id> = all.iter().map(|e| e.change.id).collect();
    let pulled: Vec<Id> = page.changes.iter().map(|c| c.id).collect();
    assert_eq!(pulled, pushed);

    // A batch naming an entry already answered goes straight through (a resend: duplicates).
    let again = raw_push(&server, &seller, second, Some(last_of_first)).await;
    assert!(
        again
            .results
            .iter()
            .all(|r| r.outcome == Outcome::Duplicate)
    );
}

async fn a_phone_pushing_many_batches_several_at_a_time_settles_every_entry_in_order(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (seller, _) = seller_with_products(&server, 60).await;
    let transport = Counting::new(HttpTransport::new(&server.url, &seller.token));
    // Batches of 4 KB, but no more than 6 KB on their way at once: several at a time, each cut
    // shorter than its own limit.
    let options = SyncOptions {
        push_batch_bytes: 4 * 1024,
        push_bytes_in_flight: 6 * 1024,
        ..Default::default()
    };
    let report = seller
        .sentra
        .sync(
            &transport,
            &options,
            None::<&NoProgress>,
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert!(report.completed, "{report:?}");
    assert!(
        transport.orders_pushes(),
        "the server said it orders pushes"
    );
    assert_eq!(report.pushed, 1 + 60 * 3);
    assert!(report.requests > 20, "many small batches: {report:?}");
    assert!(seller.sentra.sync_push_batch(1 << 20).unwrap().is_none());
    let (most_batches, most_bytes) = *transport.most_pushes.lock().unwrap();
    assert!(
        (2..=options.push_in_flight).contains(&most_batches),
        "several batches on their way at once, at most {}: {most_batches}",
        options.push_in_flight
    );
    // Each batch may pass its limit by the entry that crossed it.
    let slack = most_batches
        * transport
            .largest_entry
            .load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        most_bytes <= options.push_bytes_in_flight + slack,
        "{most_bytes} bytes of JSON on their way at once, limit {} (+{slack})",
        options.push_bytes_in_flight
    );

    let reader = phone(&server, "081230304040", "246810").await;
    sync(&server, &reader).await;
    let shop = reader
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(shop.len(), 60);
    assert_eq!(
        shop.iter().map(|p| p.total_stock).sum::<i64>(),
        (0..60).map(|i| (i % 7) + 1).sum::<i64>(),
        "every variant arrived after its product, with its opening stock"
    );
}

on_both_backends!(
    an_old_phone_gets_plain_pages_and_a_new_one_columns_with_the_same_changes,
    an_old_phone_and_a_new_phone_of_one_shop_converge_through_this_server,
    a_batch_sent_ahead_waits_for_the_one_before_it_and_the_feed_keeps_the_phones_order,
    a_phone_pushing_many_batches_several_at_a_time_settles_every_entry_in_order,
);
