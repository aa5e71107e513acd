//! A facilitator's day with orders and the catalogue: ship, reject, complete and search, beside
//! the `accept` and `orders` commands in `main.rs`.
//!
//! ```text
//! sentra --db FILE ship ORDER_ID --courier JNE --tracking RESI
//! sentra --db FILE reject ORDER_ID --reason "Stok habis"
//! sentra --db FILE complete ORDER_ID
//! sentra --db FILE search WORDS… [--producer ID]
//! sentra --db FILE regions NAME…
//! ```

use crate::{CliResult, opt, req};
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::money::format_rupiah;
use sentra_core::orders::Transition;
use sentra_core::{Id, Sentra};

/// Runs one of this module's commands; `None` when `command` is not one of them.
pub fn run(command: &str, args: &[String], sentra: &Sentra) -> Option<CliResult> {
    Some(match command {
        "ship" => transition(args, sentra, "shipped", |args| {
            Ok(Transition::Ship {
                courier: req(args, "--courier")?,
                tracking_no: req(args, "--tracking")?,
            })
        }),
        "reject" => transition(args, sentra, "rejected", |args| {
            Ok(Transition::Reject {
                reason: req(args, "--reason")?,
            })
        }),
        "complete" => transition(args, sentra, "completed", |_| Ok(Transition::Complete)),
        "search" => search(args, sentra),
        "regions" => {
            for regency in sentra_core::regions::search_regencies(&words(args, "regions"), 20) {
                println!("{} {}", regency.code, regency.name);
            }
            Ok(())
        }
        _ => return None,
    })
}

/// The order id given after the command (the first bare word that is not an option's value).
fn order_id(args: &[String], command: &str) -> CliResult<Id> {
    let at = args
        .iter()
        .position(|a| a == command)
        .ok_or("an order id")?;
    args.get(at + 1)
        .ok_or("an order id")?
        .parse()
        .map_err(|_| "not an order id".into())
}

fn transition(
    args: &[String],
    sentra: &Sentra,
    done: &str,
    change: impl FnOnce(&[String]) -> CliResult<Transition>,
) -> CliResult {
    let command = match done {
        "shipped" => "ship",
        "rejected" => "reject",
        _ => "complete",
    };
    let id = order_id(args, command)?;
    sentra.transition_order(id, &change(args)?)?;
    println!("{done}");
    Ok(())
}

/// The words after the command, up to the first option.
fn words(args: &[String], command: &str) -> String {
    args.iter()
        .skip_while(|a| *a != command)
        .skip(1)
        .take_while(|a| !a.starts_with("--"))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

fn search(args: &[String], sentra: &Sentra) -> CliResult {
    let query = words(args, "search");
    if query.trim().is_empty() {
        return Err("search needs words: sentra --db FILE search kain batik".into());
    }
    let producer_id = opt(args, "--producer")
        .map(|p| p.parse::<Id>())
        .transpose()
        .map_err(|_| "--producer is not a producer id")?;
    for row in sentra.list_products(&ProductQuery {
        search: Some(query),
        producer_id,
        limit: 50,
        ..Default::default()
    })? {
        println!(
            "{} {} {} stock {}",
            row.id,
            row.name,
            format_rupiah(row.min_price),
            row.total_stock
        );
    }
    Ok(())
}
