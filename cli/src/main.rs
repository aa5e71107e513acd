//! `sentra`: a phone on the command line. It keeps its data in one database file, exactly as
//! the app does, and syncs with a Sentra server through the same engine.
//!
//! ```text
//! sentra --db FILE login --server URL --login PHONE_OR_NAME --secret PIN_OR_PASSWORD
//! sentra --db FILE register-producer --name N --owner O --phone P --region CODE --sector S [--consent YYYY-MM-DD]
//! sentra --db FILE add-product --producer ID --name N --category C --unit U --price RP --stock N [--photo PATH]
//! sentra --db FILE products
//! sentra --db FILE sale --variant ID --quantity N --channel market_stall --date YYYY-MM-DD
//! sentra --db FILE orders [--tab to_respond|to_ship|shipped|completed|cancelled]
//! sentra --db FILE accept ORDER_ID
//! sentra --db FILE sync
//! ```
//!
//! A facilitator's whole day: `ship`, `reject`, `complete`, `search` and `regions` are in
//! `orders.rs`; `organisations`, `create-organisation`, `add-member` and `remove-member` in
//! `members.rs`. Stock corrections and the sales history with voids are in `stock.rs`; refusals
//! (printed after every sync, sent again or discarded) in `refusals.rs`; delivery and payment
//! settings and marking an order paid (`set-selling`, `mark-paid`) in `selling.rs`.

mod members;
mod orders;
mod refusals;
mod selling;
mod stock;

use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::catalogue::{NewProduct, NewVariant};
use sentra_core::money::format_rupiah;
use sentra_core::orders::{OrderTab, Transition};
use sentra_core::producers::NewProducer;
use sentra_core::sales::NewSale;
use sentra_core::sync::engine::{CancelToken, ProgressListener, SyncOptions, SyncProgress};
use sentra_core::sync::http::HttpTransport;
use sentra_core::{Account, Id, Sentra};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

type CliResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Where the signed-in server and token are kept, beside the database.
#[derive(Serialize, Deserialize)]
struct Session {
    server: String,
    token: String,
}

fn session_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".session.json");
    db.with_file_name(name)
}

