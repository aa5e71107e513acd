//! A mistyped direct sale voided on the producer's second phone, through the real server: the
//! void is its own counted entry, the dashboard's sales by channel and every phone's ledger and
//! stock leave the sale out, and a void that names someone else's sale, no sale, or a sale
//! already voided under another id is refused.

use super::*;
use common::{change, push_raw, sign_in as api_sign_in};
use sentra_core::sales::{NewSale, Period, void_id};
use sentra_core::sync::wire::{Outcome, PushResponse};
use serde_json::json;

on_both_backends!(
    a_sale_voided_on_a_second_phone_leaves_the_dashboard_and_every_ledger,
    a_void_of_someone_elses_sale_no_sale_or_under_another_id_is_refused,
);

fn sale(variant: Id, quantity: i64, price: i64) -> NewSale {
    NewSale {
        variant_id: variant.to_string(),
        quantity,
        unit_price: Some(price),
        channel: "market_stall".into(),
        sold_on: "2026-01-15".into(),
    }
}

fn stock(phone: &Phone, variant: Id) -> i64 {
    phone
        .sentra
        .product_of_variant(variant)
        .unwrap()
        .variants
        .iter()
        .find(|v| v.id == variant)
        .unwrap()
        .stock
}

async fn a_sale_voided_on_a_second_phone_leaves_the_dashboard_and_every_ledger(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (a, _, jeans) = seller(&server, "Jeans Rowosari", "0812-7100-0101", "3327", 85_000).await;
    a.sentra.record_sale(&sale(jeans, 4, 80_000)).unwrap();
    let mistyped = a.sentra.record_sale(&sale(jeans, 40, 80_000)).unwrap();
    sync(&server, &a).await;
    assert_eq!(stock(&a, jeans), 6);

    // Her second phone pulls the sale, and she voids it there; the first phone voids it too,
    // offline: one void between them.
    let mut b = unsigned_phone();
    phone_sign_in(&server, &mut b, "0812-7100-0101", "112233").await;
    sync(&server, &b).await;
    b.sentra
        .void_sale(&mistyped.to_string(), "salah ketik: 4, bukan 40")
        .unwrap();
    a.sentra.void_sale(&mistyped.to_string(), "").unwrap();
    sync(&server, &b).await;
    sync(&server, &a).await;
    sync(&server, &b).await;

    for phone in [&a, &b] {
        assert_eq!(stock(phone, jeans), 46, "the 40 are back once");
        assert_eq!(phone.sentra.recount_stock(jeans).unwrap(), 46);
        let months = phone
            .sentra
            .sales_summary(Period::Month, "2026-01-01", "2026-01-31")
            .unwrap();
        assert_eq!(months.len(), 1);
        assert_eq!((months[0].sales, months[0].revenue), (1, 320_000));
        let history = phone
            .sentra
            .sales_history("2026-01-01", "2026-01-31", 10)
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history.iter().filter(|e| e.voided_at.is_some()).count(), 1);
    }

    let cookie = official_cookie(&server, "dinas.jateng", "rahasia-kuat-5").await;
    let channels = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv").await;
    assert_eq!(cell(&channels, "direct", "Jumlah"), 1);
    assert_eq!(cell(&channels, "direct", "Pendapatan (Rp)"), 320_000);
    // The server's own merged state (its replica) holds the same stock.
    let state = server.state.clone();
    let stock = tokio::task::spawn_blocking(move || {
        let replica = state.replica().unwrap();
        replica.refresh().unwrap();
        replica.core().recount_stock(jeans).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(stock, 46);
}

async fn a_void_of_someone_elses_sale_no_sale_or_under_another_id_is_refused(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (victim, _, jeans) =
        seller(&server, "Jeans Korban", "0812-7100-0201", "3327", 85_000).await;
    let theirs = victim.sentra.record_sale(&sale(jeans, 2, 85_000)).unwrap();
    sync(&server, &victim).await;
    let (mine, _, sugar) = seller(&server, "Gula Kristal", "0812-7100-0202", "3302", 15_000).await;
    let my_sale = mine.sentra.record_sale(&sale(sugar, 1, 15_000)).unwrap();
    sync(&server, &mine).await;

    let mut attacker = api_sign_in(&server, "0812-7100-0202", "112233").await;
    let void = |sale: Id, id: Id| {
        change(
            "sale_void",
            id,
            "append",
            json!({"sale_id": sale.to_string(), "reason": "", "voided_at": common::now_ms()}),
        )
    };
    let cases = [
        (
            "someone else's sale",
            void(theirs, void_id(theirs)),
            "forbidden",
        ),
        (
            "no sale named",
            {
                let mut entry = void(my_sale, void_id(my_sale));
                entry.fields.remove("sale_id");
                entry
            },
            "validation",
        ),
        (
            "an unknown sale",
            {
                let ghost = Id::new();
                void(ghost, void_id(ghost))
            },
            "unknown_reference",
        ),
        (
            "my sale under another id",
            void(my_sale, Id::new()),
            "validation",
        ),
    ];
    for (what, entry, code) in cases {
        let answer = push_raw(&server, &mut attacker, vec![entry]).await;
        assert_eq!(answer.status, 200, "{what}");
        let response: PushResponse = answer.decode();
        match &response.results[0].outcome {
            Outcome::Rejected { code: got, .. } => assert_eq!(got, code, "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    // Their sale still counts on their phone and on the dashboard.
    sync(&server, &victim).await;
    assert_eq!(stock(&victim, jeans), 48);
    let summary = victim
        .sentra
        .sales_summary(Period::Month, "2026-01-01", "2026-01-31")
        .unwrap();
    assert_eq!(summary[0].revenue, 170_000);
    // Her own honest void goes through.
    let answer = push_raw(
        &server,
        &mut attacker,
        vec![void(my_sale, void_id(my_sale))],
    )
    .await;
    let response: PushResponse = answer.decode();
    assert_eq!(response.results[0].outcome, Outcome::Applied);
}
