//! Registering, editing and listing producers.

use crate::producers::{self, NewProducer, Producer, ProducerPatch, RegisteredBy};
use crate::{Account, Error, Id, Result, Role, Sentra, normalise_phone};

impl Sentra {
    /// Registers a producer. When a facilitator is signed in, they are recorded as
    /// `registered_by`; otherwise the producer registered themselves.
    pub fn register_producer(&self, input: &NewProducer) -> Result<Id> {
        let by = match self.account()? {
            Some(Account {
                user_id,
                role: Role::Facilitator,
            }) => RegisteredBy::Facilitator(user_id),
            _ => RegisteredBy::SelfRegistered,
        };
        self.db.write(|tx| producers::register(tx, input, by))
    }

    /// Registers a producer on behalf of a facilitator, whoever is signed in here (the
    /// server's CSV import, run on its replica for the facilitator signed in on the web).
    pub fn register_producer_for(&self, input: &NewProducer, facilitator: Id) -> Result<Id> {
        self.db
            .write(|tx| producers::register(tx, input, RegisteredBy::Facilitator(facilitator)))
    }

    /// The producer registered with this phone number (in any local form), if any.
    pub fn producer_by_phone(&self, phone: &str) -> Result<Option<Id>> {
        let Some(phone) = normalise_phone(phone) else {
            return Ok(None);
        };
        self.db.read(|c| producers::by_phone(c, &phone))
    }

    /// Edits a producer.
    pub fn edit_producer(&self, id: Id, patch: &ProducerPatch) -> Result<()> {
        self.db.write(|tx| producers::edit(tx, id, patch))
    }

    /// One producer.
    pub fn producer(&self, id: Id) -> Result<Producer> {
        self.db
            .read(|c| producers::get(c, id))?
            .ok_or(Error::NotFound { entity: "producer" })
    }

    /// Producers by name; with `only_mine`, those the signed-in facilitator registered.
    pub fn producers(&self, only_mine: bool, offset: u32, limit: u32) -> Result<Vec<Producer>> {
        let mine = if only_mine {
            self.account()?.map(|a| a.user_id)
        } else {
            None
        };
        self.db.read(|c| producers::list(c, mine, offset, limit))
    }
}
