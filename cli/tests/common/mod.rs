//! What every command-line suite needs: a real server on loopback, accounts made on it, and the
//! `sentra` binary run as a facilitator would run it.

#![allow(dead_code)] // Each suite uses its own part of this module.

use sentra_core::{Id, Role};
use sentra_server::store::SqliteStore;
use sentra_server::{AppState, app};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// A sync server on loopback, on SQLite in a temporary directory that also holds the test's
/// device files.
pub struct Server {
    pub url: String,
    state: AppState,
    dir: tempfile::TempDir,
}

impl Server {
    /// Starts the server with one facilitator account, `pendamping` / `rahasia-kuat`.
    pub async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
        let state = AppState::new(Arc::new(store), dir.path().join("photos"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let router = app(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let server = Server { url, state, dir };
        server
            .create_account("pendamping", "rahasia-kuat", Role::Facilitator, None)
            .await;
        server
    }

    /// Makes an account on the server, as its admin shell does.
    pub async fn create_account(
        &self,
        login: &str,
        secret: &str,
        role: Role,
        producer: Option<Id>,
    ) {
        let (state, login, secret) = (self.state.clone(), login.to_owned(), secret.to_owned());
        tokio::task::spawn_blocking(move || {
            state
                .create_account(&login, &secret, role, producer)
                .unwrap()
        })
        .await
        .unwrap();
    }

    /// A file in the test's directory (a device's database, a photo).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Signs the device file `db` in to this server.
    pub async fn login(&self, db: &Path, login: &str, secret: &str) -> String {
        sentra(
            db,
            &[
                "login", "--server", &self.url, "--login", login, "--secret", secret,
            ],
        )
        .await
    }
}

/// Runs `sentra --db DB ARGS…` off the async threads and returns its standard output; fails
/// the test when the command fails.
pub async fn sentra(db: &Path, args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sentra"));
    command.arg("--db").arg(db).args(args);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The id (first word) of the line that mentions `text`.
pub fn id_on_line_with(listing: &str, text: &str) -> String {
    listing
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line with {text} in {listing}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}
