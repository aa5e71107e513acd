//! Producers (UMKM): registration by themselves or by a facilitator, edits and listing.

use crate::db::{Tx, Val};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::{Checks, is_nib};
use crate::regions;
use crate::sync::outbox::Entity;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

/// The fixed sector taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// Fashion and textiles (*fesyen dan tekstil*).
    FashionTextiles,
    /// Food and beverage (*makanan dan minuman*).
    FoodBeverage,
    /// Crafts (*kriya*).
    Crafts,
    /// Processed agricultural products (*olahan hasil pertanian*).
    ProcessedAgriculture,
    /// Anything else (*lainnya*).
    Other,
}

impl Sector {
    /// Every sector, in display order.
    pub const ALL: [Sector; 5] = [
        Sector::FashionTextiles,
        Sector::FoodBeverage,
        Sector::Crafts,
        Sector::ProcessedAgriculture,
        Sector::Other,
    ];

    /// The stable code stored and synced.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::FashionTextiles => "fashion_textiles",
            Sector::FoodBeverage => "food_beverage",
            Sector::Crafts => "crafts",
            Sector::ProcessedAgriculture => "processed_agriculture",
            Sector::Other => "other",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Sector> {
        Sector::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// The name shown to people: Indonesian, then English.
    pub fn label(self, lang: crate::Lang) -> &'static str {
        use crate::Lang::{En, Id};
        match (self, lang) {
            (Sector::FashionTextiles, Id) => "Fesyen & tekstil",
            (Sector::FashionTextiles, En) => "Fashion & textiles",
            (Sector::FoodBeverage, Id) => "Makanan & minuman",
            (Sector::FoodBeverage, En) => "Food & beverage",
            (Sector::Crafts, Id) => "Kriya",
            (Sector::Crafts, En) => "Crafts",
            (Sector::ProcessedAgriculture, Id) => "Olahan hasil pertanian",
            (Sector::ProcessedAgriculture, En) => "Processed agriculture",
            (Sector::Other, Id) => "Lainnya",
            (Sector::Other, En) => "Other",
        }
    }
}

/// Certifications a producer may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certification {
    /// Halal certificate.
    Halal,
    /// PIRT home-industry food permit.
    Pirt,
    /// SNI national standard.
    Sni,
    /// BPOM food and drug agency registration.
    Bpom,
    /// Any other certificate.
    Other,
}

impl Certification {
    const ALL: [Certification; 5] = [
        Certification::Halal,
        Certification::Pirt,
        Certification::Sni,
        Certification::Bpom,
        Certification::Other,
    ];

    /// The stable code stored and synced.
    pub fn as_str(self) -> &'static str {
        match self {
            Certification::Halal => "halal",
            Certification::Pirt => "pirt",
            Certification::Sni => "sni",
            Certification::Bpom => "bpom",
            Certification::Other => "other",
        }
    }

    fn parse(code: &str) -> Option<Certification> {
        Certification::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// Who registered a producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "user_id")]
pub enum RegisteredBy {
    /// The producer, on their own behalf.
    SelfRegistered,
    /// A facilitator, by user id.
    Facilitator(Id),
}

impl RegisteredBy {
    fn to_stored(self) -> String {
        match self {
            RegisteredBy::SelfRegistered => "self".to_owned(),
            RegisteredBy::Facilitator(id) => id.to_string(),
        }
    }

    fn from_stored(raw: &str) -> Result<Self> {
        if raw == "self" {
            return Ok(RegisteredBy::SelfRegistered);
        }
        raw.parse()
            .map(RegisteredBy::Facilitator)
            .map_err(|_| Error::Decode("registered_by".into()))
    }
}

/// A registered producer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Producer {
    /// Its id.
    pub id: Id,
    /// Business name (*nama usaha*).
    pub business_name: String,
    /// Owner's name (*nama pemilik*).
    pub owner_name: String,
    /// Phone, normalised to `+62…`.
    pub phone: String,
    /// Street address.
    pub address: String,
    /// Kemendagri region code (4, 6 or 10 digits).
    pub region_code: String,
    /// Sector.
    pub sector: Sector,
    /// Number of workers.
    pub workforce: i64,
    /// Year the business was founded.
    pub year_founded: Option<i64>,
    /// NIB (business id), 13 digits.
    pub nib: Option<String>,
    /// Certifications held, sorted.
    pub certifications: Vec<Certification>,
    /// Whether the producer agreed to have the listing published.
    pub consent_publish: bool,
    /// The date (`YYYY-MM-DD`) consent was given.
    pub consent_date: Option<String>,
    /// Who registered the producer.
    pub registered_by: RegisteredBy,
    /// When it was registered (Unix ms).
    pub created_at: i64,
}

