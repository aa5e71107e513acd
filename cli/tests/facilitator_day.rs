//! A facilitator's whole day from the command line, against a real server on loopback: find a
//! region by name, register a producer and list a product, take three buyers' orders through
//! the server's order API, then accept, ship, complete and reject them, search the catalogue,
//! and put the producer into a cluster and take them out again; the server agrees with all of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

mod common;

use common::{Server, id_on_line_with, sentra};
use serde_json::{Value, json};
use std::process::Command;

/// A buyer's order of one item through `POST /v1/orders`; its code.
async fn order(url: &str, producer: &str, variant: &str, buyer: &str) -> String {
    let body = json!({
        "key": uuid::Uuid::new_v4().to_string(), "producer_id": producer, "note": "",
        "buyer": {"name": buyer, "phone": "0857-1111-4321", "regency_code": "3374",
                  "address": "Jl. Pemuda 12, Semarang"},
        "lines": [{"variant_id": variant, "quantity": 1}],
    });
    let answer = reqwest::Client::new()
        .post(format!("{url}/v1/orders"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 201);
    let placed: Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    placed["code"].as_str().unwrap().to_owned()
}

/// The status the buyer sees on the server for an order.
async fn status_on_server(url: &str, code: &str) -> String {
    let answer = reqwest::get(format!("{url}/v1/orders/{code}?phone_last4=4321"))
        .await
        .unwrap();
    let seen: Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    seen["status"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facilitators_whole_day_of_orders_search_and_clusters_works_from_the_command_line() {
    let server = Server::start().await;
    let url = server.url.clone();

    let laptop = server.file("laptop.db");
    let login = [
        "login",
        "--server",
        &url,
        "--login",
        "pendamping",
        "--secret",
        "rahasia-kuat",
    ];
    sentra(&laptop, &login).await;
    // The region by name, not by code.
    let found = sentra(&laptop, &["regions", "kab", "pemalang"]).await;
    assert_eq!(found, "3327 Kabupaten Pemalang\n");
    let producer = sentra(
        &laptop,
        &[
            "register-producer",
            "--name",
            "Konveksi Rowosari Jaya",
            "--owner",
            "Siti",
            "--phone",
            "0812-3456-7890",
            "--region",
            "3327",
            "--sector",
            "fashion_textiles",
            "--consent",
            "2026-11-01",
        ],
    )
    .await
    .trim()
    .to_owned();
    let made = sentra(
        &laptop,
        &[
            "add-product",
            "--producer",
            &producer,
            "--name",
            "Celana Jeans Rowosari",
            "--category",
            "Celana",
            "--unit",
            "pcs",
            "--price",
            "150000",
            "--stock",
            "10",
        ],
    )
    .await;
    let (product, variant) = made.trim().split_once(' ').unwrap();
    let synced = sentra(&laptop, &["sync"]).await;
    assert!(synced.contains("0 refused"), "{synced}");

    let to_ship = order(&url, &producer, variant, "Budi").await;
    let to_reject = order(&url, &producer, variant, "Ani").await;
    sentra(&laptop, &["sync"]).await;
    let waiting = sentra(&laptop, &["orders"]).await;
    assert_eq!(waiting.lines().count(), 2, "{waiting}");
    let shipped = id_on_line_with(&waiting, &to_ship);
    let rejected = id_on_line_with(&waiting, &to_reject);

    sentra(&laptop, &["accept", &shipped]).await;
    let out = sentra(
        &laptop,
        &[
            "ship",
            &shipped,
            "--courier",
            "JNE",
            "--tracking",
            "JNE0012345678",
        ],
    )
    .await;
    assert_eq!(out, "shipped\n");
    assert!(
        sentra(&laptop, &["orders", "--tab", "shipped"])
            .await
            .contains(&to_ship)
    );
    assert_eq!(
        sentra(&laptop, &["complete", &shipped]).await,
        "completed\n"
    );
    let out = sentra(&laptop, &["reject", &rejected, "--reason", "Stok habis"]).await;
    assert_eq!(out, "rejected\n");
    assert!(
        sentra(&laptop, &["orders", "--tab", "completed"])
            .await
            .contains(&to_ship)
    );
    assert!(
        sentra(&laptop, &["orders", "--tab", "cancelled"])
            .await
            .contains(&to_reject)
    );
    assert_eq!(sentra(&laptop, &["orders"]).await, "");
    // A reject needs its reason, a ship its courier; a wrong id is said so.
    let refused = Command::new(env!("CARGO_BIN_EXE_sentra"))
        .arg("--db")
        .arg(&laptop)
        .args(["ship", &shipped])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--courier is required"));

    // Search the catalogue.
    let hits = sentra(&laptop, &["search", "jeans"]).await;
    assert!(hits.starts_with(product), "{hits}");
    assert!(hits.contains("Rp 150.000"), "{hits}");
    assert_eq!(sentra(&laptop, &["search", "sarung"]).await, "");

    // Into a cluster and out again.
    let cluster = sentra(
        &laptop,
        &[
            "create-organisation",
            "--kind",
            "cluster",
            "--name",
            "Sentra Jeans Rowosari",
            "--region",
            "3327",
        ],
    )
    .await
    .trim()
    .to_owned();
    let pair = ["--organisation", &cluster, "--producer", &producer];
    sentra(&laptop, &[&["add-member"][..], &pair].concat()).await;
    let listed = sentra(&laptop, &["organisations"]).await;
    assert!(
        listed.contains("Sentra Jeans Rowosari (1 members)"),
        "{listed}"
    );
    sentra(&laptop, &[&["remove-member"][..], &pair].concat()).await;
    let listed = sentra(&laptop, &["organisations"]).await;
    assert!(
        listed.contains("Sentra Jeans Rowosari (0 members)"),
        "{listed}"
    );

    let synced = sentra(&laptop, &["sync"]).await;
    assert!(synced.contains("0 refused"), "{synced}");
    assert_eq!(status_on_server(&url, &to_ship).await, "completed");
    assert_eq!(status_on_server(&url, &to_reject).await, "rejected");
    // A second laptop of the same facilitator finds the cluster empty.
    let tablet = server.file("tablet.db");
    sentra(&tablet, &login).await;
    sentra(&tablet, &["sync"]).await;
    let listed = sentra(&tablet, &["organisations"]).await;
    assert!(
        listed.contains("Sentra Jeans Rowosari (0 members)"),
        "{listed}"
    );
}
