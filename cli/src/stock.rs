//! Stock and the sales ledger from the command line: `restock`, `adjust-stock` (with a reason),
//! `stock-history`, `sales` (the history, voided sales marked) and `void-sale`.
//!
//! ```text
//! sentra --db FILE restock --variant ID --quantity N
//! sentra --db FILE adjust-stock --variant ID --delta -2 [--reason "rusak kena air"]
//! sentra --db FILE stock-history --variant ID
//! sentra --db FILE sales --from YYYY-MM-DD --to YYYY-MM-DD
//! sentra --db FILE void-sale --sale ID [--reason "salah ketik"]
//! ```

use crate::{CliResult, opt, req};
use sentra_core::money::format_rupiah;
use sentra_core::{Id, Sentra};

/// The commands this file runs.
pub const COMMANDS: &[&str] = &[
    "restock",
    "adjust-stock",
    "stock-history",
    "sales",
    "void-sale",
];

fn variant(args: &[String]) -> CliResult<Id> {
    Ok(Id::parse("variant_id", &req(args, "--variant")?)?)
}

/// Runs one of [`COMMANDS`].
pub fn run(command: &str, args: &[String], sentra: &Sentra) -> CliResult {
    match command {
        "restock" => {
            let quantity: i64 = req(args, "--quantity")?.parse()?;
            sentra.restock(variant(args)?, quantity)?;
            println!("stock {}", sentra.recount_stock(variant(args)?)?);
        }
        "adjust-stock" => {
            let delta: i64 = req(args, "--delta")?.parse()?;
            let reason = opt(args, "--reason").unwrap_or_default();
            sentra.adjust_stock_with_reason(variant(args)?, delta, &reason)?;
            println!("stock {}", sentra.recount_stock(variant(args)?)?);
        }
        "stock-history" => {
            for m in sentra.stock_history(variant(args)?, 200)? {
                println!(
                    "{} {:+} {}{}",
                    m.at,
                    m.delta,
                    m.kind,
                    m.reason.map(|r| format!(" ({r})")).unwrap_or_default()
                );
            }
        }
        "sales" => {
            for e in sentra.sales_history(&req(args, "--from")?, &req(args, "--to")?, 500)? {
                let s = &e.sale;
                let voided = match (e.voided_at, &e.void_reason) {
                    (None, _) => String::new(),
                    (Some(_), Some(reason)) if !reason.is_empty() => {
                        format!(" VOID dibatalkan/voided: {reason}")
                    }
                    (Some(_), _) => " VOID dibatalkan/voided".to_owned(),
                };
                println!(
                    "{} {} {} {} x {} {}{voided}",
                    s.id,
                    s.sold_on,
                    [e.product_name.clone()]
                        .into_iter()
                        .chain(e.options.iter().cloned())
                        .collect::<Vec<_>>()
                        .join(" / "),
                    s.quantity,
                    format_rupiah(s.unit_price),
                    s.channel.as_str()
                );
            }
        }
        "void-sale" => {
            let sale = req(args, "--sale")?;
            let reason = opt(args, "--reason").unwrap_or_default();
            let id = sentra.void_sale(&sale, &reason)?;
            println!("{id}");
        }
        other => return Err(format!("unknown command {other}").into()),
    }
    Ok(())
}
