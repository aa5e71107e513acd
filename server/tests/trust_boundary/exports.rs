//! Formulas planted in the dashboard's CSV files: a sale dated `=1+2+3` (the month column) and
//! a cooperative named like a formula (the name column). No text cell of any export may start
//! a formula in a spreadsheet; the figures stay numbers.

use super::*;
use serde_json::json;

on_both_backends!(a_formula_in_a_sale_date_or_a_name_is_neutralised_in_every_csv,);

/// The characters a spreadsheet reads as the start of a formula.
const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

async fn a_formula_in_a_sale_date_or_a_name_is_neutralised_in_every_csv(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let seller = shop(
        &server,
        "0812-7300-0030",
        "+Usaha Rumus",
        "=Kain Rumus",
        true,
    )
    .await;
    // A sale whose date is a formula, pushed straight to the API by a tampered phone (the
    // push may refuse it as an invalid date: either way no CSV may carry it as a formula).
    let mut tampered = sign_in(&server, "0812-7300-0030", "246810").await;
    let pushed = push_raw(
        &server,
        &mut tampered,
        vec![change(
            "sale",
            Id::new(),
            "append",
            json!({"variant_id": seller.variant.to_string(), "quantity": 1,
                   "unit_price": 85_000, "channel": "market_stall", "sold_on": "=1+2+3",
                   "created_at": now_ms()}),
        )],
    )
    .await;
    let formula_date_applied = pushed.status == 200
        && matches!(
            pushed.decode::<wire::PushResponse>().results[0].outcome,
            wire::Outcome::Applied
        );
    // A cooperative named like a formula, which stays a valid name.
    let state = server.state.clone();
    let member = seller.producer;
    tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| {
                let named = core.create_organisation(
                    "cooperative",
                    "=HYPERLINK(\"http://jahat.example\",\"klik\")",
                    "3327",
                )?;
                core.add_member(named, member)?;
                let other = core.create_organisation("cluster", "@SUM(1+1)", "3327")?;
                core.add_member(other, member)
            })
            .unwrap();
    })
    .await
    .unwrap();
    account(
        &server,
        "dinas.jateng",
        "rahasia-kuat-5",
        Role::Official,
        None,
    )
    .await;
    let cookie = web_sign_in(&server, "dinas.jateng", "rahasia-kuat-5").await;

    let mut names_seen = Vec::new();
    for chart in sentra_server::web::dashboard::CHARTS {
        let answer = send(
            server
                .client
                .get(format!("{}/dasbor/ekspor/{chart}.csv", server.url))
                .header("cookie", &cookie),
        )
        .await;
        assert_eq!(answer.status, 200, "{chart}: {}", text(&answer));
        assert_eq!(answer.headers["x-content-type-options"], "nosniff");
        // As Excel with Indonesian settings reads it: a byte-order mark, `;` between cells.
        let body = answer
            .body
            .strip_prefix("\u{feff}".as_bytes())
            .expect("a byte-order mark");
        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
        let header = reader.headers().unwrap().clone();
        for cell in header.iter() {
            assert!(!cell.starts_with(FORMULA_LEADS), "{chart}: header {cell:?}");
        }
        for record in reader.records() {
            let record = record.unwrap();
            for (column, cell) in header.iter().zip(record.iter()) {
                let is_number = cell.parse::<i64>().is_ok();
                // Figures are numbers (a negative one would be a formula lead; none are).
                if column != "Kode" && column != "Nama" {
                    assert!(is_number, "{chart}.{column}: {cell:?} is not a number");
                    continue;
                }
                assert!(
                    !cell.starts_with(FORMULA_LEADS),
                    "{chart}.{column}: {cell:?} starts a formula"
                );
                names_seen.push(cell.to_owned());
            }
        }
    }
    // The names are there, neutralised, not dropped.
    assert!(
        names_seen.iter().any(|n| n.starts_with("'=HYPERLINK")),
        "{names_seen:?}"
    );
    assert!(
        names_seen.iter().any(|n| n == "'@SUM(1+1)"),
        "{names_seen:?}"
    );
    // The tampered sale's month, when the push took it.
    if formula_date_applied {
        assert!(
            names_seen.iter().any(|n| n == "'=1+2+3"),
            "the month of the sale: {names_seen:?}"
        );
    }
}
