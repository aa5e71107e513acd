//! Pull pages several at once: a page that asks for cursors ahead gets cursors that cut the rest
//! of the feed into ranges, a page asked for up to one of them stops there, and the ranges put
//! end to end are exactly the feed a phone pulls one page after another. A new phone's engine
//! asks for ranges at once and ends with what an old phone gets.

use super::counting::Counting;
use super::*;
use sentra_core::sync::pull::RANGES_IN_FLIGHT;
use sentra_core::sync::wire::PullRequest;
use std::sync::atomic::Ordering;

on_both_backends!(ranges_of_the_feed_end_to_end_are_the_feed_one_page_after_another);
on_both_backends!(a_new_phone_pulls_ranges_at_once_and_holds_what_an_old_phone_pulls);
on_both_backends!(a_page_naming_cursors_ahead_names_its_own_next_cursor_in_its_head);

/// A producer with `products` products made offline, signed in and synced.
async fn seller_with_synced_products(server: &Server, products: usize) -> Phone {
    let mut seller = unsigned_phone();
    let me = seller
        .sentra
        .register_producer(&producer("Tenun Ikat Bu Sri", "0813-5050-6060"))
        .unwrap();
    for i in 0..products {
        seller
            .sentra
            .create_product(&product(me, &format!("Tenun Ikat {i}"), (i % 5) as i64 + 1))
            .unwrap();
    }
    account(server, "0813-5050-6060", "135790", Role::Producer, Some(me)).await;
    sign_in(server, &mut seller, "081350506060", "135790").await;
    sync(server, &seller).await;
    seller
}

