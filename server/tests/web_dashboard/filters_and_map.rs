//! The dashboard as an official reads it at a desk: sales filtered by sector and by cluster as
//! well as by month and region, months written "Feb 2026", wide tables in focusable scroll
//! regions, the CSV as Excel in Indonesian reads it, and the province map filled by the figures.

use super::*;
use sentra_core::producers::ProducerPatch;
use sentra_core::sales::NewSale;

on_both_backends!(
    sales_filter_by_sector_and_cluster_and_the_map_fills_the_sellers_provinces,
    the_csv_opens_in_excel_with_indonesian_settings,
);

/// A direct sale of `quantity` at the variant's price, in February 2026, synced.
async fn sale(server: &Server, phone: &Phone, variant: Id, quantity: i64) {
    phone
        .sentra
        .record_sale(&NewSale {
            variant_id: variant.to_string(),
            quantity,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-02-10".into(),
        })
        .unwrap();
    sync(server, phone).await;
}

/// The `<path>` of a province on the map: its fill and its value.
fn province_on_map(page: &str, code: &str) -> (String, i64) {
    let marker = format!("data-kode=\"{code}\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no shape for {code}"));
    let start = page[..at].rfind("<path").unwrap();
    let tag = &page[start..at + page[at..].find('>').unwrap()];
    let attr = |name: &str| {
        let value = tag
            .split(&format!("{name}=\""))
            .nth(1)
            .unwrap_or_else(|| panic!("no {name} in {tag}"));
        value[..value.find('"').unwrap()].to_owned()
    };
    (attr("fill"), attr("data-nilai").parse().unwrap())
}

async fn sales_filter_by_sector_and_cluster_and_the_map_fills_the_sellers_provinces(
    backend: Backend,
) {
    let Some(server) = server(backend).await else {
        return;
    };
    // A jeans maker of the Rowosari cluster in Pemalang (Central Java), and a chips maker in
    // Surabaya (East Java), each with a market sale in February.
    let (jeans_phone, jeans_maker, jeans) =
        seller(&server, "Jeans Rowosari", "0812-7400-0001", "3327", 85_000).await;
    let (chips_phone, chips_maker, chips) = seller(
        &server,
        "Keripik Suroboyo",
        "0812-7400-0002",
        "3578",
        15_000,
    )
    .await;
    chips_phone
        .sentra
        .edit_producer(
            chips_maker,
            &ProducerPatch {
                sector: Some("food_beverage".into()),
                ..Default::default()
            },
        )
        .unwrap();
    sale(&server, &jeans_phone, jeans, 2).await;
    sale(&server, &chips_phone, chips, 10).await;
    let state = server.state.clone();
    let cluster = tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| {
                let cluster =
                    core.create_organisation("cluster", "Sentra Jeans Rowosari", "3327")?;
                core.add_member(cluster, jeans_maker)?;
                Ok(cluster)
            })
            .unwrap()
    })
    .await
    .unwrap();
    let cookie = official_cookie(&server, "dinas.jatim", "rahasia-kuat-12").await;

    // Everything: both sales.
    let all = csv_export(&server, &cookie, "/dasbor/ekspor/kanal.csv").await;
    assert_eq!(cell(&all, "direct", "Pendapatan (Rp)"), 320_000);
    // By sector: the chips only; by cluster: the jeans only.
    let food = csv_export(
        &server,
        &cookie,
        "/dasbor/ekspor/kanal.csv?sektor=food_beverage",
    )
    .await;
    assert_eq!(cell(&food, "direct", "Pendapatan (Rp)"), 150_000);
    let rowosari = csv_export(
        &server,
        &cookie,
        &format!("/dasbor/ekspor/kanal.csv?klaster={cluster}"),
    )
    .await;
    assert_eq!(cell(&rowosari, "direct", "Pendapatan (Rp)"), 170_000);
    let producers = csv_export(
        &server,
        &cookie,
        &format!("/dasbor/ekspor/sektor.csv?klaster={cluster}"),
    )
    .await;
    assert_eq!(producers.len(), 1, "{producers:?}");
    assert_eq!(cell(&producers, "fashion_textiles", "Produsen"), 1);

    // The page offers both filters, keeps the choice, and its CSV links carry it.
    let (status, _, page) = get(&server, "/dasbor?sektor=food_beverage", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<select id=\"sektor\" name=\"sektor\">"),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"food_beverage\" selected>Makanan &amp; minuman</option>")
    );
    assert!(page.contains(&format!(
        "<option value=\"{cluster}\">Sentra Jeans Rowosari</option>"
    )));
    assert!(page.contains("href=\"/dasbor/ekspor/kanal.csv?sektor=food_beverage\""));
    // The map: East Java filled by its one producer, Central Java empty under this filter.
    let (fill, value) = province_on_map(&page, "35");
    assert_eq!(value, 1);
    assert_ne!(fill, "#e6e6e6");
    assert_eq!(province_on_map(&page, "33"), ("#e6e6e6".to_owned(), 0));
    // Without the filter both provinces are filled; the revenue map has the sales.
    let (_, _, page) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(page.matches("<figure class=\"map provinces\">").count(), 2);
    assert_eq!(province_on_map(&page, "33").1, 1);
    let revenue_map = &page[page
        .find("<section class=\"chart\" id=\"wilayah\">")
        .unwrap()..];
    assert_eq!(province_on_map(revenue_map, "33").1, 170_000);
    assert_eq!(province_on_map(revenue_map, "35").1, 150_000);
    // Months as people write them; wide tables scroll in a region a keyboard reaches.
    assert!(page.contains("<td>Feb 2026</td>"), "{page}");
    assert!(!page.contains("<td>2026-02</td>"));
    assert!(page.contains(
        "class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Pendapatan per bulan"
    ));
    // Bar labels are whole: "Olahan hasil pertanian"-long names are not cut.
    assert!(
        page.contains(">Fesyen &amp; tekstil</text>") || page.contains(">Fesyen &amp; tekstil<")
    );

    // A sector or cluster that is not one is explained.
    let (status, _, page) = get(&server, "/dasbor?sektor=otomotif&klaster=x", Some(&cookie)).await;
    assert_eq!(status, 422);
    assert!(page.contains("Sektor: pilih dari daftar."), "{page}");
    assert!(page.contains("Klaster/koperasi: pilih dari daftar."));
    let (status, _, _) = get(
        &server,
        "/dasbor/ekspor/kanal.csv?sektor=otomotif",
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 400);
}

