//! Photos of products and producers: taking them in, fetching, ordering, removing, and the
//! upload queue.

use crate::{Error, Id, Result, Sentra, photos, sync};
use std::path::{Path, PathBuf};

impl Sentra {
    /// Whether a photo (or thumbnail) with this content hash shows a listed product of a
    /// producer who consented to publication, so it may be shown to anyone.
    pub fn photo_is_public(&self, hash: &str) -> Result<bool> {
        self.db.read(|c| photos::rows::is_public(c, hash))
    }

    /// The producers whose photos use the image file with this hash, for deciding who may
    /// download it.
    pub fn photo_producers(&self, hash: &str) -> Result<Vec<Id>> {
        self.db.read(|c| photos::rows::producers_of(c, hash))
    }

    /// The photos of a product or producer, in order.
    pub fn photos(&self, owner: Id) -> Result<Vec<photos::Photo>> {
        self.db.read(|c| photos::rows::list(c, owner))
    }

    /// Takes a photo from `source` (JPEG, PNG or WebP, as the camera wrote it) and adds it at the
    /// end of a product's or producer's photos: made upright, stripped of every metadata block
    /// (GPS included), and stored as a 1280 px display image and a 320 px thumbnail, named by
    /// content hash and queued for upload. The same image added twice to one owner is kept once.
    pub fn add_photo(&self, owner: Id, source: &Path) -> Result<photos::Photo> {
        photos::library::add(&self.db, &self.photo_dir, &self.photo_limits, owner, source)
    }

    /// Adds a photo this phone already holds to another product or producer (one picture shown
    /// on two products, as for two colours of one design), without processing the image again.
    /// The same image twice on one owner is kept once. An image not in this phone's library is
    /// refused (`hash`, unknown).
    pub fn share_photo(&self, owner: Id, photo: &photos::Photo) -> Result<photos::Photo> {
        photos::library::share(&self.db, owner, photo)
    }

    /// Creates a product together with its first photo, in one transaction: when the photo is
    /// refused (not an image, damaged, HEIC...) no product is made, so trying again cannot
    /// make the product twice. Returns the product's id and the photo.
    pub fn create_product_with_photo(
        &self,
        input: &crate::catalogue::NewProduct,
        source: &Path,
    ) -> Result<(Id, photos::Photo)> {
        photos::library::add_with_owner(
            &self.db,
            &self.photo_dir,
            &self.photo_limits,
            source,
            |tx| crate::catalogue::create(tx, input),
        )
    }

    /// The file of an image on this phone, by content hash, if it is here.
    pub fn photo_path(&self, hash: &str) -> Result<Option<PathBuf>> {
        photos::library::path_of(&self.db, &self.photo_dir, hash)
    }

    /// The file of a photo by hash: here already, or fetched from the server through
    /// `transport` and kept (for other producers' photos a facilitator or cooperative admin
    /// looks at; they are fetched only when shown).
    pub async fn fetch_photo<T: sync::engine::Transport>(
        &self,
        transport: &T,
        hash: &str,
    ) -> Result<PathBuf> {
        if let Some(path) = self.photo_path(hash)?
            && path.exists()
        {
            return Ok(path);
        }
        let bytes = transport
            .download(hash)
            .await
            .map_err(|e| Error::Network(e.to_string()))?;
        photos::library::keep_downloaded(&self.db, &self.photo_dir, hash, &bytes.value)
    }

    /// The photo directory.
    pub fn photo_dir(&self) -> &Path {
        &self.photo_dir
    }

    /// Image files still to upload, in upload order: thumbnails first. With `thumbnails_only`
    /// (a metered network), display images wait.
    pub fn photo_upload_queue(&self, thumbnails_only: bool) -> Result<Vec<photos::PhotoFile>> {
        self.db.read(|c| photos::uploads::queue(c, thumbnails_only))
    }

    /// Counts for the status line: waiting, uploading (with percent), failed, uploaded.
    pub fn photo_upload_summary(&self) -> Result<photos::UploadSummary> {
        self.db.read(photos::uploads::summary)
    }

    /// Records the offset the server confirmed for an image being uploaded; the whole file
    /// confirmed means uploaded.
    pub fn confirm_photo_upload(&self, hash: &str, confirmed_bytes: i64) -> Result<()> {
        self.db
            .write(|tx| photos::uploads::confirm(tx, hash, confirmed_bytes))
    }

    /// Marks an image as refused by the server, with its reason.
    pub fn fail_photo_upload(&self, hash: &str, reason: &str) -> Result<()> {
        self.db.write(|tx| photos::uploads::fail(tx, hash, reason))
    }

    /// Puts refused images back in the upload queue.
    pub fn retry_failed_photo_uploads(&self) -> Result<usize> {
        self.db.write(photos::uploads::retry_failed)
    }

    /// Puts an owner's photos in the order given.
    pub fn reorder_photos(&self, owner: Id, order: &[Id]) -> Result<()> {
        self.db.write(|tx| photos::rows::reorder(tx, owner, order))
    }

    /// Removes a photo. Its files are deleted once no other photo uses them.
    pub fn remove_photo(&self, id: Id) -> Result<()> {
        photos::library::remove(&self.db, &self.photo_dir, id)
    }
}
