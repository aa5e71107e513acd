//! The dashboard's charts as inline SVG, drawn from a [`Table`] of figures: horizontal bars of
//! one column, or one line per column over the months. No JavaScript.

use super::report_tables::{Row, Table, figure};
use super::{Lang, rupiah, t};
use maud::{Markup, html};

pub(super) const COLOURS: [&str; 4] = ["#7a2e0e", "#0b5c8a", "#2e7d32", "#b8860b"];

/// Horizontal bars of one column, largest first as the rows come.
pub(super) fn bar_svg(table: &Table, column: usize, limit: usize) -> Markup {
    let rows: Vec<&Row> = table.rows.iter().take(limit).collect();
    let money = table.columns.get(column).is_some_and(|c| c.money);
    let max = rows
        .iter()
        .filter_map(|r| r.values.get(column).copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let row_h = 22;
    let height = rows.len() * row_h + 4;
    // The label column is as wide as the longest name (about 7 units a character at this
    // size), so "Olahan hasil pertanian" shows whole; very long names wrap to a second chart
    // width rather than being cut.
    let longest = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * 7.0 + 8.0).clamp(60.0, 360.0);
    let bar_w = 185.0;
    let width = (label_w + bar_w + 95.0).ceil();
    let label_chars = ((label_w - 8.0) / 7.0) as usize;
    html! {
        svg viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) role="img"
            aria-label=(table.title) {
            title { (table.title) }
            @for (i, row) in rows.iter().enumerate() {
                @let value = row.values.get(column).copied().unwrap_or(0);
                @let y = i * row_h + 2;
                @let w = (value.max(0) as f64) / (max as f64) * bar_w;
                @let label = short(&row.name, label_chars.max(8));
                text x="0" y=(y + 15) font-size="11" {
                    // Only a name too long even for the widest label column is cut; its whole
                    // name is then the tooltip.
                    @if label != row.name { title { (row.name) } }
                    (label)
                }
                rect x=(label_w) y=(y + 3) width=(format!("{w:.1}")) height="15" fill=(COLOURS[0]) {}
                text x=(format!("{:.1}", label_w + w + 4.0)) y=(y + 15) font-size="11" {
                    (figure(money, value))
                }
            }
        }
    }
}

/// One line per column over the rows (months), with the largest value on the axis.
pub(super) fn line_svg(lang: Lang, table: &Table, columns: &[(usize, &'static str)]) -> Markup {
    let (left, top, width, height) = (62.0, 10.0, 308.0, 160.0);
    let n = table.rows.len();
    let max = table
        .rows
        .iter()
        .flat_map(|r| {
            columns
                .iter()
                .filter_map(|(c, _)| r.values.get(*c).copied())
        })
        .max()
        .unwrap_or(0)
        .max(1);
    let x = |i: usize| {
        if n <= 1 {
            left + width / 2.0
        } else {
            left + width * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: i64| top + height - height * v.max(0) as f64 / max as f64;
    let step = n.div_ceil(6).max(1);
    html! {
        svg viewBox="0 0 400 190" width="400" height="190" role="img" aria-label=(table.title) {
            title { (table.title) }
            line x1=(left) y1=(top + height) x2=(left + width) y2=(top + height) stroke="#999" {}
            line x1=(left) y1=(top) x2=(left) y2=(top + height) stroke="#999" {}
            text x="0" y=(top + 10.0) font-size="10" { (rupiah(max)) }
            text x="0" y=(top + height) font-size="10" { "0" }
            @for (i, row) in table.rows.iter().enumerate() {
                @if i % step == 0 {
                    text x=(format!("{:.1}", x(i))) y=(top + height + 15.0) font-size="10"
                        text-anchor="middle" {
                        (row.name)
                    }
                }
            }
            @for (column, colour) in columns {
                @let points: Vec<String> = table.rows.iter().enumerate()
                    .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(r.values.get(*column).copied().unwrap_or(0))))
                    .collect();
                polyline points=(points.join(" ")) fill="none" stroke=(colour) stroke-width="2" {}
                @for point in &points {
                    @if let Some((px, py)) = point.split_once(',') {
                        circle cx=(px) cy=(py) r="2.5" fill=(colour) {}
                    }
                }
            }
        }
        p.legend {
            @for (column, colour) in columns {
                @if let Some(c) = table.columns.get(*column) {
                    span style={ "color:" (colour) } { "■ " }
                    (c.head.split(':').next().unwrap_or(&c.head)) " "
                }
            }
            span.muted { "(" (t(lang, "pendapatan", "revenue")) ")" }
        }
    }
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