async fn the_csv_opens_in_excel_with_indonesian_settings(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let (phone, maker, variant) = seller(
        &server,
        "Batik Sekar Jagad",
        "0812-7500-0001",
        "3326",
        1_250_000,
    )
    .await;
    sale(&server, &phone, variant, 3).await;
    let state = server.state.clone();
    tokio::task::spawn_blocking(move || {
        state
            .replica()
            .unwrap()
            .act(|core| {
                let group = core.create_organisation(
                    "cluster",
                    "Paguyuban \"Batik; Tulis\", Pekalongan",
                    "3326",
                )?;
                core.add_member(group, maker)
            })
            .unwrap();
    })
    .await
    .unwrap();
    let cookie = official_cookie(&server, "dinas.batik", "rahasia-kuat-13").await;
    let (status, _, body) = get(&server, "/dasbor/ekspor/bulan.csv", Some(&cookie)).await;
    assert_eq!(status, 200);
    // The bytes: a UTF-8 byte-order mark, then `;` between cells and Windows line ends, and no
    // comma anywhere (the decimal mark in Indonesian Excel).
    assert!(body.starts_with('\u{feff}'), "{body:?}");
    let first_line = body.trim_start_matches('\u{feff}').lines().next().unwrap();
    assert!(
        first_line.starts_with("\"Kode\";\"Nama\";\"Etalase daring: jumlah\";"),
        "{first_line}"
    );
    assert!(body.contains("\r\n"));
    assert!(!body.contains(','), "{body}");
    // A name with `;`, a comma and quotes stays one cell.
    let clusters = csv_export(&server, &cookie, "/dasbor/ekspor/klaster.csv").await;
    assert!(
        clusters
            .values()
            .any(|row| row["Nama"] == "Paguyuban \"Batik; Tulis\", Pekalongan"),
        "{clusters:?}"
    );
    // Read as Excel reads it: one column per figure, the month named, rupiah whole.
    let months = csv_export(&server, &cookie, "/dasbor/ekspor/bulan.csv").await;
    assert_eq!(months["2026-02"]["Nama"], "Feb 2026");
    assert_eq!(
        cell(&months, "2026-02", "Penjualan langsung: pendapatan (Rp)"),
        3_750_000
    );
    assert_eq!(months["2026-02"].len(), 12, "every column its own cell");
    let regencies = csv_export(&server, &cookie, "/dasbor/ekspor/kabupaten.csv").await;
    assert_eq!(regencies["3326"]["Nama"], "Kabupaten Pekalongan");
    // In English the headers are English.
    let (_, _, english) = get(&server, "/dasbor/ekspor/kanal.csv?lang=en", Some(&cookie)).await;
    assert!(
        english
            .trim_start_matches('\u{feff}')
            .starts_with("\"Code\";\"Name\";\"Count\";\"Revenue (Rp)\""),
        "{english}"
    );
}
