//! Clusters and cooperatives on the phone: a facilitator (or a producer) puts a producer into
//! one or takes them out. The server decides with the same rules as the web page
//! (`server/src/scope.rs`): a change outside the account's rights comes back refused.

use crate::device::{Change, SentraDevice};
use crate::error::Result;
use crate::id;
use sentra_core::organisations;

/// A cluster or cooperative with its members.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Organisation {
    /// Id.
    pub id: String,
    /// `cluster` or `cooperative`.
    pub kind: String,
    /// Name, such as "Koperasi Gula Kristal Banyumas".
    pub name: String,
    /// Kemendagri region code.
    pub region_code: String,
    /// Member producers' ids.
    pub members: Vec<String>,
}

impl From<organisations::Organisation> for Organisation {
    fn from(o: organisations::Organisation) -> Self {
        Organisation {
            id: o.id.to_string(),
            kind: o.kind.as_str().to_owned(),
            name: o.name,
            region_code: o.region_code,
            members: o.members.iter().map(ToString::to_string).collect(),
        }
    }
}

#[uniffi::export]
impl SentraDevice {
    /// Creates a cluster or cooperative (`kind` is `cluster` or `cooperative`) and returns its id.
    pub fn create_organisation(
        &self,
        kind: String,
        name: String,
        region_code: String,
    ) -> Result<String> {
        let id = self
            .inner()?
            .create_organisation(&kind, &name, &region_code)?;
        self.notify(Change::Producers);
        Ok(id.to_string())
    }

    /// Every cluster and cooperative this phone knows, by name.
    pub fn organisations(&self) -> Result<Vec<Organisation>> {
        Ok(self
            .inner()?
            .organisations()?
            .into_iter()
            .map(Organisation::from)
            .collect())
    }

    /// The clusters and cooperatives a producer belongs to.
    pub fn organisations_of(&self, producer_id: String) -> Result<Vec<Organisation>> {
        Ok(self
            .inner()?
            .organisations_of(id::parse("producer_id", &producer_id)?)?
            .into_iter()
            .map(Organisation::from)
            .collect())
    }

    /// Puts a producer into a cluster or cooperative (twice changes nothing).
    pub fn add_member(&self, organisation_id: String, producer_id: String) -> Result<()> {
        self.inner()?.add_member(
            id::parse("organisation_id", &organisation_id)?,
            id::parse("producer_id", &producer_id)?,
        )?;
        self.notify(Change::Producers);
        Ok(())
    }

    /// Takes a producer out of a cluster or cooperative; its admins stop seeing the producer's
    /// private data after their next sync. `NotFound` when they are not a member.
    pub fn remove_member(&self, organisation_id: String, producer_id: String) -> Result<()> {
        self.inner()?.remove_member(
            id::parse("organisation_id", &organisation_id)?,
            id::parse("producer_id", &producer_id)?,
        )?;
        self.notify(Change::Producers);
        Ok(())
    }
}
