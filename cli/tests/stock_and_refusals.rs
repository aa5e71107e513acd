//! The producer's day from the command line, against a real server on loopback: stock comes in
//! and is corrected with a reason, a mistyped sale is voided and the history shows it, and a
//! change the server refuses is printed with its reason and discarded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

mod common;

use common::{Server, sentra};
use sentra_core::Role;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_is_restocked_and_corrected_a_sale_voided_and_each_refusal_printed_then_discarded() {
    let server = Server::start().await;
    let laptop = server.file("laptop.db");
    server.login(&laptop, "pendamping", "rahasia-kuat").await;
    let producer = sentra(
        &laptop,
        &[
            "register-producer",
            "--name",
            "Gula Kristal Banyumas",
            "--owner",
            "Darsih",
            "--phone",
            "0813-5555-0001",
            "--region",
            "3302",
            "--sector",
            "food_beverage",
        ],
    )
    .await
    .trim()
    .to_owned();
    let ids = sentra(
        &laptop,
        &[
            "add-product",
            "--producer",
            &producer,
            "--name",
            "Gula Kristal",
            "--category",
            "Gula",
            "--unit",
            "kg",
            "--price",
            "15000",
            "--stock",
            "30",
        ],
    )
    .await;
    let variant = ids.split_whitespace().nth(1).unwrap().to_owned();

    let restocked = sentra(
        &laptop,
        &["restock", "--variant", &variant, "--quantity", "20"],
    )
    .await;
    assert_eq!(restocked.trim(), "stock 50");
    let adjusted = sentra(
        &laptop,
        &[
            "adjust-stock",
            "--variant",
            &variant,
            "--delta",
            "-3",
            "--reason",
            "basah kena hujan",
        ],
    )
    .await;
    assert_eq!(adjusted.trim(), "stock 47");
    let history = sentra(&laptop, &["stock-history", "--variant", &variant]).await;
    assert!(
        history.contains("-3 adjust (basah kena hujan)"),
        "{history}"
    );
    assert!(history.contains("+20 restock"), "{history}");

    let sale = sentra(
        &laptop,
        &[
            "sale",
            "--variant",
            &variant,
            "--quantity",
            "40",
            "--channel",
            "market_stall",
            "--date",
            "2026-11-22",
        ],
    )
    .await
    .trim()
    .to_owned();
    sentra(
        &laptop,
        &["void-sale", "--sale", &sale, "--reason", "salah ketik"],
    )
    .await;
    let sales = sentra(
        &laptop,
        &["sales", "--from", "2026-11-01", "--to", "2026-11-30"],
    )
    .await;
    assert!(sales.contains(&sale), "{sales}");
    assert!(
        sales.contains("VOID dibatalkan/voided: salah ketik"),
        "{sales}"
    );
    let history = sentra(&laptop, &["stock-history", "--variant", &variant]).await;
    assert!(history.contains("+40 void"), "{history}");
    let synced = sentra(&laptop, &["sync"]).await;
    assert!(synced.contains("0 refused"), "{synced}");

    // Darsih's own phone lists a product for a neighbour's shop: the server refuses it.
    server
        .create_account(
            "0813-5555-0001",
            "135790",
            Role::Producer,
            Some(producer.parse().unwrap()),
        )
        .await;
    let phone = server.file("phone.db");
    server.login(&phone, "0813-5555-0001", "135790").await;
    sentra(&phone, &["sync"]).await;
    let neighbour = sentra(
        &phone,
        &[
            "register-producer",
            "--name",
            "Gula Tetangga",
            "--owner",
            "Tetangga",
            "--phone",
            "0813-5555-0002",
            "--region",
            "3302",
            "--sector",
            "food_beverage",
        ],
    )
    .await
    .trim()
    .to_owned();
    sentra(
        &phone,
        &[
            "add-product",
            "--producer",
            &neighbour,
            "--name",
            "Gula Aren",
            "--category",
            "Gula",
            "--unit",
            "kg",
            "--price",
            "20000",
            "--stock",
            "5",
        ],
    )
    .await;
    let synced = sentra(&phone, &["sync"]).await;
    let refused: Vec<&str> = synced
        .lines()
        .filter(|l| l.starts_with("refused #"))
        .collect();
    assert!(refused.len() >= 2, "each refusal on its own line: {synced}");
    assert!(
        refused.iter().any(|l| l.contains(" product create ")
            && l.contains("Akun ini tidak berhak mengubah data ini. / This account may not change this data. (forbidden")),
        "{synced}"
    );
    let listed = sentra(&phone, &["refusals"]).await;
    assert_eq!(listed.lines().count(), refused.len(), "{listed}");
    for line in &refused {
        let seq = line["refused #".len()..].split_whitespace().next().unwrap();
        sentra(&phone, &["discard", "--seq", seq]).await;
    }
    let none = sentra(&phone, &["refusals"]).await;
    assert_eq!(none.trim(), "tidak ada yang ditolak / nothing refused");
    let products = sentra(&phone, &["products"]).await;
    assert!(
        products.contains("Gula Kristal") && !products.contains("Gula Aren"),
        "{products}"
    );
    // The phone's day agrees with the laptop: 47 kg, the voided sale back in stock.
    assert!(products.contains("stock 47"), "{products}");
}
