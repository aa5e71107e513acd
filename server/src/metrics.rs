//! Counters for `/metrics`, in Prometheus' text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// The server's counters since it started.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Pushed entries applied.
    pub entries_applied: AtomicU64,
    /// Pushed entries answered as duplicates (a resent batch).
    pub entries_duplicate: AtomicU64,
    /// Pushed entries rejected.
    pub entries_rejected: AtomicU64,
    /// Changes sent in pull pages.
    pub changes_pulled: AtomicU64,
    /// Successful sign-ins.
    pub logins: AtomicU64,
    /// Refused sign-ins (wrong secret or locked).
    pub logins_refused: AtomicU64,
    /// Photo chunks received.
    pub photo_chunks: AtomicU64,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The counters in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, labels: &str, value: &AtomicU64| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            let _ = writeln!(out, "{name}{labels} {}", value.load(Ordering::Relaxed));
        };
        counter(
            "sentra_push_entries_applied_total",
            "Pushed entries applied.",
            "",
            &self.entries_applied,
        );
        counter(
            "sentra_push_entries_duplicate_total",
            "Pushed entries seen before.",
            "",
            &self.entries_duplicate,
        );
        counter(
            "sentra_push_entries_rejected_total",
            "Pushed entries rejected.",
            "",
            &self.entries_rejected,
        );
        counter(
            "sentra_pull_changes_total",
            "Changes sent in pull pages.",
            "",
            &self.changes_pulled,
        );
        counter(
            "sentra_logins_total",
            "Successful sign-ins.",
            "",
            &self.logins,
        );
        counter(
            "sentra_logins_refused_total",
            "Refused sign-ins.",
            "",
            &self.logins_refused,
        );
        counter(
            "sentra_photo_chunks_total",
            "Photo chunks received.",
            "",
            &self.photo_chunks,
        );
        out
    }
}
