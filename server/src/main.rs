//! `sentra-server`: serves the sync API, or manages accounts.
//!
//! ```text
//! sentra-server demo [--listen 127.0.0.1:8080]
//! sentra-server serve [--listen 127.0.0.1:8080] [--data ./sentra-data] [--database postgres://…] [--trusted-proxy ADDR[,ADDR…]] [--public-url URL]
//! sentra-server admin assign-region [--data DIR | --database URL] --login NAME --region CODE
//! sentra-server admin create-account [--data DIR | --database URL] --login NAME --secret S --role ROLE [--producer ID]
//! sentra-server admin create-organisation [--data DIR | --database URL] --kind cooperative|cluster --name N --region CODE
//! sentra-server admin add-member [--data DIR | --database URL] --organisation ID --producer ID
//! sentra-server admin add-admin [--data DIR | --database URL] --organisation ID --login NAME
//! ```
//!
//! With no `--database`, the server keeps its data in embedded SQLite under `--data`.
//!
//! Sign-in attempts are throttled by the client's address (see `limits.rs`): the socket's peer,
//! or, when the peer is one of the `--trusted-proxy` addresses (or `SENTRA_TRUSTED_PROXY`, the
//! same comma-separated list), the client that proxy names in `X-Forwarded-For`. Set it when a
//! reverse proxy (TLS terminator) sits in front of the server; otherwise every client would share
//! the proxy's address.
//!
//! `--public-url https://…` (or `SENTRA_PUBLIC_URL`) names the address buyers reach the
//! storefront at, for the absolute links in shared pages (Open Graph, WhatsApp); without it they
//! are made from each request's `Host`.

use sentra_server::limits::TrustedProxies;
use sentra_server::store::{PostgresStore, SqliteStore, Store};
use sentra_server::{AppState, app};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// Opens the store before any async runtime starts (the PostgreSQL client blocks).
fn open_store(args: &[String]) -> Result<AppState, Box<dyn std::error::Error>> {
    let dir = PathBuf::from(arg(args, "--data").unwrap_or_else(|| "./sentra-data".into()));
    std::fs::create_dir_all(&dir)?;
    let store: Arc<dyn Store> = match arg(args, "--database") {
        Some(url) if url.starts_with("postgres") => {
            Arc::new(PostgresStore::connect(&url).map_err(|e| e.to_string())?)
        }
        Some(other) => {
            return Err(format!("unsupported --database {other:?}: use postgres://…").into());
        }
        None => Arc::new(SqliteStore::open(&dir.join("server.db")).map_err(|e| e.to_string())?),
    };
    Ok(AppState::new(store, dir.join("photos")))
}

/// The proxies whose `X-Forwarded-For` to believe: `--trusted-proxy`, else `SENTRA_TRUSTED_PROXY`.
fn trusted_proxies(args: &[String]) -> Result<TrustedProxies, Box<dyn std::error::Error>> {
    let list = arg(args, "--trusted-proxy")
        .or_else(|| std::env::var("SENTRA_TRUSTED_PROXY").ok())
        .unwrap_or_default();
    Ok(TrustedProxies::parse(&list)?)
}

