//! The dashboard's figures as tables: one [`Table`] per chart (its columns, its rows keyed by a
//! stable code, and how it is drawn), made from a [`Report`]. The page (`dashboard.rs`), the
//! SVG charts (`charts.rs`), the map (`map.rs`) and the CSV exports (`exports.rs`) are all
//! drawn from these, so they always agree.

use super::charts::COLOURS;
use super::{Lang, rupiah, t};
use sentra_core::producers::Sector;
use sentra_core::reports::{Channel, Reach, Report};

/// One column of figures.
pub(super) struct Column {
    /// Its heading on the page.
    pub(super) head: String,
    /// Whether it is rupiah.
    pub(super) money: bool,
}

/// One row: a key (a code), a name, and one figure per column.
pub(super) struct Row {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) values: Vec<i64>,
}

/// How a table is drawn.
pub(super) enum Drawing {
    /// Horizontal bars of one column (the first `limit` rows).
    Bars { column: usize, limit: usize },
    /// One line per column, over the rows in order.
    Lines { columns: Vec<(usize, &'static str)> },
    /// A map of the provinces filled by one column (rows keyed by region codes), or of the
    /// regencies of the province the dashboard is filtered to.
    Map { column: usize },
    /// A map of the regencies of the province the dashboard is filtered to, filled by one
    /// column (rows keyed by regency codes); bars as [`Drawing::Bars`] when it is not filtered.
    RegencyMap { column: usize, limit: usize },
}

/// A chart's figures: what the SVG, the table beside it and the CSV export are all made from.
pub(super) struct Table {
    pub(super) slug: &'static str,
    pub(super) title: &'static str,
    pub(super) columns: Vec<Column>,
    pub(super) rows: Vec<Row>,
    pub(super) drawing: Drawing,
}

fn channel_name(lang: Lang, channel: Channel) -> &'static str {
    match channel {
        Channel::Storefront => t(lang, "Etalase daring", "Online storefront"),
        Channel::Facilitator => t(lang, "Lewat pendamping", "Entered by facilitator"),
        Channel::Cooperative => t(lang, "Pesanan koperasi", "Cooperative bulk"),
        Channel::Direct => t(lang, "Penjualan langsung", "Direct sales"),
    }
}

fn reach_name(lang: Lang, reach: Reach) -> &'static str {
    match reach {
        Reach::SameRegency => t(lang, "Kabupaten/kota yang sama", "Same regency or city"),
        Reach::SameProvince => t(lang, "Provinsi yang sama", "Same province"),
        Reach::OtherProvince => t(lang, "Provinsi lain", "Another province"),
    }
}

fn column(head: &str, money: bool) -> Column {
    Column {
        head: head.to_owned(),
        money,
    }
}

/// Per-channel count and revenue columns, then the totals.
fn split_columns(lang: Lang) -> Vec<Column> {
    let mut columns = Vec::new();
    for channel in Channel::ALL {
        let name = channel_name(lang, channel);
        columns.push(column(
            &format!("{name}: {}", t(lang, "jumlah", "count")),
            false,
        ));
        columns.push(column(
            &format!("{name}: {}", t(lang, "pendapatan", "revenue")),
            true,
        ));
    }
    columns.push(column(t(lang, "Total jumlah", "Total count"), false));
    columns.push(column(t(lang, "Total pendapatan", "Total revenue"), true));
    columns
}

fn split_values(split: &sentra_core::reports::ChannelSplit) -> Vec<i64> {
    let mut values = Vec::new();
    for i in 0..Channel::ALL.len() {
        values.push(split.count[i]);
        values.push(split.revenue[i]);
    }
    values.push(split.total_count());
    values.push(split.total_revenue());
    values
}

