//! The officials' map: Indonesia's provinces as a choropleth, drawn on the server as inline
//! SVG (no JavaScript, no tiles), each province filled by one column of a dashboard table
//! (producers, or revenue) in five equal steps from the largest value, with its name and figure
//! as a tooltip. The shapes are `map_data/provinces.txt` (from `@svg-maps/indonesia` 1.0.0,
//! CC BY 4.0; `map_data/README.md` says how they were made). A table whose rows are regencies
//! or smaller places is summed into their provinces.

use super::report_tables::{Table, figure};
use super::{Lang, t};
use maud::{Markup, html};
use std::collections::HashMap;

/// The viewBox line, then one shape a line: `codes<TAB>path`.
const SHAPES: &str = include_str!("map_data/provinces.txt");

/// The fills, from the smallest step to the largest; provinces without a figure are grey.
const STEPS: [&str; 5] = ["#f3dccb", "#e5b08f", "#d4845a", "#b0552b", "#7a2e0e"];
const EMPTY: &str = "#e6e6e6";

/// One province shape: the Kemendagri codes it stands for, and its path.
struct Shape {
    codes: Vec<&'static str>,
    path: &'static str,
}

fn shapes() -> (&'static str, Vec<Shape>) {
    let mut lines = SHAPES.lines();
    let view_box = lines.next().unwrap_or("0 0 800 300");
    let shapes = lines
        .filter_map(|line| line.split_once('\t'))
        .map(|(codes, path)| Shape {
            codes: codes.split(',').collect(),
            path,
        })
        .collect();
    (view_box, shapes)
}

/// The step (1..=5) of a positive value, 0 for none.
fn step(value: i64, max: i64) -> usize {
    if value <= 0 || max <= 0 {
        return 0;
    }
    let step = (value as f64 / max as f64 * STEPS.len() as f64).ceil() as usize;
    step.clamp(1, STEPS.len())
}

/// The map of one column of `table`, whose row keys are region codes.
pub(super) fn province_map(lang: Lang, table: &Table, column: usize) -> Markup {
    let money = table.columns.get(column).is_some_and(|c| c.money);
    let mut by_province: HashMap<&str, i64> = HashMap::new();
    for row in &table.rows {
        if let (Some(province), Some(value)) = (row.key.get(..2), row.values.get(column)) {
            *by_province.entry(province).or_default() += value;
        }
    }
    let (view_box, shapes) = shapes();
    let value_of =
        |shape: &Shape| -> i64 { shape.codes.iter().filter_map(|c| by_province.get(c)).sum() };
    let max = shapes.iter().map(value_of).max().unwrap_or(0);
    let unit = table
        .columns
        .get(column)
        .map_or("", |c| c.head.as_str())
        .to_lowercase();
    let legend: Vec<(usize, i64, i64)> = (1..=STEPS.len())
        .map(|s| {
            let low = (max as f64 * (s - 1) as f64 / STEPS.len() as f64).floor() as i64 + 1;
            let high = (max as f64 * s as f64 / STEPS.len() as f64).floor() as i64;
            (s, low, high)
        })
        .filter(|(_, low, high)| low <= high)
        .collect();
    html! {
        figure.map {
            svg viewBox=(view_box) width="793" height="288" role="img"
                aria-label={ (t(lang, "Peta", "Map")) ": " (table.title) } {
                title { (table.title) }
                @for shape in &shapes {
                    @let value = value_of(shape);
                    @let fill = match step(value, max) { 0 => EMPTY, s => STEPS[s - 1] };
                    @let name = shape.codes.iter()
                        .filter_map(|c| sentra_core::regions::province(c))
                        .map(|p| p.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ");
                    path d=(shape.path) fill=(fill) stroke="#fff" stroke-width="0.4"
                        data-kode=(shape.codes.join(",")) data-nilai=(value) {
                        title { (name) ": " (figure(money, value)) " " (unit) }
                    }
                }
            }
            figcaption {
                @if max == 0 {
                    span.muted { (t(lang, "Belum ada angka untuk diwarnai.", "No figures to colour yet.")) }
                } @else {
                    span.muted { (table.columns.get(column).map_or("", |c| c.head.as_str())) ": " }
                    @for (s, low, high) in &legend {
                        span.key { i style={ "background:" (STEPS[s - 1]) } {} " " (figure(money, *low)) "–" (figure(money, *high)) }
                    }
                    span.key { i style={ "background:" (EMPTY) } {} " 0" }
                }
                br;
                small.muted { (t(lang, "Peta", "Map")) ": @svg-maps/indonesia 1.0.0, CC BY 4.0. "
                    (t(lang, "Papua dan Papua Barat digambar dengan batas sebelum 2022.",
                        "Papua and Papua Barat are drawn with their borders before 2022.")) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{STEPS, shapes, step};

    #[test]
    fn every_province_of_the_regions_list_has_a_shape() {
        let (_, shapes) = shapes();
        for province in sentra_core::regions::provinces() {
            assert!(
                shapes
                    .iter()
                    .any(|s| s.codes.contains(&province.code.as_str())),
                "{} ({}) has no shape",
                province.name,
                province.code
            );
        }
        assert_eq!(shapes.len(), 34);
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