/// A raw pull page of about `max_bytes` after `cursor`, with `headers`: the page and the
/// cursors ahead it names.
async fn page(
    server: &Server,
    phone: &Phone,
    cursor: Option<&str>,
    max_bytes: usize,
    headers: &[(&str, &str)],
) -> (PullResponse, Vec<String>) {
    let body = wire::encode(&PullRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: phone.sentra.device_id(),
        cursor: cursor.map(str::to_owned),
        max_bytes,
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
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let ahead = response
        .headers()
        .get(wire::PULL_AHEAD_HEADER)
        .map(|v| v.to_str().unwrap().split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    (
        wire::decode(&response.bytes().await.unwrap()).unwrap(),
        ahead,
    )
}

/// What identifies a change in order: its kind, id, operation and clock.
fn keys(changes: &[wire::Change]) -> Vec<(String, Id, String, String)> {
    changes
        .iter()
        .map(|c| (c.entity.clone(), c.id, c.op.clone(), c.hlc.to_string()))
        .collect()
}

async fn ranges_of_the_feed_end_to_end_are_the_feed_one_page_after_another(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let _seller = seller_with_synced_products(&server, 60).await;
    let reader = phone(&server, "081350506060", "135790").await;
    const PAGE: usize = 4 * 1024;

    // An old phone: one page after another, and no cursors ahead it did not ask for.
    let (mut plain, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let (page, ahead) = page(&server, &reader, cursor.as_deref(), PAGE, &[]).await;
        assert!(ahead.is_empty(), "no cursors ahead unless asked for");
        plain.extend(keys(&page.changes));
        cursor = Some(page.next_cursor);
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(
        plain.len(),
        1 + 60 * 3,
        "producer, then products with variant and stock"
    );
    assert!(pages >= 4, "small pages: {pages}");

    // A new phone asks for cursors ahead with its first page.
    let (first, ahead) = page(
        &server,
        &reader,
        None,
        PAGE,
        &[(wire::PULL_AHEAD_HEADER, "64")],
    )
    .await;
    assert!(first.more);
    assert!(
        ahead.len() >= 2,
        "the rest of the feed in ranges: {ahead:?}"
    );
    let mut ranged = keys(&first.changes);
    let froms = std::iter::once(first.next_cursor.clone()).chain(ahead.iter().cloned());
    let untils = ahead.iter().cloned().map(Some).chain([None]);
    let mut pages_per_range = Vec::new();
    for (from, until) in froms.zip(untils) {
        let mut cursor = from;
        pages_per_range.push(0);
        loop {
            *pages_per_range.last_mut().unwrap() += 1;
            let headers: Vec<(&str, &str)> = until
                .as_deref()
                .map(|u| (wire::PULL_UNTIL_HEADER, u))
                .into_iter()
                .collect();
            let (page, more_ahead) = page(&server, &reader, Some(&cursor), PAGE, &headers).await;
            assert!(!page.reset);
            assert!(more_ahead.is_empty(), "asked for none");
            ranged.extend(keys(&page.changes));
            cursor = page.next_cursor.clone();
            match &until {
                // A range's last page ends at its bound and still says more follows.
                Some(until) if *until == cursor => {
                    assert!(page.more, "the feed goes on after a range");
                    break;
                }
                Some(_) => assert!(page.more),
                None if !page.more => break,
                None => {}
            }
        }
    }
    assert!(
        ranged == plain,
        "ranges end to end: every change once, in the feed's order"
    );
    // Each range, the last one too, comes back in one page: no short tail page trails behind
    // a range (one more request, a round trip on a slow link).
    assert!(
        pages_per_range.iter().all(|n| *n == 1),
        "pages per range: {pages_per_range:?}"
    );
}

async fn a_new_phone_pulls_ranges_at_once_and_holds_what_an_old_phone_pulls(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let seller = seller_with_synced_products(&server, 60).await;
    let options = SyncOptions {
        pull_page_bytes: 4 * 1024,
        ..Default::default()
    };
    let new_phone = phone(&server, "081350506060", "135790").await;
    let counting = Counting::new(HttpTransport::new(&server.url, &new_phone.token));
    let old_phone = phone(&server, "081350506060", "135790").await;
    let old = HttpTransport::new(&server.url, &old_phone.token).version_1_only();
    let mut reports = Vec::new();
    for report in [
        new_phone
            .sentra
            .sync(
                &counting,
                &options,
                None::<&NoProgress>,
                &CancelToken::new(),
            )
            .await
            .unwrap(),
        old_phone
            .sentra
            .sync(&old, &options, None::<&NoProgress>, &CancelToken::new())
            .await
            .unwrap(),
    ] {
        assert!(report.completed, "{report:?}");
        reports.push(report);
    }
    assert_eq!(reports[0].pulled, 1 + 60 * 3);
    assert_eq!(
        reports[0].pulled, reports[1].pulled,
        "the same changes, once each"
    );
    assert!(
        counting.ranged.load(Ordering::SeqCst) >= 2,
        "ranges were asked for"
    );
    assert!(
        counting.telling.load(Ordering::SeqCst) >= 1,
        "the first page's head was to tell its cursors ahead"
    );
    let most = counting.most_pulls.load(Ordering::SeqCst);
    assert!(
        (2..=RANGES_IN_FLIGHT).contains(&most),
        "several pages on their way at once, at most {RANGES_IN_FLIGHT}: {most}"
    );

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
    assert_eq!(shop(&new_phone).len(), 60);
    assert!(
        shop(&new_phone) == shop(&seller),
        "the new phone holds the shop"
    );
    assert!(shop(&old_phone) == shop(&seller), "so does the old one");
}

/// The ranges after a page may leave as soon as its head arrives: a page that names cursors
/// ahead names its own next cursor in a header too, and one that names none does not.
async fn a_page_naming_cursors_ahead_names_its_own_next_cursor_in_its_head(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let _seller = seller_with_synced_products(&server, 40).await;
    let reader = phone(&server, "081350506060", "135790").await;
    let body = wire::encode(&PullRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: reader.sentra.device_id(),
        cursor: None,
        max_bytes: 4 * 1024,
    })
    .unwrap();
    let pull = |ahead: Option<&'static str>| {
        let mut request = Client::new()
            .post(format!("{}/v1/sync/pull", server.url))
            .header("content-encoding", "zstd")
            .header("authorization", format!("Bearer {}", reader.token))
            .body(body.clone());
        if let Some(ahead) = ahead {
            request = request.header(wire::PULL_AHEAD_HEADER, ahead);
        }
        request.send()
    };

    let asked = pull(Some("8")).await.unwrap();
    assert_eq!(asked.status(), 200);
    let next = asked.headers()[wire::PULL_NEXT_HEADER]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(asked.headers().get(wire::PULL_AHEAD_HEADER).is_some());
    let page: PullResponse = wire::decode(&asked.bytes().await.unwrap()).unwrap();
    assert!(page.more);
    assert_eq!(next, page.next_cursor, "the head names where the body ends");

    let plain = pull(None).await.unwrap();
    assert!(
        plain.headers().get(wire::PULL_NEXT_HEADER).is_none(),
        "an old phone's page says nothing new in its head"
    );
}
