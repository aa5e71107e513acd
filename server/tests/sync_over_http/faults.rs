//! The protocol under stress: resent batches, skewed clocks, lost and cut messages.

use super::*;

on_both_backends!(
    a_resent_batch_gets_the_same_answers_and_two_phones_of_one_producer_converge,
    a_phone_months_ahead_is_corrected_before_it_pushes_and_a_future_stamp_is_refused,
);

async fn a_resent_batch_gets_the_same_answers_and_two_phones_of_one_producer_converge(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    // A producer registers on their own phone, offline; their account names that producer.
    let mut one = unsigned_phone();
    let me = one
        .sentra
        .register_producer(&producer("Gula Kristal Sumber Manis", "0812-5555-6666"))
        .unwrap();
    account(
        &server,
        "0812-5555-6666",
        "135790",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut one, "081255556666", "135790").await;
    let two = phone(&server, "081255556666", "135790").await;

    let gula = one
        .sentra
        .create_product(&product(me, "Gula Kristal 1 kg", 1))
        .unwrap();
    let batch = one.sentra.sync_push_batch(1 << 20).unwrap().unwrap();
    let client = Client::new();
    let url = format!("{}/v1/sync/push", server.url);
    let first = post(
        &client,
        &url,
        Some(&one.token),
        wire::encode(&batch).unwrap(),
    )
    .await;
    let first: PushResponse = wire::decode(&first.bytes().await.unwrap()).unwrap();
    assert!(
        first.results.iter().all(|r| r.outcome == Outcome::Applied),
        "{first:?}"
    );
    let again = post(
        &client,
        &url,
        Some(&one.token),
        wire::encode(&batch).unwrap(),
    )
    .await;
    let again: PushResponse = wire::decode(&again.bytes().await.unwrap()).unwrap();
    assert!(
        again
            .results
            .iter()
            .all(|r| r.outcome == Outcome::Duplicate)
    );
    one.sentra.sync_settle_push(&again).unwrap();

    sync(&server, &two).await;
    let variant = two.sentra.product(gula).unwrap().variants[0].id;
    for phone in [&one, &two] {
        phone
            .sentra
            .record_sale(&NewSale {
                variant_id: variant.to_string(),
                quantity: 1,
                unit_price: None,
                channel: "market_stall".into(),
                sold_on: "2026-11-22".into(),
            })
            .unwrap();
    }
    for _ in 0..2 {
        sync(&server, &one).await;
        sync(&server, &two).await;
    }
    for phone in [&one, &two] {
        let v = &phone.sentra.product(gula).unwrap().variants[0];
        assert_eq!(
            (v.stock, v.oversold),
            (-1, true),
            "both sales of the last kilo count"
        );
    }
    let metrics = metrics(&server).await;
    let value = |name: &str| metric(&metrics, name);
    assert!(value("sentra_push_entries_applied_total") >= 4);
    assert_eq!(
        value("sentra_push_entries_duplicate_total"),
        4,
        "the resent batch"
    );
    assert_eq!(value("sentra_push_entries_rejected_total"), 0);
}

#[derive(Debug)]
struct Ahead(i64);
impl sentra_core::WallClock for Ahead {
    fn now_ms(&self) -> i64 {
        sentra_core::SystemClock.now_ms() + self.0
    }
}