/// Every chart's table, from one report.
pub(super) fn tables(lang: Lang, report: &Report) -> Vec<Table> {
    let producer_columns = || {
        vec![
            column(t(lang, "Produsen", "Producers"), false),
            column(t(lang, "Tenaga kerja", "Workforce"), false),
            column(t(lang, "Produk tayang", "Listed products"), false),
        ]
    };
    let producer_rows =
        |groups: &[sentra_core::reports::ProducerGroup],
         name: &dyn Fn(&sentra_core::reports::ProducerGroup) -> String| {
            groups
                .iter()
                .map(|g| Row {
                    key: g.key.clone(),
                    name: name(g),
                    values: vec![g.producers, g.workforce, g.listed_products],
                })
                .collect::<Vec<_>>()
        };
    let plain = |g: &sentra_core::reports::ProducerGroup| g.name.clone();
    let bars = |column| Drawing::Bars { column, limit: 15 };
    vec![
        Table {
            slug: "provinsi",
            title: t(lang, "Produsen per provinsi", "Producers by province"),
            columns: producer_columns(),
            rows: producer_rows(&report.by_province, &plain),
            drawing: Drawing::Map { column: 0 },
        },
        Table {
            slug: "kabupaten",
            title: t(
                lang,
                "Produsen per kabupaten/kota",
                "Producers by regency or city",
            ),
            columns: producer_columns(),
            rows: producer_rows(&report.by_regency, &plain),
            drawing: Drawing::RegencyMap {
                column: 0,
                limit: 15,
            },
        },
        Table {
            slug: "sektor",
            title: t(lang, "Produsen per sektor", "Producers by sector"),
            columns: producer_columns(),
            rows: producer_rows(&report.by_sector, &|g| {
                Sector::parse(&g.key).map_or_else(|| g.key.clone(), |s| s.label(lang).to_owned())
            }),
            drawing: bars(0),
        },
        Table {
            slug: "klaster",
            title: t(
                lang,
                "Produsen per klaster/koperasi",
                "Producers by cluster or cooperative",
            ),
            columns: producer_columns(),
            rows: producer_rows(&report.by_cluster, &|g| {
                if g.key.is_empty() {
                    t(lang, "(tanpa klaster)", "(no cluster)").to_owned()
                } else {
                    g.name.clone()
                }
            }),
            drawing: bars(0),
        },
        Table {
            slug: "kanal",
            title: t(
                lang,
                "Pesanan dan pendapatan per kanal",
                "Orders and revenue by channel",
            ),
            columns: vec![
                column(t(lang, "Jumlah", "Count"), false),
                column(t(lang, "Pendapatan", "Revenue"), true),
            ],
            rows: Channel::ALL
                .into_iter()
                .map(|c| Row {
                    key: c.as_str().to_owned(),
                    name: channel_name(lang, c).to_owned(),
                    values: vec![
                        report.channels.count[c.index()],
                        report.channels.revenue[c.index()],
                    ],
                })
                .collect(),
            drawing: bars(1),
        },
        Table {
            slug: "wilayah",
            title: t(
                lang,
                "Pendapatan per wilayah produsen",
                "Revenue by producers' region",
            ),
            columns: split_columns(lang),
            rows: report
                .by_region
                .iter()
                .map(|r| Row {
                    key: r.code.clone(),
                    name: r.name.clone(),
                    values: split_values(&r.split),
                })
                .collect(),
            drawing: Drawing::Map { column: 9 },
        },
        Table {
            slug: "bulan",
            title: t(lang, "Pendapatan per bulan", "Revenue by month"),
            columns: split_columns(lang),
            rows: report
                .by_month
                .iter()
                .map(|m| Row {
                    key: m.month.clone(),
                    name: month_label(lang, &m.month),
                    values: split_values(&m.split),
                })
                .collect(),
            drawing: Drawing::Lines {
                columns: (0..Channel::ALL.len())
                    .map(|i| (2 * i + 1, COLOURS[i]))
                    .collect(),
            },
        },
        Table {
            slug: "jangkauan",
            title: t(lang, "Jangkauan pembeli", "Buyers' reach"),
            columns: vec![
                column(t(lang, "Pesanan", "Orders"), false),
                column(t(lang, "Pendapatan", "Revenue"), true),
            ],
            rows: report
                .reach
                .iter()
                .map(|r| Row {
                    key: r.reach.as_str().to_owned(),
                    name: reach_name(lang, r.reach).to_owned(),
                    values: vec![r.orders, r.revenue],
                })
                .collect(),
            drawing: bars(0),
        },
    ]
}

/// A month `YYYY-MM` as people write it: "Nov 2026" (Indonesian "Agu", "Okt", "Des").
pub(super) fn month_label(lang: Lang, month: &str) -> String {
    const ID: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ];
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let names = match lang {
        Lang::Id => ID,
        Lang::En => EN,
    };
    match month.split_once('-') {
        Some((year, m)) => match m.parse::<usize>() {
            Ok(n @ 1..=12) => format!("{} {year}", names[n - 1]),
            _ => month.to_owned(),
        },
        None => month.to_owned(),
    }
}

pub(super) fn figure(money: bool, value: i64) -> String {
    if money {
        rupiah(value)
    } else {
        sentra_core::money::format_rupiah(value)
            .trim_start_matches("Rp")
            .trim()
            .to_owned()
    }
}
