//! Changes the server refused, from the command line: each one with its reason in Indonesian
//! and English (after every sync, and with `refusals`), and the two ways out: `resend SEQ`
//! (after fixing the thing) or `discard SEQ` (take the server's state).
//!
//! ```text
//! sentra --db FILE refusals
//! sentra --db FILE resend --seq N
//! sentra --db FILE discard --seq N
//! ```

use crate::{CliResult, req};
use sentra_core::Sentra;
use sentra_core::sync::exchange::Quarantined;

/// The commands this file runs.
pub const COMMANDS: &[&str] = &["refusals", "resend", "discard"];

/// Why the server refused a change, in Indonesian and English.
fn why(code: &str) -> (&'static str, &'static str) {
    match code {
        "forbidden" => (
            "Akun ini tidak berhak mengubah data ini.",
            "This account may not change this data.",
        ),
        "unknown_reference" => (
            "Server belum mengenal data yang dirujuk.",
            "The server does not know the data it refers to.",
        ),
        "validation" => (
            "Isinya tidak memenuhi aturan.",
            "Its content breaks a rule.",
        ),
        "clock_ahead" => (
            "Jam ponsel terlalu cepat.",
            "The phone's clock is too far ahead.",
        ),
        _ => (
            "Server menolak perubahan ini.",
            "The server refused this change.",
        ),
    }
}

/// One line per refusal: its number, what it changed, and why.
pub fn print(refused: &[Quarantined]) {
    for q in refused {
        let (id, en) = why(&q.code);
        println!(
            "refused #{} {} {} {}: {} / {} ({}: {})",
            q.seq, q.entity, q.op, q.entity_id, id, en, q.code, q.reason
        );
    }
}

/// Runs one of [`COMMANDS`].
pub fn run(command: &str, args: &[String], sentra: &Sentra) -> CliResult {
    match command {
        "refusals" => {
            let refused = sentra.quarantined()?;
            if refused.is_empty() {
                println!("tidak ada yang ditolak / nothing refused");
            }
            print(&refused);
        }
        "resend" => {
            let seq = sentra.resend_refused(req(args, "--seq")?.parse()?)?;
            println!("queued again as #{seq}");
        }
        "discard" => {
            let repull = sentra.discard_refused(req(args, "--seq")?.parse()?)?;
            println!(
                "{}",
                if repull {
                    "discarded; the next sync pulls the server's copy"
                } else {
                    "discarded"
                }
            );
        }
        other => return Err(format!("unknown command {other}").into()),
    }
    Ok(())
}