/// The fields of a new producer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewProducer {
    /// Business name, 1–100 characters.
    pub business_name: String,
    /// Owner's name, 1–100 characters.
    pub owner_name: String,
    /// Phone in any local form; stored as `+62…`.
    pub phone: String,
    /// Address, up to 300 characters.
    pub address: String,
    /// Kemendagri code of at least the regency.
    pub region_code: String,
    /// Sector code (see [`Sector`]).
    pub sector: String,
    /// Number of workers, 0–100,000.
    pub workforce: i64,
    /// Year founded, 1900 to this year.
    pub year_founded: Option<i64>,
    /// NIB, 13 digits, optional.
    pub nib: Option<String>,
    /// Certification codes (see [`Certification`]).
    pub certifications: Vec<String>,
    /// Consent to publish.
    pub consent_publish: bool,
    /// Date of the consent, `YYYY-MM-DD`; required when consent is given.
    pub consent_date: Option<String>,
    /// A 6-digit PIN the facilitator sets while registering the producer offline, so the
    /// producer can sign in on their own phone after the next sync. Only its argon2id hash
    /// leaves this call: it travels in the outbox entry to the server and is not stored here.
    pub activation_pin: Option<String>,
}

/// Changes to a producer; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProducerPatch {
    /// New business name.
    pub business_name: Option<String>,
    /// New owner's name.
    pub owner_name: Option<String>,
    /// New phone.
    pub phone: Option<String>,
    /// New address.
    pub address: Option<String>,
    /// New region code.
    pub region_code: Option<String>,
    /// New sector code.
    pub sector: Option<String>,
    /// New workforce count.
    pub workforce: Option<i64>,
    /// New founding year (`Some(None)` clears it).
    pub year_founded: Option<Option<i64>>,
    /// New NIB (`Some(None)` clears it).
    pub nib: Option<Option<String>>,
    /// New certification codes.
    pub certifications: Option<Vec<String>>,
    /// New consent and its date.
    pub consent: Option<(bool, Option<String>)>,
}

/// The longest business or owner name.
pub(crate) const NAME_MAX: usize = 100;
/// The longest address.
pub(crate) const ADDRESS_MAX: usize = 300;
/// The largest workforce a producer may report.
pub(crate) const MAX_WORKFORCE: i64 = 100_000;

fn check_sector(checks: &mut Checks, code: &str) -> &'static str {
    match Sector::parse(code.trim()) {
        Some(sector) => sector.as_str(),
        None => {
            checks.fail("sector", Rule::Unknown);
            ""
        }
    }
}

fn check_region(checks: &mut Checks, code: &str) -> String {
    regions::validate_code(code).unwrap_or_else(|_| {
        checks.fail("region_code", Rule::RegionCode);
        String::new()
    })
}

fn check_year(checks: &mut Checks, year: Option<i64>, this_year: i64) -> Option<i64> {
    year.map(|y| checks.range("year_founded", y, 1900, this_year))
}

fn check_nib(checks: &mut Checks, nib: Option<&str>) -> Option<String> {
    let nib = nib.map(str::trim).filter(|n| !n.is_empty())?;
    if !is_nib(nib) {
        checks.fail("nib", Rule::Nib);
    }
    Some(nib.to_owned())
}

