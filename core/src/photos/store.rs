//! Crash-safe, content-addressed file writes for processed photos.
//!
//! [`write_atomic`] writes to a temporary file named with [`TEMP_PREFIX`] in
//! the target directory, fsyncs it, renames it over the final name and fsyncs
//! the directory, so after a crash or power loss the final name either does
//! not exist or holds the complete content. On any error the temporary file is
//! removed; [`remove_temp_leftovers`] sweeps temporaries left by a crash.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Prefix of every temporary file created by [`write_atomic`].
pub const TEMP_PREFIX: &str = ".tmp-";

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `dir/name` atomically and durably, and returns that path.
///
/// Names are content addresses (for example `<blake3>.jpg`): if `dir/name`
/// already exists nothing is written. `name` must be a plain file name (no
/// path separators, not starting with [`TEMP_PREFIX`]). On any error, including
/// a full disk, the temporary file is removed, so no partial file remains.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<PathBuf> {
    write_atomic_with(dir, name, bytes, |file, data| file.write_all(data))
}

/// [`write_atomic`] with the data-writing step injectable, so tests can make it fail.
pub(crate) fn write_atomic_with(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> io::Result<PathBuf> {
    validate_name(name)?;
    let target = dir.join(name);
    match fs::symlink_metadata(&target) {
        Ok(_) => return Ok(target),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }

    let (temp, mut file) = create_temp(dir, name)?;
    let written = write(&mut file, bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            fs::rename(&temp, &target)
        });
    if let Err(e) = written {
        // Best effort: the original error is the one worth reporting.
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(dir)?;
    Ok(target)
}

/// Deletes temporary files left in `dir` by interrupted [`write_atomic`] calls
/// and returns how many were removed.
///
/// Call it when no write into `dir` is in progress (for example at start-up),
/// since it removes every file whose name starts with [`TEMP_PREFIX`].
pub fn remove_temp_leftovers(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let is_temp = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX));
        if is_temp && entry.file_type()?.is_file() {
            match fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
    }
    if removed > 0 {
        sync_dir(dir)?;
    }
    Ok(removed)
}

fn validate_name(name: &str) -> io::Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.starts_with(TEMP_PREFIX)
        || name.contains(['/', '\\', '\0']);
    if bad {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "invalid file name for the photo store",
        ));
    }
    Ok(())
}

/// Creates a fresh temporary file next to the target (same file system, so
/// the rename is atomic).
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!("{TEMP_PREFIX}{pid}-{n}-{name}"));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(file) => return Ok((temp, file)),
            // Left over from an earlier process with the same pid: try the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Makes a rename in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