fn opt(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn req(args: &[String], name: &str) -> CliResult<String> {
    opt(args, name).ok_or_else(|| format!("{name} is required").into())
}

/// Prints the progress of a sync on one line.
struct Bar;
impl ProgressListener for Bar {
    fn on_progress(&self, p: SyncProgress) {
        let done = p.pushed as f64 / (p.pushed + p.to_push).max(1) as f64;
        let filled = (done * 20.0).round() as usize;
        print!(
            "\r[{}{}] {} sent, {} received, {} KB up, {} KB down",
            "#".repeat(filled),
            " ".repeat(20 - filled.min(20)),
            p.pushed,
            p.pulled,
            p.bytes_up / 1024,
            p.bytes_down / 1024
        );
        let _ = std::io::stdout().flush();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(err) = run(&args) {
        // The core's errors carry a stable code and a message in Indonesian and English.
        match err.downcast_ref::<sentra_core::Error>() {
            Some(core) => {
                eprintln!(
                    "error {}: {}",
                    core.code(),
                    core.code().message(sentra_core::Lang::Id)
                );
                for field in core.fields() {
                    eprintln!(
                        "  {}: {}",
                        field.field,
                        field.rule.message(sentra_core::Lang::Id)
                    );
                }
            }
            None => eprintln!("error: {err}"),
        }
        std::process::exit(1);
    }
}

fn run(args: &[String]) -> CliResult {
    let db = PathBuf::from(req(args, "--db")?);
    let command = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a.as_str())
        .ok_or("no command; see the usage at the top of cli/src/main.rs")?;
    let sentra = Sentra::open(&db)?;
    let runtime = tokio::runtime::Runtime::new()?;
    match command {
        "login" => {
            let server = req(args, "--server")?;
            sentra_core::sync::server_address::check(&server)?;
            let (_, answer) = runtime.block_on(HttpTransport::sign_in(
                &server,
                sentra.device_id(),
                &req(args, "--login")?,
                &req(args, "--secret")?,
            ))?;
            sentra.set_account(Account {
                user_id: answer.user_id,
                role: answer.role,
            })?;
            let session = Session {
                server,
                token: answer.token,
            };
            std::fs::write(session_path(&db), serde_json::to_vec(&session)?)?;
            println!("signed in as {:?} {}", answer.role, answer.user_id);
        }
        "register-producer" => {
            let id = sentra.register_producer(&NewProducer {
                business_name: req(args, "--name")?,
                owner_name: req(args, "--owner")?,
                phone: req(args, "--phone")?,
                address: opt(args, "--address").unwrap_or_default(),
                region_code: req(args, "--region")?,
                sector: req(args, "--sector")?,
                workforce: opt(args, "--workforce")
                    .map(|w| w.parse())
                    .transpose()?
                    .unwrap_or(1),
                // The date the producer agreed to be shown on the public storefront.
                consent_publish: opt(args, "--consent").is_some(),
                consent_date: opt(args, "--consent"),
                ..Default::default()
            })?;
            println!("{id}");
        }
        "add-product" => {
            let product = NewProduct {
                producer_id: req(args, "--producer")?,
                name: req(args, "--name")?,
                description: opt(args, "--description").unwrap_or_default(),
                category: req(args, "--category")?,
                unit: req(args, "--unit")?,
                price: req(args, "--price")?.parse()?,
                min_order: 1,
                status: "listed".into(),
                variants: vec![NewVariant {
                    initial_stock: opt(args, "--stock")
                        .map(|s| s.parse())
                        .transpose()?
                        .unwrap_or(0),
                    ..Default::default()
                }],
                ..Default::default()
            };
            // With a photo, product and photo are one transaction: a refused photo creates
            // nothing, so running the command again cannot make the product twice.
            let id = match opt(args, "--photo") {
                Some(photo) => {
                    sentra
                        .create_product_with_photo(&product, Path::new(&photo))?
                        .0
                }
                None => sentra.create_product(&product)?,
            };
            let variant = sentra.product(id)?.variants[0].id;
            println!("{id} {variant}");
        }
        "products" => {
            for row in sentra.list_products(&ProductQuery {
                limit: 200,
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
        }
        "sale" => {
            let id = sentra.record_sale(&NewSale {
                variant_id: req(args, "--variant")?,
                quantity: req(args, "--quantity")?.parse()?,
                unit_price: opt(args, "--price").map(|p| p.parse()).transpose()?,
                channel: req(args, "--channel")?,
                sold_on: req(args, "--date")?,
            })?;
            println!("{id}");
        }
        "orders" => {
            let tab = match opt(args, "--tab").as_deref().unwrap_or("to_respond") {
                "to_respond" => OrderTab::ToRespond,
                "to_ship" => OrderTab::ToShip,
                "shipped" => OrderTab::Shipped,
                "completed" => OrderTab::Completed,
                "cancelled" => OrderTab::Cancelled,
                other => return Err(format!("unknown tab {other}").into()),
            };
            for order in sentra.orders(tab, 0, 200)? {
                println!(
                    "{} {} {} {}",
                    order.id,
                    order.code,
                    order.buyer.name,
                    format_rupiah(order.total)
                );
            }
        }
        "accept" => {
            let id: Id = args
                .last()
                .ok_or("an order id")?
                .parse()
                .map_err(|_| "not an order id")?;
            sentra.transition_order(id, &Transition::Accept)?;
            println!("accepted");
        }
        "sync" => {
            let session: Session = serde_json::from_slice(
                &std::fs::read(session_path(&db))
                    .map_err(|_| "sign in first: sentra --db FILE login …")?,
            )?;
            let transport = HttpTransport::new(&session.server, &session.token);
            let report = runtime.block_on(sentra.sync(
                &transport,
                &SyncOptions::default(),
                Some(&Bar),
                &CancelToken::new(),
            ))?;
            println!();
            println!(
                "{}: {} sent, {} refused, {} received, {} photos, {} requests",
                if report.completed { "done" } else { "stopped" },
                report.pushed,
                report.rejected,
                report.pulled,
                report.photos_sent,
                report.requests
            );
            if report.rejected > 0 {
                refusals::print(&sentra.quarantined()?);
            }
            if !report.completed {
                return Err(
                    format!("sync stopped: {}", report.stopped_by.unwrap_or_default()).into(),
                );
            }
        }
        "set-selling" | "mark-paid" => selling::run(&sentra, command, args)?,
        cmd if stock::COMMANDS.contains(&cmd) => stock::run(cmd, args, &sentra)?,
        cmd if refusals::COMMANDS.contains(&cmd) => refusals::run(cmd, args, &sentra)?,
        other => {
            return orders::run(other, args, &sentra)
                .or_else(|| members::run(other, args, &sentra))
                .unwrap_or_else(|| Err(format!("unknown command {other}").into()));
        }
    }
    Ok(())
}
