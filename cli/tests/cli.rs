//! The `sentra` command line as a facilitator on a laptop would use it, against a real server
//! on loopback: sign in, register a producer, list a product with a photo, record a sale, sync;
//! then the producer signs in on their own "phone" and finds it all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

mod common;

use common::{Server, sentra};
use sentra_core::Role;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facilitator_on_a_laptop_registers_a_producer_who_then_finds_everything_on_their_phone() {
    let server = Server::start().await;
    let url = server.url.clone();

    let laptop = server.file("laptop.db");
    sentra(
        &laptop,
        &[
            "login",
            "--server",
            &url,
            "--login",
            "pendamping",
            "--secret",
            "rahasia-kuat",
        ],
    )
    .await;
    let producer = sentra(
        &laptop,
        &[
            "register-producer",
            "--name",
            "Batik Tulis Bu Narti",
            "--owner",
            "Narti",
            "--phone",
            "0813-1111-2222",
            "--region",
            "3326",
            "--sector",
            "crafts",
        ],
    )
    .await
    .trim()
    .to_owned();
    let photo = server.file("batik.png");
    image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    })
    .save(&photo)
    .unwrap();
    let ids = sentra(
        &laptop,
        &[
            "add-product",
            "--producer",
            &producer,
            "--name",
            "Kain Batik Tulis",
            "--category",
            "Kain",
            "--unit",
            "pcs",
            "--price",
            "350000",
            "--stock",
            "4",
            "--photo",
            photo.to_str().unwrap(),
        ],
    )
    .await;
    let variant = ids.split_whitespace().nth(1).unwrap().to_owned();
    sentra(
        &laptop,
        &[
            "sale",
            "--variant",
            &variant,
            "--quantity",
            "1",
            "--channel",
            "exhibition",
            "--date",
            "2026-11-22",
        ],
    )
    .await;
    let synced = sentra(&laptop, &["sync"]).await;
    assert!(synced.contains("done:"), "{synced}");
    assert!(
        synced.contains("2 photos"),
        "thumbnail and display image: {synced}"
    );

    server
        .create_account(
            "0813-1111-2222",
            "246810",
            Role::Producer,
            Some(producer.parse().unwrap()),
        )
        .await;
    let phone = server.file("phone.db");
    sentra(
        &phone,
        &[
            "login",
            "--server",
            &url,
            "--login",
            "081311112222",
            "--secret",
            "246810",
        ],
    )
    .await;
    sentra(&phone, &["sync"]).await;
    let products = sentra(&phone, &["products"]).await;
    assert!(
        products.contains("Kain Batik Tulis Rp 350.000 stock 3"),
        "{products}"
    );
    assert_eq!(sentra(&phone, &["orders"]).await, "");

    // A bad input is refused with its code, in Indonesian.
    let output = Command::new(env!("CARGO_BIN_EXE_sentra"))
        .args([
            "--db",
            phone.to_str().unwrap(),
            "sale",
            "--variant",
            &variant,
            "--quantity",
            "0",
        ])
        .args(["--channel", "exhibition", "--date", "2026-11-22"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("error validation") && stderr.contains("quantity"),
        "{stderr}"
    );
}

#[test]
fn add_product_with_a_photo_that_is_not_a_photo_fails_and_creates_nothing_even_when_retried() {
    let dir = tempfile::tempdir().unwrap();
    let laptop = dir.path().join("laptop.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sentra"))
            .arg("--db")
            .arg(&laptop)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "register-producer",
        "--name",
        "Gula Kristal Banyumas",
        "--owner",
        "Darsih",
        "--phone",
        "0812-3333-4444",
        "--region",
        "3302",
        "--sector",
        "food_beverage",
    ]);
    assert!(out.status.success(), "{out:?}");
    let producer = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let bad = dir.path().join("IMG_0007.HEIC");
    std::fs::write(&bad, b"\0\0\0\x18ftypheic\0\0\0\0mif1heic").unwrap();
    for _ in 0..2 {
        let out = run(&[
            "add-product",
            "--producer",
            &producer,
            "--name",
            "Gula Kristal 1 kg",
            "--category",
            "Gula",
            "--unit",
            "kg",
            "--price",
            "18000",
            "--photo",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
    }
    let out = run(&["products"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "",
        "no product was made"
    );
}
