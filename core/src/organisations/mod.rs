//! Organisations: clusters (*sentra*, *klaster*) and cooperatives (*koperasi*), their member
//! producers and their admins.

use crate::db::Tx;
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use crate::input::Checks;
use crate::regions;
use crate::sync::outbox::{Entity, Op};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::{Map, Value};

/// A cluster or a cooperative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// A production cluster (*sentra*, *klaster*).
    Cluster,
    /// A cooperative (*koperasi*).
    Cooperative,
}

impl OrganisationKind {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Cluster => "cluster",
            OrganisationKind::Cooperative => "cooperative",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "cluster" => Some(OrganisationKind::Cluster),
            "cooperative" => Some(OrganisationKind::Cooperative),
            _ => None,
        }
    }
}

/// An organisation with its members and admins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    /// Its id.
    pub id: Id,
    /// Cluster or cooperative.
    pub kind: OrganisationKind,
    /// Its name, such as "Koperasi Gula Kristal Banyumas".
    pub name: String,
    /// Kemendagri region code.
    pub region_code: String,
    /// Member producers.
    pub members: Vec<Id>,
    /// Admin user ids.
    pub admins: Vec<Id>,
}

/// The longest organisation name.
pub(crate) const NAME_MAX: usize = 120;

/// Creates an organisation.
pub(crate) fn create(tx: &mut Tx<'_>, kind: &str, name: &str, region_code: &str) -> Result<Id> {
    let now = tx.now_ms();
    let mut c = Checks::new();
    let kind = OrganisationKind::parse(kind.trim()).map(OrganisationKind::as_str);
    if kind.is_none() {
        c.fail("kind", Rule::Unknown);
    }
    let name = c.label("name", name, NAME_MAX);
    let region_code = regions::validate_code(region_code).unwrap_or_else(|_| {
        c.fail("region_code", Rule::RegionCode);
        String::new()
    });
    c.finish()?;
    let id = Id::new();
    tx.insert(
        "organisations",
        Entity::Organisation,
        id,
        vec![
            ("kind", kind.unwrap_or_default().into()),
            ("name", name.into()),
            ("region_code", region_code.into()),
            ("created_at", now.into()),
        ],
    )?;
    Ok(id)
}

fn exists(conn: &Connection, table: &str, id: Id) -> Result<bool> {
    Ok(conn
        .prepare_cached(&format!("SELECT 1 FROM {table} WHERE id = ?1"))?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Adds a producer to an organisation. Adding one twice changes nothing.
pub(crate) fn add_member(tx: &mut Tx<'_>, organisation: Id, producer: Id) -> Result<()> {
    if !exists(tx, "organisations", organisation)? {
        return Err(Error::NotFound {
            entity: "organisation",
        });
    }
    if !exists(tx, "producers", producer)? {
        return Err(Error::field("producer_id", Rule::Unknown));
    }
    let hlc = tx.tick().packed();
    let added = tx.execute(
        "INSERT OR IGNORE INTO organisation_members(organisation_id, producer_id, hlc) VALUES (?1, ?2, ?3)",
        rusqlite::params![organisation, producer, hlc],
    )?;
    if added == 1 {
        // A local add is always later than any removal this phone has seen.
        tx.execute(
            "DELETE FROM organisation_member_removals WHERE organisation_id = ?1 AND producer_id = ?2",
            rusqlite::params![organisation, producer],
        )?;
        let mut fields = Map::new();
        fields.insert("producer_id".into(), Value::from(producer.to_string()));
        tx.record(Entity::OrganisationMember, organisation, Op::Append, fields)?;
    }
    Ok(())
}

/// Takes a producer out of an organisation: its admins stop seeing the producer's private data
/// at their next sync. Removing someone who is not a member is `NotFound`.
pub(crate) fn remove_member(tx: &mut Tx<'_>, organisation: Id, producer: Id) -> Result<()> {
    let removed = tx.execute(
        "DELETE FROM organisation_members WHERE organisation_id = ?1 AND producer_id = ?2",
        rusqlite::params![organisation, producer],
    )?;
    if removed == 0 {
        return Err(Error::NotFound {
            entity: "organisation_member",
        });
    }
    let hlc = tx.tick().packed();
    tx.execute(
        "INSERT OR REPLACE INTO organisation_member_removals(organisation_id, producer_id, hlc) \
         VALUES (?1, ?2, ?3)",
        rusqlite::params![organisation, producer, hlc],
    )?;
    let mut fields = Map::new();
    fields.insert("producer_id".into(), Value::from(producer.to_string()));
    tx.record(Entity::OrganisationMember, organisation, Op::Remove, fields)?;
    Ok(())
}

/// Makes a user an admin of an organisation. Adding one twice changes nothing.
pub(crate) fn add_admin(tx: &mut Tx<'_>, organisation: Id, user: Id) -> Result<()> {
    if !exists(tx, "organisations", organisation)? {
        return Err(Error::NotFound {
            entity: "organisation",
        });
    }
    let hlc = tx.tick().packed();
    let added = tx.execute(
        "INSERT OR IGNORE INTO organisation_admins(organisation_id, user_id, hlc) VALUES (?1, ?2, ?3)",
        rusqlite::params![organisation, user, hlc],
    )?;
    if added == 1 {
        let mut fields = Map::new();
        fields.insert("user_id".into(), Value::from(user.to_string()));
        tx.record(Entity::OrganisationAdmin, organisation, Op::Append, fields)?;
    }
    Ok(())
}

/// One organisation with its members and admins.
pub(crate) fn get(conn: &Connection, id: Id) -> Result<Option<Organisation>> {
    let head = conn
        .prepare_cached("SELECT kind, name, region_code FROM organisations WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((kind, name, region_code)) = head else {
        return Ok(None);
    };
    let ids = |sql: &str| -> Result<Vec<Id>> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    Ok(Some(Organisation {
        id,
        kind: OrganisationKind::parse(&kind).ok_or(Error::Decode("organisation kind".into()))?,
        name,
        region_code,
        members: ids(
            "SELECT producer_id FROM organisation_members WHERE organisation_id = ?1 ORDER BY producer_id",
        )?,
        admins: ids(
            "SELECT user_id FROM organisation_admins WHERE organisation_id = ?1 ORDER BY user_id",
        )?,
    }))
}

/// Every organisation, or those a producer belongs to, by name; members and admins included.
pub(crate) fn list(conn: &Connection, member: Option<Id>) -> Result<Vec<Organisation>> {
    let ids: Vec<Id> = match member {
        Some(producer) => {
            let mut stmt = conn.prepare_cached(
                "SELECT o.id FROM organisations o JOIN organisation_members m \
                 ON m.organisation_id = o.id WHERE m.producer_id = ?1 ORDER BY o.name",
            )?;
            let rows = stmt.query_map([producer], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        }
        None => {
            let mut stmt = conn.prepare_cached("SELECT id FROM organisations ORDER BY name")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        }
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(organisation) = get(conn, id)? {
            out.push(organisation);
        }
    }
    Ok(out)
}
