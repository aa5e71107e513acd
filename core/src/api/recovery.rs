//! Rebuilding a damaged database file from what is still readable and from the server.

use crate::recovery::{self, Recovery};
use crate::{OpenOptions, Result, Sentra};
use std::path::Path;

impl Sentra {
    /// Recovers the database at `path` after [`Sentra::open`] or any call on it reported
    /// [`crate::ErrorCode::DatabaseCorrupt`]. Close every handle on the file first.
    ///
    /// The unsent changes that are still readable, who is signed in, the shared phone's PIN and
    /// the photo files are kept; the damaged file is set aside as `<name>.damaged-<ms>`, never
    /// deleted; everything else comes back from the server with the next sync, after which the
    /// kept changes are applied again and pushed. The new file is a new device to the server,
    /// so the account signs in again first ([`Recovery::sign_in_again`]). A healthy file is
    /// opened as it is, and the report says nothing was done.
    pub fn recover(path: &Path) -> Result<(Sentra, Recovery)> {
        Self::recover_with(path, OpenOptions::default())
    }

    /// [`Sentra::recover`] with explicit options.
    pub fn recover_with(path: &Path, options: OpenOptions) -> Result<(Sentra, Recovery)> {
        recovery::finish_interrupted(path)?;
        if recovery::is_whole(path)? {
            return Ok((Self::open_with(path, options)?, Recovery::default()));
        }
        let report = recovery::rebuild(
            path,
            &options.photo_dir_for(path),
            options.wall_clock.clone(),
        )?;
        Ok((Self::open_with(path, options)?, report))
    }
}