async fn a_phone_months_ahead_is_corrected_before_it_pushes_and_a_future_stamp_is_refused(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    let six_months = 182 * 24 * 3_600_000;
    let dir = tempfile::tempdir().unwrap();
    let options = sentra_core::OpenOptions {
        wall_clock: Arc::new(Ahead(six_months)),
        ..Default::default()
    };
    let sentra = Sentra::open_with(&dir.path().join("sentra.db"), options).unwrap();
    let me = sentra
        .register_producer(&producer("Tenun Ikat Troso", "0812-7777-8888"))
        .unwrap();
    sentra
        .create_product(&product(me, "Kain Tenun", 2))
        .unwrap();
    account(
        &server,
        "0812-7777-8888",
        "112233",
        Role::Producer,
        Some(me),
    )
    .await;
    let mut skewed = Phone {
        sentra,
        token: String::new(),
        _dir: dir,
    };
    sign_in(&server, &mut skewed, "081277778888", "112233").await;

    // Straight to push, skipping the engine's first pull: the server refuses the future stamps.
    let batch = skewed.sentra.sync_push_batch(1 << 20).unwrap().unwrap();
    let response = post(
        &Client::new(),
        &format!("{}/v1/sync/push", server.url),
        Some(&skewed.token),
        wire::encode(&batch).unwrap(),
    )
    .await;
    let answer: PushResponse = wire::decode(&response.bytes().await.unwrap()).unwrap();
    // The producer and product are refused for their stamps; what depends on them (the
    // variant, its stock) is then refused as unknown. Nothing is applied.
    assert!(
        answer
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Rejected { .. })),
        "{answer:?}"
    );
    for first in &answer.results[..2] {
        assert!(matches!(&first.outcome, Outcome::Rejected { code, .. } if code == "clock_ahead"));
    }

    // The engine pulls first, learns the server's time and re-stamps what waits: all accepted.
    let fresh_dir = tempfile::tempdir().unwrap();
    let options = sentra_core::OpenOptions {
        wall_clock: Arc::new(Ahead(six_months)),
        ..Default::default()
    };
    let sentra = Sentra::open_with(&fresh_dir.path().join("sentra.db"), options).unwrap();
    let other = sentra
        .register_producer(&producer("Tenun Ikat Troso 2", "0812-7777-9999"))
        .unwrap();
    sentra
        .create_product(&product(other, "Kain Tenun 2", 2))
        .unwrap();
    account(
        &server,
        "0812-7777-9999",
        "112233",
        Role::Producer,
        Some(other),
    )
    .await;
    let mut corrected = Phone {
        sentra,
        token: String::new(),
        _dir: fresh_dir,
    };
    sign_in(&server, &mut corrected, "081277779999", "112233").await;
    sync(&server, &corrected).await;
    assert!(corrected.sentra.quarantined().unwrap().is_empty());
    let offset = corrected.sentra.sync_status().unwrap().clock_offset_ms;
    assert!(
        (offset + six_months).abs() < 60_000,
        "offset {offset} measured"
    );
}

/// What a faulty link does to one connection.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// The request never reaches the server.
    LoseRequest,
    /// The server gets the request and answers, but the answer never arrives.
    LoseResponse,
    /// The connection is cut halfway through the request body.
    CutMidBody,
}

/// The request's total length (headers and body), once its headers are in `buf`.
fn request_length(buf: &[u8]) -> Option<usize> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let headers = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let body = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    Some(end + body)
}

