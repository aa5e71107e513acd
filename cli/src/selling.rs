//! The `sentra` commands for how a producer sells: set delivery, payment and contact, and mark
//! an order paid.
//!
//! ```text
//! sentra --db FILE set-selling --producer ID [--pickup PLACE] [--flat-fee RP]
//!        [--per-kg REGENCY,PROVINCE,NATIONAL (empty: not delivered there)]
//!        [--bank BANK --account NUMBER --holder NAME] [--qris PHOTO] [--cod] [--whatsapp PHONE]
//! sentra --db FILE mark-paid ORDER_ID
//! ```

use crate::{CliResult, opt, req};
use sentra_core::selling::{BankAccount, Courier, Selling, ZoneRates};
use sentra_core::{Id, Sentra};
use std::path::Path;

/// Runs `set-selling` or `mark-paid`.
pub fn run(sentra: &Sentra, command: &str, args: &[String]) -> CliResult {
    match command {
        "set-selling" => {
            let producer: Id = req(args, "--producer")?
                .parse()
                .map_err(|_| "not a producer id")?;
            let rate = |s: &str| -> CliResult<Option<i64>> {
                Ok(if s.trim().is_empty() {
                    None
                } else {
                    Some(s.trim().parse()?)
                })
            };
            let courier = match (opt(args, "--flat-fee"), opt(args, "--per-kg")) {
                (Some(fee), _) => Some(Courier::Flat(fee.parse()?)),
                (None, Some(rates)) => {
                    let r: Vec<&str> = rates.split(',').collect();
                    let at = |i: usize| r.get(i).copied().unwrap_or("");
                    Some(Courier::PerKg(ZoneRates {
                        regency: rate(at(0))?,
                        province: rate(at(1))?,
                        national: rate(at(2))?,
                    }))
                }
                (None, None) => None,
            };
            let bank = match opt(args, "--bank") {
                Some(bank) => Some(BankAccount {
                    bank,
                    number: req(args, "--account")?,
                    holder: req(args, "--holder")?,
                }),
                None => None,
            };
            let settings = Selling {
                pickup_place: opt(args, "--pickup"),
                courier,
                bank,
                qris_hash: sentra.selling(producer)?.qris_hash,
                cod: args.iter().any(|a| a == "--cod"),
                whatsapp: opt(args, "--whatsapp"),
            };
            sentra.set_selling(producer, &settings)?;
            if let Some(photo) = opt(args, "--qris") {
                let photo = sentra.set_qris_photo(producer, Path::new(&photo))?;
                println!("qris {}", photo.hash);
            }
            println!("saved");
        }
        "mark-paid" => {
            let id: Id = args
                .last()
                .ok_or("an order id")?
                .parse()
                .map_err(|_| "not an order id")?;
            sentra.mark_order_paid(id)?;
            println!("paid");
        }
        other => return Err(format!("unknown command {other}").into()),
    }
    Ok(())
}
