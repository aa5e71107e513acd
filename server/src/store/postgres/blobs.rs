//! Photos in PostgreSQL, so every server on the database holds every photo and an upload may
//! go on through any of them: complete photos in `photos`, uploads in progress as their chunks
//! in `photo_parts`, on a connection of their own so photo traffic never queues behind pushes.

use super::{CLOSED, lock_key, locks};
use crate::blobs::Blobs;
use crate::store::StoreResult;
use postgres::{Client, NoTls};
use std::sync::{Mutex, MutexGuard};

/// Photos in the database.
pub struct PgBlobs {
    client: Mutex<Option<Client>>,
}

impl PgBlobs {
    /// Photos on a new connection to `url`.
    pub(super) fn connect(url: &str) -> StoreResult<Self> {
        Ok(PgBlobs {
            client: Mutex::new(Some(Client::connect(url, NoTls)?)),
        })
    }

    fn client(&self) -> MutexGuard<'_, Option<Client>> {
        self.client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for PgBlobs {
    fn drop(&mut self) {
        // As the store's own connections: closed on a plain thread, never on an async one.
        let client = self
            .client
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let _ = std::thread::spawn(move || drop(client)).join();
    }
}

fn size(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Blobs for PgBlobs {
    fn complete(&self, hash: &str) -> StoreResult<Option<u64>> {
        let row = self.client().as_mut().ok_or(CLOSED)?.query_opt(
            "SELECT length(bytes)::bigint FROM photos WHERE hash = $1",
            &[&hash],
        )?;
        Ok(row.map(|r| size(r.get(0))))
    }

    fn partial(&self, hash: &str) -> StoreResult<u64> {
        let row = self.client().as_mut().ok_or(CLOSED)?.query_one(
            "SELECT coalesce(sum(length(bytes)), 0)::bigint FROM photo_parts WHERE hash = $1",
            &[&hash],
        )?;
        Ok(size(row.get(0)))
    }

    fn append(&self, hash: &str, offset: u64, chunk: &[u8]) -> StoreResult<u64> {
        let mut guard = self.client();
        let mut tx = guard.as_mut().ok_or(CLOSED)?.transaction()?;
        // One chunk of an upload at a time across servers: the held count is read and the
        // chunk added under the upload's lock.
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, $2)",
            &[&locks::PHOTO, &lock_key(hash.as_bytes())],
        )?;
        let held = size(
            tx.query_one(
                "SELECT coalesce(sum(length(bytes)), 0)::bigint FROM photo_parts WHERE hash = $1",
                &[&hash],
            )?
            .get(0),
        );
        if held != offset {
            return Ok(held);
        }
        let at = i64::try_from(offset)?;
        tx.execute(
            "INSERT INTO photo_parts(hash, at, bytes) VALUES ($1, $2, $3)",
            &[&hash, &at, &chunk],
        )?;
        tx.commit()?;
        Ok(offset + chunk.len() as u64)
    }

    fn partial_bytes(&self, hash: &str) -> StoreResult<Vec<u8>> {
        let rows = self.client().as_mut().ok_or(CLOSED)?.query(
            "SELECT bytes FROM photo_parts WHERE hash = $1 ORDER BY at",
            &[&hash],
        )?;
        Ok(rows.iter().flat_map(|r| r.get::<_, Vec<u8>>(0)).collect())
    }

    fn discard(&self, hash: &str) -> StoreResult<()> {
        self.client()
            .as_mut()
            .ok_or(CLOSED)?
            .execute("DELETE FROM photo_parts WHERE hash = $1", &[&hash])?;
        Ok(())
    }

    fn finish(&self, hash: &str, bytes: &[u8]) -> StoreResult<()> {
        let mut guard = self.client();
        let mut tx = guard.as_mut().ok_or(CLOSED)?.transaction()?;
        tx.execute(
            "INSERT INTO photos(hash, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&hash, &bytes],
        )?;
        tx.execute("DELETE FROM photo_parts WHERE hash = $1", &[&hash])?;
        tx.commit()?;
        Ok(())
    }

    fn read(&self, hash: &str) -> StoreResult<Option<Vec<u8>>> {
        let row = self
            .client()
            .as_mut()
            .ok_or(CLOSED)?
            .query_opt("SELECT bytes FROM photos WHERE hash = $1", &[&hash])?;
        Ok(row.map(|r| r.get(0)))
    }
}
