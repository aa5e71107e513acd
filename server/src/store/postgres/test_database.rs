//! A fresh database on the test PostgreSQL server, for this backend's own unit tests.

use super::PostgresStore;
use postgres::{Client, NoTls};

/// A fresh database on the test PostgreSQL server (`SENTRA_TEST_POSTGRES`), with the tables a
/// server creates when it first connects: its libpq connection string, or `None` (said aloud)
/// when there is no test server.
pub(super) fn fresh_test_database() -> Option<String> {
    let Ok(admin) = std::env::var("SENTRA_TEST_POSTGRES") else {
        println!("SENTRA_TEST_POSTGRES is not set: PostgreSQL case not run");
        return None;
    };
    let name = format!("sentra_u_{}", uuid::Uuid::new_v4().simple());
    Client::connect(&admin, NoTls)
        .unwrap()
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let conninfo = format!("{admin} dbname={name}");
    drop(PostgresStore::connect(&conninfo).unwrap());
    Some(conninfo)
}
