//! The real `sentra-server` as a child process (so its memory is its own), and its accounts.

use crate::error::{BenchError, Result};
use sentra_core::{Id, Role};
use sentra_server::AppState;
use sentra_server::store::{PostgresStore, SqliteStore, Store};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the server keeps its data.
#[derive(Debug, Clone)]
pub enum Backend {
    /// Embedded SQLite under a directory.
    Sqlite,
    /// A PostgreSQL database at this `postgres://` URL.
    Postgres(String),
}

impl Backend {
    /// `SQLite` or `PostgreSQL`.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres(_) => "PostgreSQL",
        }
    }
}

/// The `sentra-server` binary beside this one (both built by `scripts/bench` in release).
pub fn server_bin() -> Result<PathBuf> {
    let me = std::env::current_exe()?;
    let bin = me
        .parent()
        .map(|d| d.join("sentra-server"))
        .filter(|p| p.exists())
        .ok_or_else(|| {
            BenchError::Setup("sentra-server is not built beside sentra-bench".into())
        })?;
    Ok(bin)
}

/// `SENTRA_TEST_POSTGRES` (a libpq `key=value` string from `scripts/with-postgres`) as a
/// `postgres://` URL, which `sentra-server serve --database` takes.
pub fn postgres_from_env() -> Option<String> {
    postgres_url(&std::env::var("SENTRA_TEST_POSTGRES").ok()?)
}

/// A libpq `key=value` connection string as a `postgres://` URL (a socket directory escaped).
pub fn postgres_url(conn: &str) -> Option<String> {
    let get = |key: &str| {
        conn.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .map(str::to_owned)
    };
    let host = get("host")?;
    let port = get("port").unwrap_or_else(|| "5432".into());
    let user = get("user").unwrap_or_else(|| "postgres".into());
    let db = get("dbname").unwrap_or_else(|| "postgres".into());
    let host = host.replace('/', "%2F");
    Some(format!("postgres://{user}@{host}:{port}/{db}"))
}

/// Opens the server's store in this process, to create accounts before the server starts.
/// Blocking (the PostgreSQL client blocks): call it outside the async runtime.
pub fn open_state(data: &Path, backend: &Backend) -> Result<AppState> {
    std::fs::create_dir_all(data)?;
    let store: Arc<dyn Store> = match backend {
        Backend::Sqlite => Arc::new(
            SqliteStore::open(&data.join("server.db"))
                .map_err(|e| BenchError::Setup(format!("open SQLite store: {e}")))?,
        ),
        Backend::Postgres(url) => Arc::new(
            PostgresStore::connect(url)
                .map_err(|e| BenchError::Setup(format!("connect PostgreSQL: {e}")))?,
        ),
    };
    Ok(AppState::new(store, data.join("photos")))
}

/// Creates a producer account (phone login, PIN) for a producer id.
pub fn create_producer(state: &AppState, login: &str, pin: &str, producer: Id) -> Result<()> {
    state
        .create_account(login, pin, Role::Producer, Some(producer))
        .map_err(|e| BenchError::Setup(format!("create account {login}: {e:?}")))?;
    Ok(())
}

/// A running `sentra-server serve`.
pub struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    /// Starts `sentra-server serve` on a free loopback port over `data` (and PostgreSQL if
    /// asked), and waits until it answers.
    pub fn start(data: &Path, backend: &Backend) -> Result<ServerProcess> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut cmd = Command::new(server_bin()?);
        cmd.arg("serve")
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        if let Backend::Postgres(url) = backend {
            cmd.arg("--database").arg(url);
        }
        let child = cmd
            .spawn()
            .map_err(|e| BenchError::Setup(format!("start sentra-server: {e}")))?;
        let mut server = ServerProcess { child, addr };
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            if started.elapsed() > Duration::from_secs(60) {
                return Err(BenchError::Setup(
                    "sentra-server did not start in 60 s".into(),
                ));
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(BenchError::Setup(format!("sentra-server exited: {status}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its peak resident set so far, in KiB.
    pub fn peak_rss_kib(&self) -> Result<i64> {
        crate::measure::peak_rss_kib(self.child.id())
    }

    /// The CPU time (user + system) it has used so far.
    pub fn cpu_time(&self) -> Result<Duration> {
        crate::measure::cpu_time(self.child.id())
    }

    /// Stops it (SIGTERM, then waits).
    pub fn stop(mut self) -> Result<()> {
        self.terminate();
        Ok(())
    }

    fn terminate(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            // SAFETY: a plain signal to our own child, which has not been reaped.
            #[allow(unsafe_code)]
            unsafe {
                libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
            }
            let started = Instant::now();
            while let Ok(None) = self.child.try_wait() {
                if started.elapsed() > Duration::from_secs(10) {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_libpq_string_becomes_a_url_with_the_socket_directory_escaped() {
        assert_eq!(
            postgres_url("host=/tmp/sentra-pg.abc port=55432 user=sentra dbname=postgres").unwrap(),
            "postgres://sentra@%2Ftmp%2Fsentra-pg.abc:55432/postgres"
        );
        assert_eq!(postgres_url("port=1"), None);
    }
}
