//! The regency map: an official who filters the dashboard to a province, or clicks it on the
//! province map, sees that province's regencies and cities filled by producers and by revenue,
//! each named, with the same legend, and linked to the dashboard filtered to it.

use super::*;
use sentra_core::sales::NewSale;

on_both_backends!(a_province_click_opens_its_regencies_filled_by_producers_and_revenue,);

/// A direct sale of `quantity` at the variant's price, in March 2026, synced.
async fn sale(server: &Server, phone: &Phone, variant: Id, quantity: i64) {
    phone
        .sentra
        .record_sale(&NewSale {
            variant_id: variant.to_string(),
            quantity,
            unit_price: None,
            channel: "market_stall".into(),
            sold_on: "2026-03-05".into(),
        })
        .unwrap();
    sync(server, phone).await;
}

/// The section of the page that holds one chart.
fn chart<'a>(page: &'a str, slug: &str) -> &'a str {
    let start = page
        .find(&format!("<section class=\"chart\" id=\"{slug}\">"))
        .unwrap_or_else(|| panic!("no chart {slug}"));
    let end = page[start..].find("</section>").unwrap();
    &page[start..start + end]
}

/// One place on a map: the `<a>` around it and the `<path>` with its title.
struct Place {
    href: String,
    label: String,
    current: bool,
    fill: String,
    value: i64,
    title: String,
}

fn place(map: &str, code: &str) -> Place {
    let at = map
        .find(&format!("data-kode=\"{code}\""))
        .unwrap_or_else(|| panic!("no shape for {code}"));
    let a = map[..at].rfind("<a ").unwrap();
    let a_tag = &map[a..a + map[a..].find('>').unwrap()];
    let path = map[..at].rfind("<path").unwrap();
    let path_tag = &map[path..at + map[at..].find('>').unwrap()];
    let attr = |tag: &str, name: &str| {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .map(|v| v[..v.find('"').unwrap()].to_owned())
    };
    let title_at = at + map[at..].find("<title>").unwrap() + "<title>".len();
    Place {
        href: attr(a_tag, "href").unwrap(),
        label: attr(a_tag, "aria-label").unwrap(),
        current: attr(a_tag, "aria-current").is_some(),
        fill: attr(path_tag, "fill").unwrap(),
        value: attr(path_tag, "data-nilai").unwrap().parse().unwrap(),
        title: map[title_at..title_at + map[title_at..].find("</title>").unwrap()].to_owned(),
    }
}

async fn a_province_click_opens_its_regencies_filled_by_producers_and_revenue(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    // Two jeans makers in Pemalang and a sugar maker in Banyumas (Central Java), and a chips
    // maker in Surabaya (East Java), and a rice seller in Merauke (Papua Selatan, a province
    // since 2022), each with a market sale in March.
    let mut sellers = Vec::new();
    for (name, phone_no, regency, price) in [
        ("Jeans Rowosari", "0812-7600-0001", "3327", 85_000),
        ("Jeans Ulujami", "0812-7600-0002", "3327", 90_000),
        ("Gula Kristal Banyumas", "0812-7600-0003", "3302", 18_000),
        ("Keripik Suroboyo", "0812-7600-0004", "3578", 15_000),
        ("Beras Merauke", "0812-7600-0005", "9301", 12_000),
    ] {
        sellers.push(seller(&server, name, phone_no, regency, price).await);
    }
    for ((phone, _, variant), quantity) in sellers.iter().zip([2, 1, 10, 4, 5]) {
        sale(&server, phone, *variant, quantity).await;
    }
    let cookie = official_cookie(&server, "dinas.jateng", "rahasia-kuat-21").await;

    // Unfiltered: the provinces, each a link to the dashboard filtered to it.
    let (status, _, page) = get(&server, "/dasbor", Some(&cookie)).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("<figure class=\"map provinces\">").count(), 2);
    assert!(!page.contains("map regencies"));
    let central_java = place(chart(&page, "provinsi"), "33");
    assert_eq!(central_java.value, 3);
    assert_eq!(central_java.label, "Jawa Tengah: 3 produsen");
    assert_eq!(central_java.href, "/dasbor?wilayah=33#provinsi");
    // Papua Selatan has a shape of its own, not Papua's.
    let papua_selatan = place(chart(&page, "provinsi"), "93");
    assert_eq!(papua_selatan.label, "Papua Selatan: 1 produsen");
    assert_eq!(papua_selatan.href, "/dasbor?wilayah=93#provinsi");
    assert_eq!(place(chart(&page, "provinsi"), "91").value, 0);

    // The official clicks Central Java: its 35 regencies and cities, by producers and by
    // revenue, beside the tables; the province stays outlined on the province map.
    let (status, _, page) = get(&server, &central_java.href, Some(&cookie)).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("<figure class=\"map regencies\">").count(), 2);
    assert!(place(chart(&page, "provinsi"), "33").current);
    let producers = chart(&page, "kabupaten");
    assert!(producers.contains("aria-label=\"Peta: Produsen per kabupaten/kota — Jawa Tengah\""));
    assert_eq!(producers.matches("<path ").count(), 35);
    let pemalang = place(producers, "3327");
    assert_eq!(pemalang.value, 2);
    assert_eq!(
        pemalang.fill, "#7a2e0e",
        "the most producers: the darkest step"
    );
    assert_eq!(pemalang.title, "Kabupaten Pemalang: 2 produsen");
    assert_eq!(pemalang.label, pemalang.title);
    assert_eq!(pemalang.href, "/dasbor?wilayah=3327#kabupaten");
    let banyumas = place(producers, "3302");
    assert_eq!(banyumas.value, 1);
    assert_eq!(banyumas.fill, "#d4845a", "half the most: the third step");
    let cilacap = place(producers, "3301");
    assert_eq!((cilacap.value, cilacap.fill.as_str()), (0, "#e6e6e6"));
    assert!(
        !producers.contains("data-kode=\"3578\""),
        "Surabaya is not in Central Java"
    );
    // The same legend as the province map, and the way back.
    assert!(producers.contains("<span class=\"muted\">Produsen: </span>"));
    assert!(producers.contains("href=\"/dasbor#kabupaten\""));
    assert!(producers.contains("geoBoundaries"));
    // The revenue map: the sales of each regency, in rupiah.
    let revenue = chart(&page, "wilayah");
    assert_eq!(place(revenue, "3327").value, 2 * 85_000 + 90_000);
    assert_eq!(place(revenue, "3302").value, 180_000);
    assert_eq!(
        place(revenue, "3302").title,
        "Kabupaten Banyumas: Rp 180.000"
    );

    // Filtered to Pemalang (the click on it): still Central Java's regencies, Pemalang
    // outlined, Banyumas out of the figures.
    let (status, _, page) = get(&server, &pemalang.href, Some(&cookie)).await;
    assert_eq!(status, 200);
    let producers = chart(&page, "kabupaten");
    let pemalang = place(producers, "3327");
    assert!(pemalang.current);
    assert_eq!(pemalang.value, 2);
    assert_eq!(place(producers, "3302").value, 0);

    // In English: the same map, English names around it.
    let (_, _, page) = get(&server, "/dasbor?wilayah=33&lang=en", Some(&cookie)).await;
    let producers = chart(&page, "kabupaten");
    assert!(producers.contains("aria-label=\"Map: Producers by regency or city — Jawa Tengah\""));
    assert_eq!(
        place(producers, "3327").title,
        "Kabupaten Pemalang: 2 producers"
    );
    assert!(producers.contains("← All provinces"));
}
