//! The report: each benchmark writes one section of `docs/benchmarks.md`, between markers, so
//! one benchmark can be run again alone and replace only its own section.
//!
//! Every section says when and on what it ran, the exact command, the settings, the raw figures,
//! the ratio to the anchor from the same run, and the goal; a missed goal reads **no**.

use crate::error::Result;
use std::path::Path;

/// The order of sections in the document.
pub const ORDER: [&str; 6] = ["photo", "sync", "upload", "load", "store", "footprint"];

/// How the core's benches are built for real figures (`scripts/bench`): the "Build" line of the
/// photo and store sections.
pub const MOBILE_BUILD: &str = "`cargo bench --profile mobile`: the profile the apps' library is \
     built with (root `Cargo.toml`: Sentra's core, the codecs and the resizer at `opt-level = 3`, \
     SQLite at `\"s\"`, the rest at `\"z\"`, fat LTO), so the figures are the code a phone runs";

/// One benchmark's part of the document.
#[derive(Debug, Clone)]
pub struct Section {
    key: String,
    body: String,
}

impl Section {
    /// A section for benchmark `key` (`photo`, `sync`, …) headed `title`, with the machine line
    /// and the command that reproduces it.
    pub fn new(key: &str, title: &str, command: &str) -> Self {
        let mut s = Section {
            key: key.into(),
            body: format!("## {title}\n\n"),
        };
        s.fact("Run", &crate::measure::machine());
        s.fact("Command", &format!("`{command}`"));
        s
    }

    /// A bullet `- **label:** text`.
    pub fn fact(&mut self, label: &str, text: &str) {
        self.body.push_str(&format!("- **{label}:** {text}\n"));
    }

    /// A paragraph.
    pub fn para(&mut self, text: &str) {
        self.body.push('\n');
        self.body.push_str(text.trim());
        self.body.push('\n');
    }

    /// A table.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) {
        self.body.push('\n');
        self.body
            .push_str(&format!("| {} |\n", headers.join(" | ")));
        self.body
            .push_str(&format!("|{}\n", "---|".repeat(headers.len())));
        for row in rows {
            self.body.push_str(&format!("| {} |\n", row.join(" | ")));
        }
    }

    /// The section's markdown, between its markers.
    pub fn render(&self) -> String {
        format!(
            "<!-- bench:{key} -->\n{}<!-- /bench:{key} -->\n",
            self.body,
            key = self.key
        )
    }
}

/// A goal's cell: `yes`, `**no**`, or `n/a` when there is nothing to compare.
pub fn met(ok: Option<bool>) -> String {
    match ok {
        Some(true) => "yes".into(),
        Some(false) => "**no**".into(),
        None => "n/a".into(),
    }
}

/// `a / b` as `0.123×`, or `n/a` when `b` is zero.
pub fn ratio(a: f64, b: f64) -> String {
    if b == 0.0 {
        "n/a".into()
    } else {
        format!("{:.3}×", a / b)
    }
}

/// An integer with thousands separators: `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds or seconds, whichever reads better.
pub fn duration(d: std::time::Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

const HEADER: &str = "# Benchmarks

Written by `scripts/bench` (all benchmarks; `scripts/bench photo|sync|upload|load|store|footprint`
runs one and replaces only its section; `scripts/bench --quick` is the CI smoke run, which writes
to `target/bench-out/` and never here). Each section says when and on what it ran, the exact
command, the settings, the raw figures, and the ratio to its anchor measured side by side in the
same run. These machines are shared and noisy (other builds run on the same 2 cores), so absolute
times drift from run to run while ratios hold better. A goal that is missed reads **no** and
stays visible.
";

/// Writes `section` into the document at `path`: it replaces the section's earlier run, or is
/// placed in [`ORDER`]. A document without markers (or none) starts again from the header.
pub fn write_section(path: &Path, section: &Section) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let mut sections: Vec<(String, String)> = Vec::new();
    if old.contains("<!-- bench:") {
        let mut rest = old.as_str();
        while let Some(start) = rest.find("<!-- bench:") {
            let after = &rest[start + "<!-- bench:".len()..];
            let Some(key_end) = after.find(" -->") else {
                break;
            };
            let key = &after[..key_end];
            let end_marker = format!("<!-- /bench:{key} -->\n");
            let Some(end) = rest.find(&end_marker) else {
                break;
            };
            sections.push((
                key.to_owned(),
                rest[start..end + end_marker.len()].to_owned(),
            ));
            rest = &rest[end + end_marker.len()..];
        }
    }
    sections.retain(|(key, _)| key != &section.key);
    sections.push((section.key.clone(), section.render()));
    let place = |key: &str| ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len());
    sections.sort_by_key(|(key, _)| place(key));
    let mut doc = String::from(HEADER);
    for (_, text) in sections {
        doc.push('\n');
        doc.push_str(&text);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, doc)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_replaces_its_earlier_run_and_keeps_the_others_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("benchmarks.md");
        std::fs::write(&path, "# Old hand-written notes\n").unwrap();
        let mut store = Section::new("store", "Store", "scripts/bench store");
        store.fact("figure", "first");
        write_section(&path, &store).unwrap();
        let mut photo = Section::new("photo", "Photo", "scripts/bench photo");
        photo.table(&["a", "b"], &[vec!["1".into(), "2".into()]]);
        write_section(&path, &photo).unwrap();
        let mut again = Section::new("store", "Store", "scripts/bench store");
        again.fact("figure", "second");
        write_section(&path, &again).unwrap();
        let doc = std::fs::read_to_string(&path).unwrap();
        assert!(!doc.contains("Old hand-written"));
        assert!(doc.contains("**figure:** second") && !doc.contains("**figure:** first"));
        assert!(doc.find("## Photo").unwrap() < doc.find("## Store").unwrap());
        assert!(doc.contains("| a | b |\n|---|---|\n| 1 | 2 |"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(ratio(1.0, 4.0), "0.250×");
        assert_eq!(ratio(1.0, 0.0), "n/a");
        assert_eq!(met(Some(false)), "**no**");
    }
}