pub(crate) fn check_certifications(checks: &mut Checks, codes: &[String]) -> String {
    let mut certs: Vec<Certification> = Vec::new();
    for code in codes {
        match Certification::parse(code.trim()) {
            Some(c) if !certs.contains(&c) => certs.push(c),
            Some(_) => {}
            None => checks.fail("certifications", Rule::Unknown),
        }
    }
    certs.sort();
    certs
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn check_consent(checks: &mut Checks, given: bool, date: Option<&str>) -> Option<String> {
    match (given, date.map(str::trim).filter(|d| !d.is_empty())) {
        (true, Some(date)) => Some(checks.date("consent_date", date)),
        (true, None) => {
            checks.fail("consent_date", Rule::Required);
            None
        }
        (false, _) => None,
    }
}

pub(crate) fn this_year(now_ms: i64) -> i64 {
    time::OffsetDateTime::from_unix_timestamp(now_ms / 1000).map_or(2100, |t| i64::from(t.year()))
}

impl NewProducer {
    /// Every rule a registration of this producer would break, without registering it (empty
    /// when it would be taken). The facilitators' CSV import uses it to report all of a bad
    /// row's problems at once, with those it found itself.
    pub fn problems(&self, now_ms: i64) -> Vec<crate::FieldError> {
        let mut c = Checks::new();
        let _ = checked(&mut c, self, now_ms);
        match c.finish() {
            Ok(()) => Vec::new(),
            Err(err) => err.fields().to_vec(),
        }
    }
}

/// A registration's fields, checked (the failures are in the `Checks`).
struct Checked {
    business_name: String,
    owner_name: String,
    phone: String,
    address: String,
    region_code: String,
    sector: &'static str,
    workforce: i64,
    year_founded: Option<i64>,
    nib: Option<String>,
    certifications: String,
    consent_date: Option<String>,
}

/// Checks every field of a registration, as [`register`] and [`NewProducer::problems`] do.
fn checked(c: &mut Checks, input: &NewProducer, now: i64) -> Checked {
    let checked = Checked {
        business_name: c.label("business_name", &input.business_name, NAME_MAX),
        owner_name: c.label("owner_name", &input.owner_name, NAME_MAX),
        phone: c.phone("phone", &input.phone),
        address: c.optional_text("address", &input.address, ADDRESS_MAX),
        region_code: check_region(c, &input.region_code),
        sector: check_sector(c, &input.sector),
        workforce: c.range("workforce", input.workforce, 0, MAX_WORKFORCE),
        year_founded: check_year(c, input.year_founded, this_year(now)),
        nib: check_nib(c, input.nib.as_deref()),
        certifications: check_certifications(c, &input.certifications),
        consent_date: check_consent(c, input.consent_publish, input.consent_date.as_deref()),
    };
    let pin = input.activation_pin.as_deref().map(str::trim);
    if pin.is_some_and(|p| p.len() != 6 || !p.bytes().all(|b| b.is_ascii_digit())) {
        c.fail("activation_pin", Rule::Pin);
    }
    checked
}

/// Registers a producer. `registered_by` comes from the signed-in account.
pub(crate) fn register(tx: &mut Tx<'_>, input: &NewProducer, by: RegisteredBy) -> Result<Id> {
    let now = tx.now_ms();
    let mut c = Checks::new();
    let Checked {
        business_name,
        owner_name,
        phone,
        address,
        region_code,
        sector,
        workforce,
        year_founded,
        nib,
        certifications,
        consent_date,
    } = checked(&mut c, input, now);
    let pin = input.activation_pin.as_deref().map(str::trim);
    c.finish()?;
    let mut extra = serde_json::Map::new();
    if let Some(pin) = pin {
        use argon2::PasswordHasher;
        let hash = argon2::Argon2::default()
            .hash_password(pin.as_bytes())
            .map_err(|e| Error::Decode(format!("hashing the PIN: {e}")))?;
        extra.insert(
            "activation_pin_hash".into(),
            serde_json::Value::String(hash.to_string()),
        );
    }
    let id = Id::new();
    tx.insert_composite(
        "producers",
        Entity::Producer,
        id,
        vec![
            ("business_name", business_name.into()),
            ("owner_name", owner_name.into()),
            ("phone", phone.into()),
            ("address", address.into()),
            ("region_code", region_code.into()),
            ("sector", sector.into()),
            ("workforce", workforce.into()),
            ("year_founded", year_founded.into()),
            ("nib", nib.into()),
            ("certifications", certifications.into()),
            ("consent_publish", input.consent_publish.into()),
            ("consent_date", consent_date.into()),
            ("registered_by", by.to_stored().into()),
            ("created_at", now.into()),
        ],
        extra,
    )?;
    Ok(id)
}

/// Applies a patch to a producer. Only fields that really change are recorded.
pub(crate) fn edit(tx: &mut Tx<'_>, id: Id, patch: &ProducerPatch) -> Result<()> {
    let current = get(tx, id)?.ok_or(Error::NotFound { entity: "producer" })?;
    let now = tx.now_ms();
    let mut c = Checks::new();
    let mut changes: Vec<(&'static str, Val)> = Vec::new();
    let mut change = |name: &'static str, old: Val, new: Val| {
        if old != new {
            changes.push((name, new));
        }
    };
    if let Some(v) = &patch.business_name {
        let v = c.label("business_name", v, NAME_MAX);
        change(
            "business_name",
            current.business_name.clone().into(),
            v.into(),
        );
    }
    if let Some(v) = &patch.owner_name {
        let v = c.label("owner_name", v, NAME_MAX);
        change("owner_name", current.owner_name.clone().into(), v.into());
    }
    if let Some(v) = &patch.phone {
        let v = c.phone("phone", v);
        change("phone", current.phone.clone().into(), v.into());
    }
    if let Some(v) = &patch.address {
        let v = c.optional_text("address", v, ADDRESS_MAX);
        change("address", current.address.clone().into(), v.into());
    }
    if let Some(v) = &patch.region_code {
        let v = check_region(&mut c, v);
        change("region_code", current.region_code.clone().into(), v.into());
    }
    if let Some(v) = &patch.sector {
        let v = check_sector(&mut c, v);
        change("sector", current.sector.as_str().into(), v.into());
    }
    if let Some(v) = patch.workforce {
        let v = c.range("workforce", v, 0, MAX_WORKFORCE);
        change("workforce", current.workforce.into(), v.into());
    }
    if let Some(v) = patch.year_founded {
        let v = check_year(&mut c, v, this_year(now));
        change("year_founded", current.year_founded.into(), v.into());
    }
    if let Some(v) = &patch.nib {
        let v = check_nib(&mut c, v.as_deref());
        change("nib", current.nib.clone().into(), v.into());
    }
    if let Some(v) = &patch.certifications {
        let v = check_certifications(&mut c, v);
        let old = current
            .certifications
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",");
        change("certifications", old.into(), v.into());
    }
    if let Some((given, date)) = &patch.consent {
        let date = check_consent(&mut c, *given, date.as_deref());
        change(
            "consent_publish",
            current.consent_publish.into(),
            (*given).into(),
        );
        change(
            "consent_date",
            current.consent_date.clone().into(),
            date.into(),
        );
    }
    c.finish()?;
    tx.update("producers", Entity::Producer, id, changes)
}

