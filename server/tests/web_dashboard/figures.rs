//! The dashboard's figures: orders and direct sales under the right channels, months and
//! reach; the CSV exports agree with the page; filters; and a cooperative admin sees only the
//! members of their cooperative.

use super::*;
use sentra_core::orders::Transition;
use sentra_core::sales::NewSale;
use serde_json::json;

on_both_backends!(
    a_storefront_order_and_a_direct_sale_count_under_their_channels_and_the_csv_agrees,
    a_cooperative_admin_sees_only_their_members_figures,
);

/// Places an order through the buyers' API; its id.
async fn order(server: &Server, producer: Id, variant: Id, quantity: i64, regency: &str) -> Id {
    let response = server
        .client
        .post(format!("{}/v1/orders", server.url))
        .json(&json!({
            "key": Id::new().to_string(),
            "producer_id": producer.to_string(),
            "buyer": {
                "name": "Ibu Pembeli",
                "phone": "0857-1111-2222",
                "regency_code": regency,
                "address": "Jl. Pembeli 9",
            },
            "lines": [{ "variant_id": variant.to_string(), "quantity": quantity }],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let placed: serde_json::Value = response.json().await.unwrap();
    placed["order_id"].as_str().unwrap().parse().unwrap()
}

/// This month in Western Indonesia Time, `YYYY-MM`, as the report counts orders.
fn this_month() -> String {
    let now = time::OffsetDateTime::now_utc() + time::Duration::hours(7);
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

async fn a_storefront_order_and_a_direct_sale_count_under_their_channels_and_the_csv_agrees(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    // A jeans maker in Pemalang (Central Java) at Rp 85.000 a pair.
    let (phone, maker, jeans) =
        seller(&server, "Jeans Rowosari", "0812-7100-0001", "3327", 85_000).await;
    // Two pairs to Banyumas (same province), three to Surabaya (another province), and one
    // order the maker rejects, which must not count.
    order(&server, maker, jeans, 2, "3302").await;
    order(&server, maker, jeans, 3, "3578").await;
    let rejected = order(&server, maker, jeans, 7, "3327").await;
    sync(&server, &phone).await;
    phone
        .sentra
        .transition_order(
            rejected,
            &Transition::Reject {
                reason: "Stok habis".into(),
            },
        )
        .unwrap();
    // A market-stall sale of four pairs at Rp 80.000, in January.
    phone
        .sentra
        .record_sale(&NewSale {
            variant_id: jeans.to_string(),
            quantity: 4,
            unit_price: Some(80_000),
            channel: "market_stall".into(),
            sold_on: "2026-01-15".into(),
        })
        .unwrap();
    sync(&server, &phone).await;

    let cookie = official_cookie(&server, "dinas.jateng", "rahasia-kuat-5").await;

    // Channels: storefront 2 orders, Rp 425.000; direct 1 sale, Rp 320.000; nothing else.
    let channels = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv").await;
    assert_eq!(cell(&channels, "storefront", "Jumlah"), 2);
    assert_eq!(cell(&channels, "storefront", "Pendapatan (Rp)"), 425_000);
    assert_eq!(cell(&channels, "direct", "Jumlah"), 1);
    assert_eq!(cell(&channels, "direct", "Pendapatan (Rp)"), 320_000);
    assert_eq!(cell(&channels, "facilitator", "Jumlah"), 0);
    assert_eq!(cell(&channels, "cooperative", "Pendapatan (Rp)"), 0);

    // The page shows the same figures, in rupiah, with a chart and a table for each.
    let (status, _, page) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Rp 425.000") && page.contains("Rp 320.000"),
        "{page}"
    );
    assert_eq!(page.matches("<svg").count(), 8);
    assert_eq!(page.matches("<table").count(), 8);
    for chart in dashboard_charts() {
        assert!(
            page.contains(&format!("href=\"/dasbor/ekspor/{chart}.csv\"")),
            "{chart}"
        );
    }

    // By month: the sale in January, the orders this month, months between filled in.
    let months = csv_export(&server, &cookie, "/dasbor/ekspor/bulan.csv").await;
    assert_eq!(
        cell(&months, "2026-01", "Penjualan langsung: pendapatan (Rp)"),
        320_000
    );
    assert_eq!(cell(&months, "2026-01", "Etalase daring: jumlah"), 0);
    let now = this_month();
    assert_eq!(
        cell(&months, &now, "Etalase daring: pendapatan (Rp)"),
        425_000
    );
    assert_eq!(cell(&months, &now, "Total jumlah"), 2);
    let total: i64 = months
        .keys()
        .map(|m| cell(&months, m, "Total pendapatan (Rp)"))
        .sum();
    assert_eq!(total, 745_000);

    // By region (the producer's province) and by buyers' reach.
    let regions = csv_export(&server, &cookie, "/dasbor/ekspor/wilayah.csv").await;
    assert_eq!(cell(&regions, "33", "Total pendapatan (Rp)"), 745_000);
    assert_eq!(regions["33"]["Nama"], "Jawa Tengah");
    let reach = csv_export(&server, &cookie, "/dasbor/ekspor/jangkauan.csv").await;
    assert_eq!(
        cell(&reach, "same_regency", "Pesanan"),
        0,
        "the rejected one"
    );
    assert_eq!(cell(&reach, "same_province", "Pendapatan (Rp)"), 170_000);
    assert_eq!(cell(&reach, "other_province", "Pendapatan (Rp)"), 255_000);

    // Producers: one in Pemalang, four people, one listed product.
    let regencies = csv_export(&server, &cookie, "/dasbor/ekspor/kabupaten.csv").await;
    assert_eq!(cell(&regencies, "3327", "Produsen"), 1);
    assert_eq!(cell(&regencies, "3327", "Tenaga kerja"), 4);
    assert_eq!(cell(&regencies, "3327", "Produk tayang"), 1);
    let sectors = csv_export(&server, &cookie, "/dasbor/ekspor/sektor.csv").await;
    assert_eq!(cell(&sectors, "fashion_textiles", "Produsen"), 1);

    // Filters: January only keeps the sale; East Java has nothing; the CSV follows the page.
    let january = csv_export(
        &server,
        &cookie,
        "/dasbor/ekspor/kanal.csv?dari=2026-01&sampai=2026-01",
    )
    .await;
    assert_eq!(cell(&january, "storefront", "Jumlah"), 0);
    assert_eq!(cell(&january, "direct", "Pendapatan (Rp)"), 320_000);
    let (_, _, filtered) = get(
        &server,
        "/dasbor?dari=2026-01&sampai=2026-01",
        Some(&cookie),
    )
    .await;
    assert!(filtered.contains("href=\"/dasbor/ekspor/kanal.csv?dari=2026-01&amp;sampai=2026-01\""));
    let east_java = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv?wilayah=35").await;
    assert_eq!(cell(&east_java, "storefront", "Jumlah"), 0);
    assert_eq!(cell(&east_java, "direct", "Jumlah"), 0);
    let pemalang = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv?wilayah=3327").await;
    assert_eq!(cell(&pemalang, "storefront", "Pendapatan (Rp)"), 425_000);

    // A filter that makes no sense is explained, not guessed at.
    let (status, _, page) = get(&server, "/dasbor?dari=2026-13&wilayah=3x", Some(&cookie)).await;
    assert_eq!(status, 422);
    assert!(page.contains("kode wilayah tidak dikenal") && page.contains("TTTT-BB"));
    let (status, _, _) = get(
        &server,
        "/dasbor/ekspor/kanal.csv?dari=2026-05&sampai=2026-02",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _, _) = get(&server, "/dasbor/ekspor/rahasia.csv", Some(&cookie)).await;
    assert_eq!(status, 404);
}

/// The charts the page links to.
fn dashboard_charts() -> [&'static str; 8] {
    sentra_server::web::dashboard::CHARTS
}

async fn a_cooperative_admin_sees_only_their_members_figures(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    // A member in Pemalang and an outsider in Surabaya, each with a direct sale.
    let (member_phone, member, member_variant) = seller(
        &server,
        "Anggota Rowosari",
        "0812-7200-0001",
        "3327",
        60_000,
    )
    .await;
    let (outsider_phone, _outsider, outsider_variant) =
        seller(&server, "Bukan Anggota", "0812-7200-0002", "3578", 90_000).await;
    for (phone, variant, quantity) in [
        (&member_phone, member_variant, 2),
        (&outsider_phone, outsider_variant, 5),
    ] {
        phone
            .sentra
            .record_sale(&NewSale {
                variant_id: variant.to_string(),
                quantity,
                unit_price: None,
                channel: "exhibition".into(),
                sold_on: "2026-02-10".into(),
            })
            .unwrap();
        sync(&server, phone).await;
    }
    // The cooperative, its member and its admin, made by a Sentra admin on the server.
    let admin = account(
        &server,
        "koperasi.rowosari",
        "rahasia-kuat-6",
        Role::CooperativeAdmin,
        None,
    )
    .await;
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| {
                let cooperative =
                    core.create_organisation("cooperative", "Koperasi Jeans Rowosari", "3327")?;
                core.add_member(cooperative, member)?;
                core.add_admin(cooperative, admin)
            })
            .unwrap();
    })
    .await
    .unwrap();

    let cookie = web_sign_in(&server, "koperasi.rowosari", "rahasia-kuat-6").await;
    let (status, _, page) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(page.contains("hanya mencakup anggota koperasi"));
    assert!(page.contains("Rp 120.000"), "the member's sale");
    assert!(!page.contains("Rp 450.000"), "not the outsider's sale");
    assert!(!page.contains("Bukan Anggota"));

    let provinces = csv_export(&server, &cookie, "/dasbor/ekspor/provinsi.csv").await;
    assert_eq!(provinces.len(), 1, "{provinces:?}");
    assert_eq!(cell(&provinces, "33", "Produsen"), 1);
    let channels = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv").await;
    assert_eq!(cell(&channels, "direct", "Pendapatan (Rp)"), 120_000);
    let clusters = csv_export(&server, &cookie, "/dasbor/ekspor/klaster.csv").await;
    assert_eq!(clusters.len(), 1);
    assert!(
        clusters
            .values()
            .any(|r| r["Nama"] == "Koperasi Jeans Rowosari")
    );
    // Asking for the outsider's province shows nothing rather than their figures.
    let east_java = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv?wilayah=35").await;
    assert_eq!(cell(&east_java, "direct", "Jumlah"), 0);

    // An official sees both.
    let official = official_cookie(&server, "dinas.pusat", "rahasia-kuat-7").await;
    let provinces = csv_export(&server, &official, "/dasbor/ekspor/provinsi.csv").await;
    assert_eq!(cell(&provinces, "33", "Produsen"), 1);
    assert_eq!(cell(&provinces, "35", "Produsen"), 1);
    let channels = csv_export(&server, &official, "/dasbor/ekspor/kanal.csv").await;
    assert_eq!(cell(&channels, "direct", "Pendapatan (Rp)"), 570_000);
    assert_eq!(cell(&channels, "direct", "Jumlah"), 2);
}
