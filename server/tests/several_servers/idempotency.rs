//! What a balancer's retry does: the same request sent to two servers at once. A push must get
//! the answers a resend to one server gets (each entry applied once, a duplicate the other
//! time, never a 500), and one order request key must make one order. Each case repeats the
//! race several times, since one round may happen not to interleave.

use super::*;
use sentra_core::sync::wire::{self, Outcome, PushEntry, PushRequest, PushResponse};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_push_through_two_servers_at_once_answers_as_a_resend_would() {
    let Some(cluster) = cluster(2).await else {
        return;
    };
    let (a, b) = (&cluster.servers[0], &cluster.servers[1]);
    staff(&cluster).await;
    let mut device = sign_in(a, "admin.pusat", "rahasia-kuat-1").await;
    let mut puller = Puller::new(sign_in(b, "admin.pusat", "rahasia-kuat-1").await);
    let mut shops = Vec::new();
    for round in 0..8 {
        let shop = Shop::new();
        let mut changes = shop.producer_changes(&format!("Konveksi {round}"));
        changes.extend(shop.product_changes(&format!("Kaos {round}")));
        let body = push_body(&mut device, changes);
        let (through_a, through_b) = tokio::join!(
            post_zstd(a, "/v1/sync/push", Some(&device.token), body.clone()),
            post_zstd(b, "/v1/sync/push", Some(&device.token), body.clone()),
        );
        let answers: Vec<PushResponse> = [through_a, through_b]
            .iter()
            .map(|answer| {
                assert_eq!(
                    answer.status,
                    200,
                    "round {round}: {}",
                    String::from_utf8_lossy(&answer.body)
                );
                answer.decode()
            })
            .collect();
        for (one, other) in answers[0].results.iter().zip(&answers[1].results) {
            assert_eq!(one.seq, other.seq);
            let mut outcomes = [&one.outcome, &other.outcome];
            outcomes.sort_by_key(|o| matches!(o, Outcome::Duplicate));
            assert_eq!(
                outcomes,
                [&Outcome::Applied, &Outcome::Duplicate],
                "round {round}, entry {}",
                one.seq
            );
        }
        // A resend to one server now: every entry a duplicate.
        let again: PushResponse = post_zstd(a, "/v1/sync/push", Some(&device.token), body)
            .await
            .decode();
        assert!(
            again
                .results
                .iter()
                .all(|r| r.outcome == Outcome::Duplicate)
        );
        shops.push(shop);
    }
    puller.pull(b).await;
    for shop in &shops {
        assert_eq!(puller.times("producer", shop.producer, "create"), 1);
        assert_eq!(puller.times("product", shop.product, "create"), 1);
        assert_eq!(puller.times("variant", shop.variant, "create"), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_order_key_through_two_servers_at_once_makes_one_order() {
    let Some(cluster) = cluster(2).await else {
        return;
    };
    let (a, b) = (&cluster.servers[0], &cluster.servers[1]);
    staff(&cluster).await;
    let mut admin = sign_in(a, "admin.pusat", "rahasia-kuat-1").await;
    let mut puller = Puller::new(sign_in(b, "admin.pusat", "rahasia-kuat-1").await);
    let shop = Shop::new();
    let mut changes = shop.producer_changes("Konveksi Pesanan");
    changes.extend(shop.product_changes("Kaos Pesanan"));
    push_applied(a, &mut admin, changes).await;
    let mut orders = Vec::new();
    for round in 0..4 {
        let body = serde_json::json!({
            "key": format!("pesan-{round}-{}", Id::new()),
            "producer_id": shop.producer.to_string(),
            "buyer": {"name": "Pak Budi", "phone": "+6281298765432", "regency_code": "3302",
                      "address": "Jl. Pembeli 1, Purwokerto"},
            "note": "",
            "lines": [{"variant_id": shop.variant.to_string(), "quantity": 1}],
        })
        .to_string();
        let (through_a, through_b) = tokio::join!(place(a, body.clone()), place(b, body));
        let placed: Vec<serde_json::Value> = [through_a, through_b]
            .iter()
            .map(|answer| {
                assert_eq!(
                    answer.status,
                    201,
                    "round {round}: {}",
                    String::from_utf8_lossy(&answer.body)
                );
                serde_json::from_slice(&answer.body).unwrap()
            })
            .collect();
        assert_eq!(
            placed[0]["order_id"], placed[1]["order_id"],
            "round {round}"
        );
        assert_eq!(placed[0]["code"], placed[1]["code"], "round {round}");
        orders.push(
            placed[0]["order_id"]
                .as_str()
                .unwrap()
                .parse::<Id>()
                .unwrap(),
        );
    }
    puller.pull(b).await;
    for order in orders {
        assert_eq!(puller.times("order", order, "create"), 1, "order {order}");
    }
}

/// A device that resends some entries among new ones, out of order and with gaps in its seqs,
/// gets each entry's own answer: the server reads what it answered before by runs of
/// consecutive seqs, and no run may take in a seq the device did not send.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resend_mixing_answered_and_new_entries_with_gaps_answers_each_by_its_seq() {
    let Some(cluster) = cluster(1).await else {
        return;
    };
    let server = &cluster.servers[0];
    staff(&cluster).await;
    let device = sign_in(server, "admin.pusat", "rahasia-kuat-1").await;
    let push = |entries: Vec<(i64, Change)>| {
        wire::encode(&PushRequest {
            version: wire::PROTOCOL_VERSION,
            device_id: device.device,
            entries: entries
                .into_iter()
                .map(|(seq, change)| PushEntry { seq, change })
                .collect(),
        })
        .unwrap()
    };
    let first = Shop::new();
    let mut first_changes = first.producer_changes("Konveksi Rowosari");
    first_changes.extend(first.product_changes("Kaos Lurik"));
    let numbered: Vec<(i64, Change)> = (10..).zip(first_changes.clone()).collect();
    let answer: PushResponse =
        post_zstd(server, "/v1/sync/push", Some(&device.token), push(numbered))
            .await
            .decode();
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied));

    // The second of those again, between two new entries whose seqs leave gaps, then the first.
    let second = Shop::new();
    let mut new = second.producer_changes("Batik Pekalongan");
    new.extend(second.product_changes("Kain Batik"));
    let mixed = vec![
        (30, new[0].clone()),
        (11, first_changes[1].clone()),
        (32, new[1].clone()),
        (10, first_changes[0].clone()),
    ];
    let answer: PushResponse = post_zstd(server, "/v1/sync/push", Some(&device.token), push(mixed))
        .await
        .decode();
    let outcomes: Vec<(i64, &Outcome)> =
        answer.results.iter().map(|r| (r.seq, &r.outcome)).collect();
    assert_eq!(
        outcomes,
        [
            (30, &Outcome::Applied),
            (11, &Outcome::Duplicate),
            (32, &Outcome::Applied),
            (10, &Outcome::Duplicate),
        ]
    );
    // Seq 31, between them but never sent, had no answer: sending it now applies it.
    let rest = vec![(31, new[2].clone()), (33, new[3].clone())];
    let answer: PushResponse = post_zstd(server, "/v1/sync/push", Some(&device.token), push(rest))
        .await
        .decode();
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied));
}

/// A push request of `changes` as the session's next entries, encoded.
fn push_body(session: &mut Session, changes: Vec<Change>) -> Vec<u8> {
    let entries = changes
        .into_iter()
        .map(|change| {
            session.seq += 1;
            PushEntry {
                seq: session.seq - 1,
                change,
            }
        })
        .collect();
    wire::encode(&PushRequest {
        version: wire::PROTOCOL_VERSION,
        device_id: session.device,
        entries,
    })
    .unwrap()
}