const COLUMNS: &str = "id, business_name, owner_name, phone, address, region_code, sector, \
    workforce, year_founded, nib, certifications, consent_publish, consent_date, registered_by, \
    created_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<(Producer, String, String)> {
    let sector: String = r.get(6)?;
    let certs: String = r.get(10)?;
    let by: String = r.get(13)?;
    Ok((
        Producer {
            id: r.get(0)?,
            business_name: r.get(1)?,
            owner_name: r.get(2)?,
            phone: r.get(3)?,
            address: r.get(4)?,
            region_code: r.get(5)?,
            sector: Sector::parse(&sector).unwrap_or(Sector::Other),
            workforce: r.get(7)?,
            year_founded: r.get(8)?,
            nib: r.get(9)?,
            certifications: certs.split(',').filter_map(Certification::parse).collect(),
            consent_publish: r.get(11)?,
            consent_date: r.get(12)?,
            registered_by: RegisteredBy::SelfRegistered,
            created_at: r.get(14)?,
        },
        by,
        sector,
    ))
}

fn finish_row(row: (Producer, String, String)) -> Result<Producer> {
    let (mut producer, by, _) = row;
    producer.registered_by = RegisteredBy::from_stored(&by)?;
    Ok(producer)
}

/// One producer, if it exists.
pub(crate) fn get(conn: &Connection, id: Id) -> Result<Option<Producer>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM producers WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    row.map(finish_row).transpose()
}

/// The producer with this normalised phone, if any (the oldest, should there be two).
pub(crate) fn by_phone(conn: &Connection, phone: &str) -> Result<Option<Id>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM producers WHERE phone = ?1 ORDER BY created_at, id LIMIT 1",
        )?
        .query_row([phone], |r| r.get(0))
        .optional()?)
}

/// Producers by business name, optionally only those one facilitator registered.
pub(crate) fn list(
    conn: &Connection,
    registered_by: Option<Id>,
    offset: u32,
    limit: u32,
) -> Result<Vec<Producer>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM producers WHERE (?1 IS NULL OR registered_by = ?1) \
         ORDER BY business_name COLLATE NOCASE, id LIMIT ?2 OFFSET ?3"
    ))?;
    let by = registered_by.map(|id| id.to_string());
    let rows = stmt.query_map(rusqlite::params![by, limit, offset], from_row)?;
    rows.map(|r| finish_row(r?)).collect()
}
