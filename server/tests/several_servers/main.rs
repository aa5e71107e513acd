//! Several `sentra-server serve` processes on one PostgreSQL, as behind a load balancer: what a
//! device, a puller and a buyer get must not depend on which server answers, or on how the
//! servers' transactions interleave.
//!
//! The servers are the real binary (`CARGO_BIN_EXE_sentra-server`), each with its own data
//! directory (its replica), all on one fresh database of the PostgreSQL that
//! `scripts/with-postgres` starts (`SENTRA_TEST_POSTGRES`). A test that needs an interleaving
//! makes it with a session of its own on that database (a row lock a push will need), so no
//! test-only code runs in the servers. Without PostgreSQL the cases say so and pass nothing
//! (except the sign-in memory case, which runs one server on SQLite).
//!
//! `held_push.rs`: a push slow to commit is not skipped by pulls through another server;
//! `idempotency.rs`: one push or one order key through two servers at once; `limits.rs`: a
//! token's rate limit across servers, sign-in memory; `search.rs`: one writer of the shared
//! search index, and its takeover; `load.rs`: three servers under concurrent pushes with one
//! killed and started again.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // Test code: a panic is the failure message.

#[path = "../common/mod.rs"]
#[macro_use]
mod common;

mod held_push;
mod idempotency;
mod limits;
mod load;
mod photos;
mod search;

use common::*;
use sentra_core::sync::wire::{Change, PullResponse};
use sentra_core::{Id, Role};
use sentra_server::AppState;
use sentra_server::store::PostgresStore;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// Server processes on one database, and a handle on that database for making accounts.
struct Cluster {
    /// The servers, each as the common harness addresses one.
    servers: Vec<Server>,
    processes: Vec<Child>,
    /// libpq connection string of the shared database (for the test's own sessions).
    database: String,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in &mut self.processes {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `n` servers on a fresh database, each answering `/healthz`; `None` (said aloud) without
/// PostgreSQL.
async fn cluster(n: usize) -> Option<Cluster> {
    let Ok(admin) = std::env::var("SENTRA_TEST_POSTGRES") else {
        println!("SENTRA_TEST_POSTGRES is not set: several-server case not run");
        return None;
    };
    let name = format!("sentra_m_{}", uuid::Uuid::new_v4().simple());
    let database = format!("{admin} dbname={name}");
    let url = url_of(&database);
    let state = tokio::task::spawn_blocking({
        let (admin, database) = (admin.clone(), database.clone());
        move || {
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            // The schema, made once before the servers race to make it.
            PostgresStore::connect(&database).unwrap()
        }
    })
    .await
    .unwrap();
    let store: Arc<dyn sentra_server::store::Store> = Arc::new(state);
    let mut servers = Vec::new();
    let mut processes = Vec::new();
    for _ in 0..n {
        let (child, server) = serve(&["--database", &url], store.clone()).await;
        processes.push(child);
        servers.push(server);
    }
    Some(Cluster {
        servers,
        processes,
        database,
    })
}

/// A `sentra-server serve` process with `args` and a data directory of its own, up; `store`
/// is the test's own handle on its database (accounts are made through it).
async fn serve(args: &[&str], store: Arc<dyn sentra_server::store::Store>) -> (Child, Server) {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_sentra-server"))
        .args(["serve", "--listen", &listen])
        // The caller's `--data`, if any, comes first and wins.
        .args(args)
        .arg("--data")
        .arg(dir.path())
        .stdout(Stdio::null())
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let server = Server {
        url: format!("http://{listen}"),
        state: AppState::new(store, dir.path().join("photos")),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        dir,
    };
    wait_until_up(&server).await;
    let _ = sentra_core::sync::http::HttpTransport::new(&server.url, "");
    (child, server)
}

/// A `postgres://` URL (what `serve --database` takes) for a libpq key=value string.
fn url_of(conninfo: &str) -> String {
    let pairs: Vec<(&str, &str)> = conninfo
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .collect();
    let get = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    };
    format!(
        "postgres:///{}?host={}&port={}&user={}",
        get("dbname"),
        get("host"),
        get("port"),
        get("user")
    )
}

async fn wait_until_up(server: &Server) {
    for _ in 0..300 {
        if let Ok(response) = server
            .client
            .get(format!("{}/healthz", server.url))
            .send()
            .await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} did not come up", server.url);
}

/// A producer's listed product with one variant, as changes an admin may push.
struct Shop {
    producer: Id,
    product: Id,
    variant: Id,
}

impl Shop {
    fn new() -> Self {
        let product = Id::new();
        Shop {
            producer: Id::new(),
            product,
            variant: Id::child(product),
        }
    }

    fn producer_changes(&self, name: &str) -> Vec<Change> {
        let mut producer = valid::producer("self");
        producer["business_name"] = serde_json::json!(name);
        vec![change("producer", self.producer, "create", producer)]
    }

    fn product_changes(&self, name: &str) -> Vec<Change> {
        let mut variant = valid::variant(self.product, "M").1;
        variant["position"] = serde_json::json!(0);
        vec![
            change(
                "product",
                self.product,
                "create",
                valid::product(self.producer, name),
            ),
            change("variant", self.variant, "create", variant),
            change(
                "stock_movement",
                Id::new(),
                "append",
                valid::movement(self.variant),
            ),
        ]
    }
}

/// The admin (pushes shops) and a facilitator covering the shops' regency (pulls a scope).
async fn staff(cluster: &Cluster) {
    let first = &cluster.servers[0];
    account(first, "admin.pusat", "rahasia-kuat-1", Role::Admin, None).await;
    account(
        first,
        "pendamping.satu",
        "rahasia-kuat-2",
        Role::Facilitator,
        None,
    )
    .await;
    let state = first.state.clone();
    tokio::task::spawn_blocking(move || state.assign_region("pendamping.satu", "3327").unwrap())
        .await
        .unwrap();
}

/// A device that keeps pulling: its cursor and every change it was given.
struct Puller {
    session: Session,
    cursor: Option<String>,
    seen: Vec<Change>,
}

impl Puller {
    fn new(session: Session) -> Self {
        Puller {
            session,
            cursor: None,
            seen: Vec::new(),
        }
    }

    /// Pulls every page there is now through `server`.
    async fn pull(&mut self, server: &Server) {
        loop {
            let answer = pull_page(server, &self.session, self.cursor.clone()).await;
            assert_eq!(answer.status, 200, "{}", answer.code());
            let page: PullResponse = answer.decode();
            self.seen.extend(page.changes);
            self.cursor = Some(page.next_cursor);
            if !page.more {
                return;
            }
        }
    }

    /// How many times it was given `(entity, id)`'s `op`.
    fn times(&self, entity: &str, id: Id, op: &str) -> usize {
        self.seen
            .iter()
            .filter(|c| c.entity == entity && c.id == id && c.op == op)
            .count()
    }
}

/// `POST /v1/orders` with a JSON body.
async fn place(server: &Server, body: String) -> Answer {
    send(
        server
            .client
            .post(format!("{}/v1/orders", server.url))
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

/// A page's status and body through `server`.
async fn get_page(server: &Server, path: &str) -> u16 {
    send(server.client.get(format!("{}{path}", server.url)))
        .await
        .status
}