async fn serve(state: AppState, listen: String) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    tracing::info!(%listen, "sentra-server listening");
    // The socket's address goes with each request, for throttling sign-in attempts.
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests (a push batch being applied) finish first.
async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down after in-flight requests");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => {
            let mut state = open_store(&args)?.with_trusted_proxies(trusted_proxies(&args)?);
            if let Some(url) =
                arg(&args, "--public-url").or_else(|| std::env::var("SENTRA_PUBLIC_URL").ok())
            {
                state = state.with_public_url(&url);
            }
            let listen = arg(&args, "--listen").unwrap_or_else(|| "127.0.0.1:8080".into());
            tokio::runtime::Runtime::new()?.block_on(serve(state, listen))?;
        }
        Some("demo") => {
            let dir = tempfile::Builder::new()
                .prefix("sentra-demo-")
                .tempdir()?
                .keep();
            let store = SqliteStore::open(&dir.join("server.db")).map_err(|e| e.to_string())?;
            let state = AppState::new(Arc::new(store), dir.join("photos"));
            let listen = arg(&args, "--listen").unwrap_or_else(|| "127.0.0.1:8080".into());
            tokio::runtime::Runtime::new()?.block_on(async move {
                let listener = tokio::net::TcpListener::bind(&listen).await?;
                let url = format!("http://{listen}");
                let router = app(state.clone())
                    .into_make_service_with_connect_info::<SocketAddr>();
                let server = tokio::spawn(async move {
                    axum::serve(listener, router)
                        .with_graceful_shutdown(shutdown())
                        .await
                });
                sentra_server::demo::seed(&state, &url, &dir)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("Sentra demo server: {url}  (data in {})", dir.display());
                println!("  health:  {url}/healthz     metrics: {url}/metrics");
                println!(
                    "  sign in: facilitator {} / {}; producers by phone (0812-2750-1001, \
                     0812-2750-1002, 0813-2900-2001) with PIN {}",
                    sentra_server::demo::FACILITATOR.0,
                    sentra_server::demo::FACILITATOR.1,
                    sentra_server::demo::PRODUCER_PIN
                );
                println!("  storefront: {url}/   (order code SNT-…: follow it at {url}/pesanan with phone digits 4321)");
                println!(
                    "  dashboard: {url}/dasbor  sign in as official {} / {}, or cooperative admin {} / {}",
                    sentra_server::demo::OFFICIAL.0,
                    sentra_server::demo::OFFICIAL.1,
                    sentra_server::demo::COOPERATIVE_ADMIN.0,
                    sentra_server::demo::COOPERATIVE_ADMIN.1
                );
                println!("  Ctrl-C stops it.");
                server.await??;
                Ok::<(), Box<dyn std::error::Error>>(())
            })?;
        }
        Some("admin") if args.get(1).map(String::as_str) == Some("assign-region") => {
            let state = open_store(&args)?;
            let login = arg(&args, "--login").ok_or("--login is required")?;
            let region = arg(&args, "--region").ok_or("--region is required")?;
            state.assign_region(&login, &region)?;
            println!("{login} now covers region {region}");
        }
        Some("admin") if args.get(1).map(String::as_str) == Some("create-organisation") => {
            let state = open_store(&args)?;
            let kind = arg(&args, "--kind").ok_or("--kind cooperative|cluster is required")?;
            let name = arg(&args, "--name").ok_or("--name is required")?;
            let region = arg(&args, "--region").ok_or("--region is required")?;
            let id = state
                .replica()?
                .act(|core| core.create_organisation(&kind, &name, &region))?;
            println!("{id}");
        }
        Some("admin") if args.get(1).map(String::as_str) == Some("add-member") => {
            let state = open_store(&args)?;
            let organisation = arg(&args, "--organisation")
                .ok_or("--organisation is required")?
                .parse()?;
            let producer = arg(&args, "--producer")
                .ok_or("--producer is required")?
                .parse()?;
            state
                .replica()?
                .act(|core| core.add_member(organisation, producer))?;
            println!("{producer} is a member of {organisation}");
        }
        Some("admin") if args.get(1).map(String::as_str) == Some("add-admin") => {
            let state = open_store(&args)?;
            let organisation = arg(&args, "--organisation")
                .ok_or("--organisation is required")?
                .parse()?;
            let login = arg(&args, "--login").ok_or("--login is required")?;
            let user = state.user_id(&login)?;
            state
                .replica()?
                .act(|core| core.add_admin(organisation, user))?;
            println!("{login} administers {organisation}");
        }
        Some("admin") if args.get(1).map(String::as_str) == Some("create-account") => {
            let state = open_store(&args)?;
            let role = match arg(&args, "--role").as_deref() {
                Some("producer") => sentra_core::Role::Producer,
                Some("facilitator") => sentra_core::Role::Facilitator,
                Some("cooperative_admin") => sentra_core::Role::CooperativeAdmin,
                Some("official") => sentra_core::Role::Official,
                Some("admin") => sentra_core::Role::Admin,
                _ => {
                    return Err(
                        "--role producer|facilitator|cooperative_admin|official|admin".into(),
                    );
                }
            };
            let producer = arg(&args, "--producer").map(|p| p.parse()).transpose()?;
            let login = arg(&args, "--login").ok_or("--login is required")?;
            let secret = arg(&args, "--secret").ok_or("--secret is required")?;
            let account = state.create_account(&login, &secret, role, producer)?;
            println!("{}", account.user_id);
        }
        _ => {
            eprintln!("usage: sentra-server demo [--listen ADDR]");
            eprintln!(
                "       sentra-server serve [--listen ADDR] [--data DIR] [--database postgres://…] [--trusted-proxy ADDR[,ADDR…]] [--public-url URL]"
            );
            eprintln!(
                "       sentra-server admin create-account --data DIR --login L --secret S --role R [--producer ID]"
            );
            eprintln!(
                "       sentra-server admin assign-region --data DIR --login L --region CODE"
            );
            eprintln!(
                "       sentra-server admin create-organisation --data DIR --kind cooperative|cluster --name N --region CODE"
            );
            eprintln!(
                "       sentra-server admin add-member --data DIR --organisation ID --producer ID"
            );
            eprintln!(
                "       sentra-server admin add-admin --data DIR --organisation ID --login L"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
