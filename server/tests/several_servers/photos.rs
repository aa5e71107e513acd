//! A photo uploaded in chunks through different servers completes, and every server serves it.

use super::*;
use sentra_core::sync::wire::PhotoAck;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_photo_uploaded_in_chunks_through_two_servers_completes_and_both_serve_it() {
    let Some(cluster) = cluster(2).await else {
        return;
    };
    let (a, b) = (&cluster.servers[0], &cluster.servers[1]);
    staff(&cluster).await;
    let mut admin = sign_in(a, "admin.pusat", "rahasia-kuat-1").await;
    let jpeg = clean_jpeg(7, 640);
    let hash = blake3::hash(&jpeg).to_hex().to_string();
    let total = jpeg.len();
    assert!(total > 4 * 16_384, "{total} bytes: too few chunks");

    let chunks: Vec<(usize, &[u8])> = jpeg
        .chunks(16_384)
        .enumerate()
        .map(|(n, c)| (n * 16_384, c))
        .collect();
    for (n, (offset, chunk)) in chunks.iter().enumerate() {
        let server = [a, b][n % 2];
        if n == 1 {
            // The same chunk through both at once (a balancer's retry): one takes it, the
            // other answers where the upload stands; neither fails.
            let (one, other) = tokio::join!(
                put_chunk(a, &admin, &hash, *offset, total, chunk),
                put_chunk(b, &admin, &hash, *offset, total, chunk),
            );
            let mut statuses = [one.status, other.status];
            statuses.sort();
            assert!(
                statuses == [200, 200] || statuses == [200, 409],
                "{statuses:?}"
            );
            continue;
        }
        let answer = put_chunk(server, &admin, &hash, *offset, total, chunk).await;
        assert_eq!(answer.status, 200, "chunk {n}: {}", answer.code());
    }
    for server in [a, b] {
        let answer = send(
            server
                .client
                .get(format!("{}/v1/photos/{hash}/status", server.url))
                .header("authorization", format!("Bearer {}", admin.token)),
        )
        .await;
        let ack: PhotoAck = serde_json::from_slice(&answer.body).unwrap();
        assert_eq!(
            (ack.confirmed, ack.complete),
            (total as u64, true),
            "{}",
            server.url
        );
    }

    // Shown with a listed product, it is served by both servers' storefronts.
    let shop = Shop::new();
    let mut changes = shop.producer_changes("Konveksi Foto");
    changes.extend(shop.product_changes("Kaos Foto"));
    let mut photo = valid::photo(shop.product);
    photo["hash"] = serde_json::json!(hash);
    changes.push(change("photo", Id::new(), "create", photo));
    push_applied(b, &mut admin, changes).await;
    for server in [a, b] {
        get_page(server, &format!("/p/{}", shop.product)).await;
        let answer = send(server.client.get(format!("{}/foto/{hash}", server.url))).await;
        assert_eq!(answer.status, 200, "{}", server.url);
        assert_eq!(answer.body, jpeg, "{}", server.url);
    }
}

async fn put_chunk(
    server: &Server,
    session: &Session,
    hash: &str,
    offset: usize,
    total: usize,
    chunk: &[u8],
) -> Answer {
    send(
        server
            .client
            .put(format!(
                "{}/v1/photos/{hash}?offset={offset}&total={total}",
                server.url
            ))
            .header("authorization", format!("Bearer {}", session.token))
            .body(chunk.to_vec()),
    )
    .await
}
