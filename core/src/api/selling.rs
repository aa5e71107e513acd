//! How a producer sells: delivery, payment and contact settings, the QRIS image, and marking
//! an order paid.

use crate::selling::{self, Selling};
use crate::{Error, Id, Result, Sentra, photos};
use std::path::Path;

impl Sentra {
    /// A producer's delivery, payment and contact settings.
    pub fn selling(&self, producer: Id) -> Result<Selling> {
        self.db
            .read(|c| selling::get(c, producer))?
            .ok_or(Error::NotFound { entity: "producer" })
    }

    /// Sets a producer's delivery, payment and contact settings. Every field is checked
    /// (`Error::Validation` lists each one that breaks a rule); only fields that change are
    /// recorded, as one producer update that syncs.
    pub fn set_selling(&self, producer: Id, settings: &Selling) -> Result<()> {
        self.db.write(|tx| selling::set(tx, producer, settings))
    }

    /// Takes a photo of the producer's QRIS code through the photo pipeline (upright, stripped
    /// of metadata, queued for upload) and makes it the producer's QRIS. A QRIS image set before
    /// is removed.
    pub fn set_qris_photo(&self, producer: Id, source: &Path) -> Result<photos::Photo> {
        let before = self.selling(producer)?;
        let photo = self.add_photo(producer, source)?;
        let settings = Selling {
            qris_hash: Some(photo.hash.clone()),
            ..before.clone()
        };
        self.set_selling(producer, &settings)?;
        if let Some(old) = before.qris_hash.filter(|old| *old != photo.hash) {
            for other in self.photos(producer)? {
                if other.hash == old {
                    self.remove_photo(other.id)?;
                }
            }
        }
        Ok(photo)
    }

    /// Marks an order paid (the transfer, the QRIS payment or the cash arrived). Marking it
    /// again changes nothing; a rejected or cancelled order cannot be marked
    /// (`InvalidTransition`).
    pub fn mark_order_paid(&self, order: Id) -> Result<()> {
        self.db.write(|tx| selling::paid::mark(tx, order))
    }
}
