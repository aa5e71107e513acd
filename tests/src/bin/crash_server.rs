//! A child process for the crash-injection suite: the real sync server over embedded SQLite,
//! on a fixed loopback port, so the suite can kill it with SIGKILL mid-push and start it again
//! on the same data.
//!
//! Usage: `crash_server DATA_DIR PORT` (the database is `DATA_DIR/server.db`, photos in
//! `DATA_DIR/photos`). Prints `listening` once it accepts connections.

use sentra_server::store::SqliteStore;
use sentra_server::{AppState, app};
use std::io::Write;
use std::sync::Arc;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let data = std::path::PathBuf::from(args.next().ok_or("usage: crash_server DATA_DIR PORT")?);
    let port: u16 = args
        .next()
        .ok_or("usage: crash_server DATA_DIR PORT")?
        .parse()?;
    let store = SqliteStore::open(&data.join("server.db")).map_err(|e| e.to_string())?;
    let state = AppState::new(Arc::new(store), data.join("photos"));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening");
    std::io::stdout().flush()?;
    axum::serve(listener, app(state)).await?;
    Ok(())
}
