//! The load benchmark's section of `docs/benchmarks.md`: the figures per backend and device
//! count, the several-servers table on PostgreSQL with its ratios to one server, and the goals.

use super::{Figures, Settings};
use crate::report::{self, Section, met, thousands};
use std::time::Duration;

/// The scaling goals: entries/s with N servers ÷ with one (on a machine with the cores).
const SCALING_GOALS: [(usize, f64); 2] = [(2, 1.7), (3, 2.4)];

/// The section for every backend's runs, in order.
pub(super) fn write(
    settings: &Settings,
    results: &[(&'static str, Vec<Figures>)],
    command_line: &str,
) -> Section {
    let mut section = Section::new("load", "Server load", command_line);
    section.fact(
        "Setup",
        &format!(
            "a `sentra-server serve` process on loopback; each simulated device signs in (its \
             own producer account and device-bound token), then all start together and each runs \
             {} sync cycles: push {} entries (product creations as the core writes them, fresh \
             ids), then pull from its cursor. One run per device count, the server restarted \
             between runs. On PostgreSQL the {} devices run again with {} `sentra-server serve` \
             processes on the same database (own port and data directory each, one database \
             growing from run to run); the `i`th device keeps to server `i mod N` for all its \
             pushes and pulls. The load generator runs on the same cores as the servers",
            settings.cycles,
            settings.entries,
            thousands(settings.devices.iter().copied().max().unwrap_or(0) as u64),
            settings
                .servers
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    section.fact(
        "Measured",
        "entries applied ÷ the run's wall time (first push to last answer); the p50 and p99 of \
         one cycle (push + pull) as a device sees it; each server's peak RSS (`VmHWM`; the \
         first server's includes the sign-ins of the devices new to that run, which go through \
         it before the cycles start); the CPU time (user + system, from `/proc/<pid>/stat`) the \
         server process used during the cycles, and entries applied ÷ that time, which is what \
         one core would ingest with nothing else on it (on PostgreSQL the database's own \
         processes are not counted in it); the load generator's own CPU time over the same \
         cycles, which the same cores pay",
    );
    section.fact(
        "Goals",
        "ingest ≥ 20,000 entries/s on SQLite, p99 < 500 ms with 1,000 devices, PostgreSQL \
         within 2× of SQLite; on PostgreSQL, entries/s with 2 servers ≥ 1.7× and with 3 ≥ 2.4× \
         the one server's (on a machine with the cores for it)",
    );
    let most = settings.devices.iter().copied().max().unwrap_or(0);
    let mut rows = Vec::new();
    for (name, figures) in results {
        for f in figures.iter().filter(|f| f.servers == 1) {
            rows.push(vec![
                (*name).to_owned(),
                thousands(f.devices as u64),
                thousands(f.applied),
                thousands(f.failures),
                report::duration(f.wall),
                format!("{:.0}", f.per_second()),
                report::duration(f.p50),
                report::duration(f.p99),
                f.rss(),
                format!("{:.1} s", f.server_cpu.as_secs_f64()),
                format!("{:.0}", f.per_cpu_second()),
                format!("{:.1} s", f.generator_cpu.as_secs_f64()),
            ]);
        }
    }
    section.table(
        &[
            "backend",
            "devices",
            "entries applied",
            "failed requests",
            "wall time",
            "entries/s",
            "cycle p50",
            "cycle p99",
            "server peak RSS",
            "server CPU",
            "entries per server CPU-second",
            "load generator CPU",
        ],
        &rows,
    );
    let at = |name: &str| {
        results
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, f)| f.iter().find(|f| f.devices == most && f.servers == 1))
    };
    let scaling = scaling_rows(results, most);
    if !scaling.is_empty() {
        section.para(&format!(
            "PostgreSQL, {} devices, several servers on one database:",
            thousands(most as u64)
        ));
        section.table(
            &[
                "servers",
                "entries applied",
                "failed requests",
                "wall time",
                "entries/s",
                "cycle p50",
                "cycle p99",
                "peak RSS per server",
                "entries/s ÷ 1 server",
                "goal",
                "met",
            ],
            &scaling,
        );
        section.para(&format!(
            "This machine has {} cores, and all N servers, PostgreSQL and the load generator \
             share them: a second or third server adds processes competing for the same CPU, \
             not CPU, so these ratios cannot show the scaling a core (or a machine) per server \
             would give, only what N processes on one database cost or gain on a fixed budget \
             of cores.",
            std::thread::available_parallelism().map_or(1, usize::from)
        ));
    }
    let mut goals = Vec::new();
    if let Some(s) = at("SQLite") {
        goals.push(vec![
            format!("SQLite ingest, {most} devices"),
            format!("{:.0} entries/s", s.per_second()),
            "≥ 20,000/s".into(),
            met(Some(s.per_second() >= 20_000.0)),
        ]);
    }
    for (name, _) in results {
        if let Some(f) = at(name) {
            goals.push(vec![
                format!("{name} cycle p99, {most} devices"),
                report::duration(f.p99),
                "< 500 ms".into(),
                met(Some(f.p99 < Duration::from_millis(500))),
            ]);
        }
    }
    match (at("SQLite"), at("PostgreSQL")) {
        (Some(s), Some(p)) => {
            let r = s.per_second() / p.per_second().max(1e-9);
            goals.push(vec![
                "SQLite's entries/s ÷ PostgreSQL's".into(),
                format!("{r:.2}×"),
                "≤ 2×".into(),
                met(Some(r <= 2.0)),
            ]);
        }
        _ => goals.push(vec![
            "PostgreSQL within 2× of SQLite".into(),
            "not run (no SENTRA_TEST_POSTGRES: run it under scripts/with-postgres)".into(),
            "≤ 2×".into(),
            met(None),
        ]),
    }
    for row in scaling.iter().filter(|row| row[0] != "1") {
        goals.push(vec![
            format!(
                "PostgreSQL entries/s, {} servers ÷ 1, {most} devices",
                row[0]
            ),
            row[8].clone(),
            row[9].clone(),
            row[10].clone(),
        ]);
    }
    section.table(&["goal", "result", "target", "met"], &goals);
    section
}

/// The several-servers table: PostgreSQL's runs with `most` devices, each beside one server.
fn scaling_rows(results: &[(&str, Vec<Figures>)], most: usize) -> Vec<Vec<String>> {
    let runs: Vec<&Figures> = results
        .iter()
        .filter(|(name, _)| *name == "PostgreSQL")
        .flat_map(|(_, f)| f.iter())
        .filter(|f| f.devices == most)
        .collect();
    if runs.len() < 2 {
        return Vec::new();
    }
    let one = runs
        .iter()
        .find(|f| f.servers == 1)
        .map_or(0.0, |f| f.per_second());
    runs.iter()
        .map(|f| {
            let goal = SCALING_GOALS
                .iter()
                .find(|(n, _)| *n == f.servers)
                .map(|(_, g)| *g);
            let (target, ok) = match (f.servers, goal) {
                (1, _) => ("(anchor)".to_owned(), None),
                (_, Some(g)) => (
                    format!("≥ {g:.1}×"),
                    (one > 0.0).then(|| f.per_second() / one >= g),
                ),
                (_, None) => ("(none)".to_owned(), None),
            };
            vec![
                f.servers.to_string(),
                thousands(f.applied),
                thousands(f.failures),
                report::duration(f.wall),
                format!("{:.0}", f.per_second()),
                report::duration(f.p50),
                report::duration(f.p99),
                f.rss(),
                report::ratio(f.per_second(), one),
                target,
                met(ok),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(servers: usize, applied: u64, secs: u64) -> Figures {
        Figures {
            devices: 1_000,
            servers,
            applied,
            failures: 0,
            wall: Duration::from_secs(secs),
            p50: Duration::from_millis(100),
            p99: Duration::from_millis(300),
            peak_rss_kib: vec![100 * 1024; servers],
            server_cpu: Duration::from_secs(secs),
            generator_cpu: Duration::from_secs(1),
        }
    }

    #[test]
    fn the_scaling_table_divides_by_one_server_and_shows_a_missed_goal() {
        let results = vec![(
            "PostgreSQL",
            vec![run(1, 10_000, 10), run(2, 10_000, 5), run(3, 10_000, 8)],
        )];
        let rows = scaling_rows(&results, 1_000);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][8], "1.000×");
        assert_eq!(rows[0][10], "n/a");
        assert_eq!(rows[1][8], "2.000×");
        assert_eq!(
            (rows[1][9].as_str(), rows[1][10].as_str()),
            ("≥ 1.7×", "yes")
        );
        assert_eq!(rows[2][8], "1.250×");
        assert_eq!(
            (rows[2][9].as_str(), rows[2][10].as_str()),
            ("≥ 2.4×", "**no**")
        );
        assert_eq!(rows[2][7], "100.0 / 100.0 / 100.0 MB");
        assert!(scaling_rows(&[("SQLite", vec![run(1, 1, 1)])], 1_000).is_empty());
    }
}
