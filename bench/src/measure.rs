//! How figures are taken: child processes run to their end, a running process's peak RSS,
//! percentiles, and the machine's facts printed beside every figure. A child's own peak RSS is
//! read by the child itself (see `footprint.rs`): `ru_maxrss` from `wait4` also counts what it
//! shared with the benchmark before `exec`.

use crate::error::{BenchError, Result};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A finished child process.
#[derive(Debug, Clone)]
pub struct ChildRun {
    /// Process start to exit.
    pub wall: Duration,
    /// What it printed on stdout.
    pub stdout: String,
}

/// Runs `cmd` to its end. A failing child is an error.
pub fn run_child(cmd: &mut Command) -> Result<ChildRun> {
    let started = Instant::now();
    let output = cmd
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| BenchError::Setup(format!("cannot start {cmd:?}: {e}")))?;
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(BenchError::Setup(format!(
            "{cmd:?} failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(ChildRun { wall, stdout })
}

/// The peak resident set (`VmHWM`) of a running process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Result<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| BenchError::Setup(format!("no VmHWM for process {pid}")))
}

/// The CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14 and stime 15.
    let after = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| BenchError::Setup(format!("no stat for process {pid}")))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok());
    let (Some(user), Some(system)) = (ticks(11), ticks(12)) else {
        return Err(BenchError::Setup(format!("no CPU time for process {pid}")));
    };
    // SAFETY: sysconf only reads a constant of the system.
    #[allow(unsafe_code)]
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Ok(Duration::from_secs_f64((user + system) as f64 / per_second))
}

/// The `p`-th percentile (0–100) by nearest rank; zero for no samples.
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of some numbers (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Figures from several rounds: the median, the middle half (quartiles) and the extremes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The median ([`median`]).
    pub median: f64,
    /// The lower and upper quartile (nearest rank): the middle half of the rounds.
    pub middle: (f64, f64),
    /// The least and the greatest.
    pub range: (f64, f64),
}

impl Spread {
    /// The spread of `values`, or `None` for no values.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let (first, last) = (*v.first()?, *v.last()?);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        Some(Spread {
            median: median(&v),
            middle: (at(0.25), at(0.75)),
            range: (first, last),
        })
    }
}

/// When the benchmark started, and the load average then: read once, by [`mark_start`] as the
/// program starts, not when the section is written at its end.
static STARTED: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();

/// Notes the moment and the load average before any work (call first thing).
pub fn mark_start() {
    started();
}

/// When the benchmark started and the load average then, as noted by [`mark_start`] (or now).
fn started() -> &'static (String, String) {
    STARTED.get_or_init(|| {
        let load = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_owned))
            .unwrap_or_default();
        (today(), load)
    })
}

/// The machine and the moment the benchmark started, for the line above its figures.
pub fn machine() -> String {
    let (started, load) = started();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0 / 1024.0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{started} on {cores} cores ({cpu}), {mem_gib:.0} GiB RAM; load average {load} when it started"
    )
}

/// Now, as `2026-11-22 14:05 UTC`.
pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    now.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&samples[..1], 99.0), Duration::from_millis(1));
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
    }

    #[test]
    fn a_spread_has_the_median_the_middle_half_and_the_extremes() {
        let s = Spread::of(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median, 3.0);
        assert_eq!(s.middle, (2.0, 4.0));
        assert_eq!(s.range, (1.0, 5.0));
        assert_eq!(Spread::of(&[7.0]).unwrap().middle, (7.0, 7.0));
        assert_eq!(Spread::of(&[1.0, 2.0]).unwrap().median, 1.5);
        assert!(Spread::of(&[]).is_none());
    }

    #[test]
    fn a_child_reports_its_output_and_a_failing_child_is_an_error() {
        let run = run_child(Command::new("sh").args(["-c", "echo hello"])).unwrap();
        assert_eq!(run.stdout.trim(), "hello");
        assert!(run_child(&mut Command::new("false")).is_err());
    }
}
