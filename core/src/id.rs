//! Ids of every synced thing: UUIDv7, time-ordered so new rows append to the B-tree, stored as
//! 16-byte blobs and shown as hyphenated text.

use crate::error::{Error, Rule};
use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// A globally unique id, made on the device that creates the thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(Uuid);

impl Id {
    /// A new, time-ordered id.
    pub fn new() -> Self {
        Id(Uuid::now_v7())
    }

    /// The first 8 bytes as a number; used as a device's clock node.
    pub(crate) fn node(&self) -> u64 {
        let b = self.0.as_bytes();
        u64::from_be_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]])
    }

    /// An id derived from another id and a name: the same inputs give the same id on every
    /// device (UUIDv5).
    pub(crate) fn derived(namespace: Id, name: &[u8]) -> Self {
        Id(Uuid::new_v5(&namespace.0, name))
    }

    /// A child id: the first 12 bytes of `parent` and 4 random bytes. A product's variants get
    /// child ids, so they sit next to each other in the variants table and are found by a range
    /// of the primary key, with no second index (see [`Id::children`]).
    pub fn child(parent: Id) -> Self {
        let mut bytes = *parent.0.as_bytes();
        let random = Uuid::new_v4();
        bytes[12..].copy_from_slice(&random.as_bytes()[12..]);
        Id(Uuid::from_bytes(bytes))
    }

    /// A variant's id: a child of its product's id whose last 4 bytes are a hash of its options
    /// (trimmed, lower case). The same options added to one product on two phones offline give
    /// the same id, so they merge into one variant whose stock is the sum of both phones'
    /// movements instead of two twins with the same size.
    pub fn variant(product: Id, options: &[String]) -> Self {
        let name: Vec<String> = options.iter().map(|o| o.trim().to_lowercase()).collect();
        let hash = Id::derived(product, name.join("\u{1f}").as_bytes());
        let mut bytes = *product.0.as_bytes();
        bytes[12..].copy_from_slice(&hash.0.as_bytes()[12..]);
        Id(Uuid::from_bytes(bytes))
    }

    /// The smallest and largest possible child ids of `parent`.
    pub(crate) fn children(parent: Id) -> (Id, Id) {
        children_range(parent.0.as_bytes())
    }

    /// Whether this id is a child of `parent` (see [`Id::child`]).
    pub fn is_child_of(&self, parent: Id) -> bool {
        self.0.as_bytes()[..12] == parent.0.as_bytes()[..12]
    }

    /// The 16 bytes of the id.
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// The id with these 16 bytes.
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Id(Uuid::from_bytes(bytes))
    }

    /// Parses an id given by a caller; a malformed one is a validation error on `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, Error> {
        raw.parse().map_err(|_| Error::field(field, Rule::Id))
    }
}

/// The child-id range of a parent given as bytes; see [`Id::child`].
pub(crate) fn children_range(parent: &[u8; 16]) -> (Id, Id) {
    let mut lo = *parent;
    let mut hi = *parent;
    lo[12..].fill(0x00);
    hi[12..].fill(0xff);
    (Id(Uuid::from_bytes(lo)), Id(Uuid::from_bytes(hi)))
}

impl Default for Id {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for Id {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Id)
    }
}

impl ToSql for Id {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Blob(self.0.as_bytes())))
    }
}

impl FromSql for Id {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        Uuid::column_result(value).map(Id)
    }
}

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