/// A TCP proxy in front of the server that applies `faults`, one each, to the first push
/// requests that cross it, and passes everything else through.
async fn faulty_link(upstream: String, faults: Vec<Fault>) -> String {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let faults = Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(
        faults,
    )));
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let faults = faults.clone();
            let upstream = upstream.trim_start_matches("http://").to_owned();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                // Answers flow back unless a fault swallows them.
                let swallow = Arc::new(AtomicBool::new(false));
                let swallowing = swallow.clone();
                let back = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = server_read.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        if !swallowing.load(Ordering::SeqCst)
                            && client_write.write_all(&buf[..n]).await.is_err()
                        {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 256 * 1024];
                while let Ok(n) = client_read.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let fault = if buf[..n].starts_with(b"POST /v1/sync/push") {
                        faults.lock().unwrap().pop_front()
                    } else {
                        None
                    };
                    match fault {
                        None => {
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        Some(Fault::LoseRequest) => break,
                        Some(Fault::CutMidBody) => {
                            let _ = server_write.write_all(&buf[..n / 2]).await;
                            break;
                        }
                        Some(Fault::LoseResponse) => {
                            swallow.store(true, Ordering::SeqCst);
                            let mut have = n;
                            let _ = server_write.write_all(&buf[..n]).await;
                            while request_length(&buf[..have]).is_some_and(|len| have < len) {
                                match client_read.read(&mut buf[have..]).await {
                                    Ok(0) | Err(_) => break,
                                    Ok(m) => {
                                        let _ = server_write.write_all(&buf[have..have + m]).await;
                                        have += m;
                                    }
                                }
                            }
                            // Give the server time to apply it and answer into the void.
                            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                            break;
                        }
                    }
                }
                back.abort();
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_requests_lost_answers_and_cut_bodies_end_with_nothing_lost_and_nothing_twice() {
    let server = server(Backend::Sqlite).await.unwrap();
    let mut seller = unsigned_phone();
    let me = seller
        .sentra
        .register_producer(&producer("Keripik Tempe Bu Yati", "0812-6060-7070"))
        .unwrap();
    for i in 0..30 {
        seller
            .sentra
            .create_product(&product(me, &format!("Keripik Tempe {i}"), 5))
            .unwrap();
    }
    let entries = seller
        .sentra
        .pending_counts()
        .unwrap()
        .iter()
        .map(|p| p.count)
        .sum::<i64>() as u64;
    account(
        &server,
        "0812-6060-7070",
        "445566",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut seller, "081260607070", "445566").await;

    // Every first attempt of each kind of request meets a fault; the engine retries.
    let link = faulty_link(
        server.url.clone(),
        vec![
            Fault::LoseRequest,
            Fault::LoseResponse,
            Fault::CutMidBody,
            Fault::LoseResponse,
            Fault::CutMidBody,
        ],
    )
    .await;
    let transport = HttpTransport::new(&link, &seller.token);
    let options = SyncOptions {
        push_batch_bytes: 4 * 1024,
        first_backoff: std::time::Duration::from_millis(10),
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
    assert!(report.requests > 5, "faults forced retries: {report:?}");
    assert!(
        seller.sentra.sync_push_batch(1 << 20).unwrap().is_none(),
        "nothing left behind"
    );
    assert!(seller.sentra.quarantined().unwrap().is_empty());

    let metrics = metrics(&server).await;
    let value = |name: &str| metric(&metrics, name);
    assert_eq!(
        value("sentra_push_entries_applied_total"),
        entries,
        "each entry applied exactly once"
    );
    assert!(
        value("sentra_push_entries_duplicate_total") > 0,
        "a push answer was lost and the batch resent"
    );

    // Another phone of the same producer gets exactly one copy of everything.
    let other = phone(&server, "081260607070", "445566").await;
    sync(&server, &other).await;
    let shop = other
        .sentra
        .list_products(&sentra_core::catalogue::listing::ProductQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(shop.len(), 30);
    assert!(
        shop.iter().all(|p| p.total_stock == 5),
        "no opening stock counted twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cuts_while_two_push_batches_are_on_their_way_lose_nothing_and_keep_the_phones_order() {
    let server = server(Backend::Sqlite).await.unwrap();
    let mut seller = unsigned_phone();
    let me = seller
        .sentra
        .register_producer(&producer("Gerabah Kasongan Pak Jono", "0812-7171-8181"))
        .unwrap();
    for i in 0..40 {
        seller
            .sentra
            .create_product(&product(me, &format!("Gerabah {i}"), 2))
            .unwrap();
    }
    let order: Vec<Id> = seller
        .sentra
        .sync_push_batch(1 << 20)
        .unwrap()
        .unwrap()
        .entries
        .iter()
        .map(|e| e.change.id)
        .collect();
    account(
        &server,
        "0812-7171-8181",
        "135246",
        Role::Producer,
        Some(me),
    )
    .await;
    sign_in(&server, &mut seller, "081271718181", "135246").await;
    let link = faulty_link(
        server.url.clone(),
        vec![
            Fault::CutMidBody,
            Fault::LoseResponse,
            Fault::LoseRequest,
            Fault::CutMidBody,
            Fault::LoseResponse,
        ],
    )
    .await;
    let transport = HttpTransport::new(&link, &seller.token);
    let options = SyncOptions {
        push_batch_bytes: 2 * 1024,
        first_backoff: std::time::Duration::from_millis(10),
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
        sentra_core::sync::engine::Transport::orders_pushes(&transport),
        "several batches were allowed on their way"
    );
    assert!(seller.sentra.sync_push_batch(1 << 20).unwrap().is_none());
    assert!(seller.sentra.quarantined().unwrap().is_empty());
    let metrics = metrics(&server).await;
    assert_eq!(
        metric(&metrics, "sentra_push_entries_applied_total"),
        order.len() as u64,
        "each entry applied exactly once"
    );

    // The feed holds the phone's entries in the phone's order.
    let reader = phone(&server, "081271718181", "135246").await;
    let body = wire::encode(&wire::PullRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: reader.sentra.device_id(),
        cursor: None,
        max_bytes: 4 * 1024 * 1024,
    })
    .unwrap();
    let page = post(
        &Client::new(),
        &format!("{}/v1/sync/pull", server.url),
        Some(&reader.token),
        body,
    )
    .await;
    let page: PullResponse = wire::decode(&page.bytes().await.unwrap()).unwrap();
    assert_eq!(page.changes.iter().map(|c| c.id).collect::<Vec<_>>(), order);
}
