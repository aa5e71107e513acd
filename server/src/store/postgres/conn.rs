//! A connection that prepares each statement once. A statement sent as text is parsed, planned
//! and described by the database on every call, which costs a round trip of its own before the
//! statement runs; a prepared one is only bound and run. Every statement of the store is a
//! constant, so each connection prepares each one the first time it runs it and keeps it for as
//! long as the connection lives (a prepared statement outlives the transaction it was prepared
//! in, whether that commits or not).

use postgres::types::ToSql;
use postgres::{Client, Error, GenericClient, Row, Statement, Transaction};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};

/// A statement's parameters.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The statements one connection has prepared, by their text.
#[derive(Default)]
pub(super) struct Statements(HashMap<&'static str, Statement>);

impl Statements {
    /// `sql` prepared on `on` (a connection or a transaction of the connection these belong to).
    pub(super) fn get(
        &mut self,
        on: &mut impl GenericClient,
        sql: &'static str,
    ) -> Result<Statement, Error> {
        if let Some(statement) = self.0.get(sql) {
            return Ok(statement.clone());
        }
        let statement = on.prepare(sql)?;
        self.0.insert(sql, statement.clone());
        Ok(statement)
    }
}

/// A client with the statements it has prepared. It reads as the client it wraps, except that
/// `query`, `query_opt`, `query_one` and `execute` take a constant statement and prepare it once
/// (through [`Prepared`], as a transaction's do).
pub(super) struct Conn {
    client: Client,
    statements: Statements,
}

/// How a connection's prepared statements are planned.
#[derive(Debug, Clone, Copy)]
pub(super) enum Plans {
    /// For the values of each run (`plan_cache_mode = force_custom_plan`). PostgreSQL would
    /// otherwise switch, after five runs, to one generic plan chosen from the statistics of
    /// that moment, and the feed and answers tables grow from nothing while a server runs (with
    /// generic plans on the writer, one run of `scripts/bench load` took 28 s instead of 11).
    /// The writer's: its few statements per group of pushes each read or write thousands of
    /// rows, whose number only the values say.
    ForValues,
    /// Once, the first time a statement runs, for any values (`force_generic_plan`), and again
    /// only when a table it reads changes shape or is analysed. The readers': a request's
    /// session and a pull each run a short statement whose plan is an index look-up whatever
    /// the values, and planning them for each run cost PostgreSQL more CPU than running them
    /// (`scripts/bench load`, `pg_stat_statements`: 0.2 ms to plan the session statement
    /// against 0.07 ms to run it). `plans.rs` checks that each of their plans, made on empty
    /// tables, still reads a few rows once the tables are big.
    Once,
}

impl Conn {
    /// Wraps `client`, its statements planned as `plans` says. Parsing once is what every
    /// connection saves.
    ///
    /// Nothing is compiled (`jit = off`): PostgreSQL compiles a statement whose plan it thinks
    /// costly, and a group's owners look-up, 7,000 index probes on statistics from when the
    /// table was smaller, was thought so: 36 ms of compiling for 7 ms of running, on every
    /// group (`scripts/bench load`). None of the store's statements runs long enough to win
    /// that back.
    pub(super) fn new(mut client: Client, plans: Plans) -> Result<Self, Error> {
        client.batch_execute(match plans {
            Plans::ForValues => "SET plan_cache_mode = force_custom_plan; SET jit = off",
            Plans::Once => "SET plan_cache_mode = force_generic_plan; SET jit = off",
        })?;
        Ok(Conn {
            client,
            statements: Statements::default(),
        })
    }

    /// The client, to close it.
    pub(super) fn into_client(self) -> Client {
        self.client
    }

    /// A transaction on this connection, with the statements the connection has prepared.
    pub(super) fn prepared_transaction(
        &mut self,
    ) -> Result<(Transaction<'_>, &mut Statements), Error> {
        Ok((self.client.transaction()?, &mut self.statements))
    }

    /// The client itself, each statement its own transaction, with the prepared statements.
    pub(super) fn prepared_statements(&mut self) -> (&mut Client, &mut Statements) {
        (&mut self.client, &mut self.statements)
    }

    /// The connection with its prepared statements.
    fn prepared(&mut self) -> Prepared<'_, Client> {
        Prepared::new(&mut self.client, &mut self.statements)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, Error> {
        self.prepared().query(sql, params)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Option<Row>, Error> {
        self.prepared().query_opt(sql, params)
    }

    pub(super) fn query_one(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Row, Error> {
        self.prepared().query_one(sql, params)
    }

    pub(super) fn execute(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, Error> {
        self.prepared().execute(sql, params)
    }
}

impl Deref for Conn {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// A connection or one of its transactions (`C`), with the connection's prepared statements:
/// the four calls, each statement prepared once.
pub(super) struct Prepared<'a, C> {
    on: &'a mut C,
    statements: &'a mut Statements,
}

impl<'a, C: GenericClient> Prepared<'a, C> {
    pub(super) fn new(on: &'a mut C, statements: &'a mut Statements) -> Self {
        Prepared { on, statements }
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<Row>, Error> {
        let statement = self.statements.get(self.on, sql)?;
        self.on.query(&statement, params)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Option<Row>, Error> {
        let statement = self.statements.get(self.on, sql)?;
        self.on.query_opt(&statement, params)
    }

    pub(super) fn query_one(
        &mut self,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Row, Error> {
        let statement = self.statements.get(self.on, sql)?;
        self.on.query_one(&statement, params)
    }

    pub(super) fn execute(&mut self, sql: &'static str, params: Params<'_>) -> Result<u64, Error> {
        let statement = self.statements.get(self.on, sql)?;
        self.on.execute(&statement, params)
    }
}

#[cfg(test)]
mod tests {
    use super::{Conn, Plans, Prepared};

    /// How many statements with this text the connection has prepared.
    fn prepared(conn: &mut Conn, sql: &str) -> i64 {
        conn.client
            .query_one(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                &[&sql],
            )
            .unwrap()
            .get(0)
    }

    #[test]
    fn a_statement_is_prepared_once_and_outlives_a_transaction_rolled_back() {
        let Ok(url) = std::env::var("SENTRA_TEST_POSTGRES") else {
            println!("SENTRA_TEST_POSTGRES is not set: PostgreSQL case not run");
            return;
        };
        let client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut conn = Conn::new(client, Plans::ForValues).unwrap();
        const ADD: &str = "SELECT $1::int4 + 1";
        for n in 1..=3 {
            let row = conn.query_one(ADD, &[&n]).unwrap();
            assert_eq!(row.get::<_, i32>(0), n + 1);
        }
        assert_eq!(prepared(&mut conn, ADD), 1, "prepared once for three runs");

        const DOUBLE: &str = "SELECT $1::int4 * 2";
        {
            let (mut tx, statements) = conn.prepared_transaction().unwrap();
            let mut sql = Prepared::new(&mut tx, statements);
            assert_eq!(sql.query_one(DOUBLE, &[&21]).unwrap().get::<_, i32>(0), 42);
            // Dropped without a commit: rolled back.
        }
        assert_eq!(conn.query_one(DOUBLE, &[&5]).unwrap().get::<_, i32>(0), 10);
        assert_eq!(prepared(&mut conn, DOUBLE), 1, "kept past the rollback");

        let mode: String = conn
            .client
            .query_one("SHOW plan_cache_mode", &[])
            .unwrap()
            .get(0);
        assert_eq!(mode, "force_custom_plan");
        let jit: String = conn.client.query_one("SHOW jit", &[]).unwrap().get(0);
        assert_eq!(jit, "off");
    }
}
