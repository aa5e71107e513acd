//! The demo, read the way an official and the cooperative's admin read it: Rowosari's 146
//! garment makers in 21 clusters with 1,092 workers, the Banyumas sugar cooperative, a few
//! hundred listed products with photos, months of market sales and the three kinds of order,
//! all pushed by simulated phones through the real protocol.

use super::*;
use sentra_server::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_looks_like_rowosari_and_banyumas() {
    let server = server(Backend::Sqlite).await.unwrap();
    let work = tempfile::tempdir().unwrap();
    demo::seed(&server.state, &server.url, work.path())
        .await
        .unwrap();
    let official = web_sign_in(&server, demo::OFFICIAL.0, demo::OFFICIAL.1).await;

    let regencies = csv_export(&server, &official, "/dasbor/ekspor/kabupaten.csv").await;
    assert_eq!(
        cell(&regencies, "3327", "Produsen"),
        146,
        "Rowosari's garment makers"
    );
    assert_eq!(cell(&regencies, "3327", "Tenaga kerja"), 1_092);
    assert_eq!(
        cell(&regencies, "3302", "Produsen"),
        22,
        "the sugar cooperative"
    );
    let listed: i64 = regencies
        .keys()
        .map(|k| cell(&regencies, k, "Produk tayang"))
        .sum();
    assert!((300..=400).contains(&listed), "{listed} listed products");
    let clusters = csv_export(&server, &official, "/dasbor/ekspor/klaster.csv").await;
    let rowosari = clusters
        .values()
        .filter(|r| r["Nama"].starts_with("Sentra Jeans Rowosari — "))
        .count();
    assert_eq!(rowosari, 21);
    assert!(
        clusters
            .values()
            .any(|r| r["Nama"] == "Koperasi Gula Kristal Banyumas" && r["Produsen"] == "22")
    );

    // Orders of every channel, and direct sales over several months.
    let channels = csv_export(&server, &official, "/dasbor/ekspor/kanal.csv").await;
    assert_eq!(
        cell(&channels, "storefront", "Jumlah"),
        36,
        "40 placed, 4 rejected"
    );
    assert_eq!(cell(&channels, "facilitator", "Jumlah"), 10);
    assert_eq!(
        cell(&channels, "cooperative", "Jumlah"),
        3,
        "one ton split in three"
    );
    assert!(cell(&channels, "direct", "Jumlah") > 400);
    let months = csv_export(&server, &official, "/dasbor/ekspor/bulan.csv").await;
    let with_sales = months
        .keys()
        .filter(|m| cell(&months, m, "Penjualan langsung: jumlah") > 0)
        .count();
    assert!(with_sales >= 3, "{months:?}");

    // Every listed product has a photo on the storefront.
    let (status, _, page) = get(&server, "/?q=jeans", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("src=\"/foto/"), "{page}");
    assert!(
        !page.contains("class=\"noimg\""),
        "a product without a photo"
    );

    // The cooperative's admin sees the waiting request from the dashboard.
    let admin = web_sign_in(
        &server,
        demo::COOPERATIVE_ADMIN.0,
        demo::COOPERATIVE_ADMIN.1,
    )
    .await;
    let (_, _, dashboard) = get(&server, "/dasbor", Some(&admin)).await;
    assert!(
        dashboard.contains(
            "Koperasi Gula Kristal Banyumas</a> — 2 permintaan, <strong>1 menunggu dibagi</strong>"
        ),
        "{dashboard}"
    );
}
