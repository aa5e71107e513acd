//! Clusters and cooperatives: making them, their members and admins.

use crate::organisations::{self, Organisation};
use crate::{Error, Id, Result, Sentra};

impl Sentra {
    /// Creates a cluster or cooperative (`kind` is `cluster` or `cooperative`).
    pub fn create_organisation(&self, kind: &str, name: &str, region_code: &str) -> Result<Id> {
        self.db
            .write(|tx| organisations::create(tx, kind, name, region_code))
    }

    /// Adds a producer to an organisation.
    pub fn add_member(&self, organisation: Id, producer: Id) -> Result<()> {
        self.db
            .write(|tx| organisations::add_member(tx, organisation, producer))
    }

    /// Takes a producer out of an organisation (a membership that ends syncs as its own entry;
    /// an add and a removal made apart resolve by the later one).
    pub fn remove_member(&self, organisation: Id, producer: Id) -> Result<()> {
        self.db
            .write(|tx| organisations::remove_member(tx, organisation, producer))
    }

    /// Makes a user an admin of an organisation.
    pub fn add_admin(&self, organisation: Id, user: Id) -> Result<()> {
        self.db
            .write(|tx| organisations::add_admin(tx, organisation, user))
    }

    /// One organisation with its members and admins.
    pub fn organisation(&self, id: Id) -> Result<Organisation> {
        self.db
            .read(|c| organisations::get(c, id))?
            .ok_or(Error::NotFound {
                entity: "organisation",
            })
    }

    /// Every cooperative and cluster this store holds, by name.
    pub fn organisations(&self) -> Result<Vec<Organisation>> {
        self.db.read(|c| organisations::list(c, None))
    }

    /// The cooperatives and clusters a producer belongs to.
    pub fn organisations_of(&self, producer: Id) -> Result<Vec<Organisation>> {
        self.db.read(|c| organisations::list(c, Some(producer)))
    }
}
