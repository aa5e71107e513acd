//! A child process for the crash-injection suite: prints `start`, recovers a damaged database
//! (`Sentra::recover`), prints `recovered` and exits, unless it is killed first.
//!
//! Usage: `crash_recovery DB`

use sentra_core::Sentra;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: crash_recovery DB")?;
    // The parent times its kill from here, not from the process's start.
    let mut out = std::io::stdout().lock();
    writeln!(out, "start")?;
    out.flush()?;
    let (_sentra, report) = Sentra::recover(path.as_ref())?;
    writeln!(out, "recovered {}", report.salvaged_changes)?;
    Ok(())
}
