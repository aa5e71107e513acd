//! Where photo bytes live, by content hash: complete photos and uploads in progress. One
//! server keeps them in its blob directory ([`BlobDir`]); servers sharing PostgreSQL keep them
//! in the database (`store/postgres/blobs.rs`), so an upload may go on through any server and
//! every server serves every photo. The upload rules themselves are in [`crate::photos`].

use crate::store::StoreResult;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Photo bytes by content hash (the hash is checked by the caller: 64 lowercase hex digits).
pub trait Blobs: Send + Sync + 'static {
    /// The size of the complete photo `hash`, if there is one.
    fn complete(&self, hash: &str) -> StoreResult<Option<u64>>;
    /// How many bytes of the upload of `hash` are held.
    fn partial(&self, hash: &str) -> StoreResult<u64>;
    /// Appends `chunk` to the upload of `hash` if it holds exactly `offset` bytes (durably,
    /// before answering); the bytes it holds afterwards, unchanged when it held another count.
    fn append(&self, hash: &str, offset: u64, chunk: &[u8]) -> StoreResult<u64>;
    /// The bytes of the upload of `hash`.
    fn partial_bytes(&self, hash: &str) -> StoreResult<Vec<u8>>;
    /// Forgets the upload of `hash`.
    fn discard(&self, hash: &str) -> StoreResult<()>;
    /// Makes the upload of `hash`, whose bytes are `bytes`, the complete photo.
    fn finish(&self, hash: &str, bytes: &[u8]) -> StoreResult<()>;
    /// The bytes of the complete photo `hash`, if there is one.
    fn read(&self, hash: &str) -> StoreResult<Option<Vec<u8>>>;
}

/// Photos as files in a directory: `<hash>.jpg`, and uploads in `partial/<hash>`.
pub struct BlobDir {
    dir: PathBuf,
}

impl BlobDir {
    /// Photos in `dir` (made when the first upload arrives).
    pub fn new(dir: PathBuf) -> Self {
        BlobDir { dir }
    }

    fn complete_path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("{hash}.jpg"))
    }

    fn partial_path(&self, hash: &str) -> PathBuf {
        self.dir.join("partial").join(hash)
    }
}

fn len_of(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

impl Blobs for BlobDir {
    fn complete(&self, hash: &str) -> StoreResult<Option<u64>> {
        Ok(len_of(&self.complete_path(hash)))
    }

    fn partial(&self, hash: &str) -> StoreResult<u64> {
        Ok(len_of(&self.partial_path(hash)).unwrap_or(0))
    }

    fn append(&self, hash: &str, offset: u64, chunk: &[u8]) -> StoreResult<u64> {
        let partial = self.partial_path(hash);
        let held = len_of(&partial).unwrap_or(0);
        if held != offset {
            return Ok(held);
        }
        std::fs::create_dir_all(partial.parent().unwrap_or(&self.dir))?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&partial)?;
        file.write_all(chunk)?;
        file.sync_data()?;
        Ok(offset + chunk.len() as u64)
    }

    fn partial_bytes(&self, hash: &str) -> StoreResult<Vec<u8>> {
        Ok(std::fs::read(self.partial_path(hash))?)
    }

    fn discard(&self, hash: &str) -> StoreResult<()> {
        let _ = std::fs::remove_file(self.partial_path(hash));
        Ok(())
    }

    fn finish(&self, hash: &str, _bytes: &[u8]) -> StoreResult<()> {
        std::fs::rename(self.partial_path(hash), self.complete_path(hash))?;
        Ok(())
    }

    fn read(&self, hash: &str) -> StoreResult<Option<Vec<u8>>> {
        match std::fs::read(self.complete_path(hash)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
