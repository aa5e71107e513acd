//! Producers: register (by a facilitator, offline, with an activation PIN), edit, list.

use crate::device::{Change, SentraDevice};
use crate::error::Result;
use crate::id;
use sentra_core::producers::{self, NewProducer, ProducerPatch};

/// A producer (UMKM) as the app shows it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Producer {
    /// Id.
    pub id: String,
    /// Business name.
    pub business_name: String,
    /// Owner's name.
    pub owner_name: String,
    /// Phone, normalised to `+62…`.
    pub phone: String,
    /// Address.
    pub address: String,
    /// Kemendagri region code.
    pub region_code: String,
    /// Sector code (`fashion_textiles`, `food_beverage`, `crafts`, `processed_agriculture`,
    /// `other`).
    pub sector: String,
    /// Number of workers.
    pub workforce: i64,
    /// Year founded.
    pub year_founded: Option<i64>,
    /// NIB (business id number).
    pub nib: Option<String>,
    /// Certification codes (`halal`, `pirt`, `sni`, `bpom`, `other`).
    pub certifications: Vec<String>,
    /// Whether the producer consented to publication.
    pub consent_publish: bool,
    /// When consent was given (`YYYY-MM-DD`).
    pub consent_date: Option<String>,
    /// The facilitator who registered them, or `None` when they registered themselves.
    pub registered_by_facilitator: Option<String>,
    /// When the producer was registered (Unix ms).
    pub created_at: i64,
}

impl From<producers::Producer> for Producer {
    fn from(p: producers::Producer) -> Self {
        Producer {
            id: p.id.to_string(),
            business_name: p.business_name,
            owner_name: p.owner_name,
            phone: p.phone,
            address: p.address,
            region_code: p.region_code,
            sector: p.sector.as_str().to_owned(),
            workforce: p.workforce,
            year_founded: p.year_founded,
            nib: p.nib,
            certifications: p
                .certifications
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            consent_publish: p.consent_publish,
            consent_date: p.consent_date,
            registered_by_facilitator: match p.registered_by {
                producers::RegisteredBy::Facilitator(id) => Some(id.to_string()),
                producers::RegisteredBy::SelfRegistered => None,
            },
            created_at: p.created_at,
        }
    }
}

/// The fields of a new producer; the core validates each one.
#[derive(Debug, Clone, Default, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct NewProducerInput {
    /// Business name, 1–100 characters.
    pub business_name: String,
    /// Owner's name, 1–100 characters.
    pub owner_name: String,
    /// Phone in any local form (`0812-3456-7890`); stored as `+62…`.
    pub phone: String,
    /// Kemendagri code of at least the regency (`3327`).
    pub region_code: String,
    /// Sector code (see [`Producer::sector`]).
    pub sector: String,
    /// Address, up to 300 characters.
    #[uniffi(default = "")]
    pub address: String,
    /// Number of workers, 0–100,000.
    #[uniffi(default = 1)]
    pub workforce: i64,
    /// Year founded.
    #[uniffi(default = None)]
    pub year_founded: Option<i64>,
    /// NIB, 13 digits.
    #[uniffi(default = None)]
    pub nib: Option<String>,
    /// Certification codes.
    #[uniffi(default = [])]
    pub certifications: Vec<String>,
    /// Consent to publish.
    #[uniffi(default = false)]
    pub consent_publish: bool,
    /// Date of the consent (`YYYY-MM-DD`), required with consent.
    #[uniffi(default = None)]
    pub consent_date: Option<String>,
    /// A 6-digit PIN a facilitator sets so the producer can sign in on their own phone after
    /// the next sync. Only its hash leaves the core.
    #[uniffi(default = None)]
    pub activation_pin: Option<String>,
}

impl From<NewProducerInput> for NewProducer {
    fn from(p: NewProducerInput) -> Self {
        NewProducer {
            business_name: p.business_name,
            owner_name: p.owner_name,
            phone: p.phone,
            address: p.address,
            region_code: p.region_code,
            sector: p.sector,
            workforce: p.workforce,
            year_founded: p.year_founded,
            nib: p.nib,
            certifications: p.certifications,
            consent_publish: p.consent_publish,
            consent_date: p.consent_date,
            activation_pin: p.activation_pin,
        }
    }
}

/// Changes to a producer; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct ProducerChanges {
    /// New business name.
    #[uniffi(default = None)]
    pub business_name: Option<String>,
    /// New owner's name.
    #[uniffi(default = None)]
    pub owner_name: Option<String>,
    /// New phone.
    #[uniffi(default = None)]
    pub phone: Option<String>,
    /// New address.
    #[uniffi(default = None)]
    pub address: Option<String>,
    /// New region code.
    #[uniffi(default = None)]
    pub region_code: Option<String>,
    /// New sector code.
    #[uniffi(default = None)]
    pub sector: Option<String>,
    /// New workforce count.
    #[uniffi(default = None)]
    pub workforce: Option<i64>,
    /// New certification codes.
    #[uniffi(default = None)]
    pub certifications: Option<Vec<String>>,
    /// Consent to publish, given or withdrawn (recorded by the facilitator on the phone); with
    /// consent, [`ProducerChanges::consent_date`] is required.
    #[uniffi(default = None)]
    pub consent_publish: Option<bool>,
    /// The date (`YYYY-MM-DD`) consent was given; read only with `consent_publish`.
    #[uniffi(default = None)]
    pub consent_date: Option<String>,
}

impl From<ProducerChanges> for ProducerPatch {
    fn from(p: ProducerChanges) -> Self {
        ProducerPatch {
            business_name: p.business_name,
            owner_name: p.owner_name,
            phone: p.phone,
            address: p.address,
            region_code: p.region_code,
            sector: p.sector,
            workforce: p.workforce,
            certifications: p.certifications,
            consent: p.consent_publish.map(|given| (given, p.consent_date)),
            ..Default::default()
        }
    }
}

#[uniffi::export]
impl SentraDevice {
    /// Registers a producer and returns their id. With a facilitator signed in, the
    /// facilitator is recorded as the one who registered them.
    pub fn register_producer(&self, input: NewProducerInput) -> Result<String> {
        let id = self.inner()?.register_producer(&input.into())?;
        self.notify(Change::Producers);
        Ok(id.to_string())
    }

    /// Edits a producer.
    pub fn edit_producer(&self, id: String, changes: ProducerChanges) -> Result<()> {
        self.inner()?
            .edit_producer(id::parse("id", &id)?, &changes.into())?;
        self.notify(Change::Producers);
        Ok(())
    }

    /// One producer.
    pub fn producer(&self, id: String) -> Result<Producer> {
        Ok(self.inner()?.producer(id::parse("id", &id)?)?.into())
    }

    /// A page of producers by name; with `only_mine`, those the signed-in facilitator
    /// registered ("my producers").
    pub fn producers(&self, only_mine: bool, offset: i64, limit: i64) -> Result<Vec<Producer>> {
        let (offset, limit) = id::page(offset, limit)?;
        Ok(self
            .inner()?
            .producers(only_mine, offset, limit)?
            .into_iter()
            .map(Producer::from)
            .collect())
    }
}
