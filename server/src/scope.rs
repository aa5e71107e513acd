//! Who may push what, and who sees what.
//!
//! Every synced thing belongs to one producer (a product to its producer, a variant to its
//! product's producer, a sale to its variant's, …), or to no one in particular (organisations,
//! visible to every signed-in device). A producer may write and see their own data; a
//! facilitator the producers they registered; a cooperative admin their members; an admin
//! everything; an official nothing through sync (officials read aggregates).
//!
//! Memberships: whoever has rights over a producer (the producer, their facilitator, an admin,
//! or the admin of a cooperative the producer already belongs to) may add them to or remove
//! them from an organisation; a cooperative admin only in an organisation they administer. A
//! removal shrinks the admins' scope, and their next pull drops the producer's data (the cursor
//! was given under the old scope).

use crate::accounts::Account;
use crate::store::{StoreError, StoreResult};
use sentra_core::sync::wire::Change;
use sentra_core::{Id, Role};
use serde_json::Value;
use std::collections::HashSet;

/// The lookups the rules need, read in the same transaction as the push or pull.
pub trait Index {
    /// The producer a thing belongs to, if the server has seen it.
    fn owner(&mut self, entity: &str, id: Id) -> StoreResult<Option<Id>>;
    /// Who registered a producer (`self` or a facilitator's user id).
    fn registered_by(&mut self, producer: Id) -> StoreResult<Option<String>>;
    /// Whether `admin` administers an organisation that `producer` belongs to.
    fn admins_member(&mut self, admin: Id, producer: Id) -> StoreResult<bool>;
    /// The producers a facilitator registered or whose region the facilitator is assigned to.
    fn facilitator_producers(&mut self, facilitator: Id) -> StoreResult<Vec<Id>>;
    /// Whether a producer's region lies in one the facilitator is assigned to.
    fn in_assigned_region(&mut self, facilitator: Id, producer: Id) -> StoreResult<bool>;
    /// The member producers of the organisations `admin` administers.
    fn members_administered(&mut self, admin: Id) -> StoreResult<Vec<Id>>;
    /// Who created an organisation (`None`: the server has not seen it created).
    fn organisation_creator(&mut self, organisation: Id) -> StoreResult<Option<Id>>;
    /// Whether `user` is one of an organisation's admins.
    fn administers(&mut self, user: Id, organisation: Id) -> StoreResult<bool>;
}

/// Why a pushed entry was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The entry touches data outside the account's rights.
    #[error("this account may not change that data")]
    Forbidden,
    /// The entry refers to something the server does not know.
    #[error("the entry refers to data the server does not know")]
    Unknown,
    /// The entry is not a change this server understands.
    #[error("the entry is not a valid change")]
    Malformed,
    /// The index could not be read.
    #[error("the server could not check this entry")]
    Storage(#[from] StoreError),
}

impl Refusal {
    /// The stable code sent back to the device.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Forbidden => "forbidden",
            Refusal::Unknown => "unknown_reference",
            Refusal::Malformed => "malformed",
            Refusal::Storage(_) => "storage",
        }
    }
}

fn field_id(change: &Change, key: &str) -> Result<Id, Refusal> {
    change
        .fields
        .get(key)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .ok_or(Refusal::Malformed)
}

fn known(index: &mut dyn Index, entity: &str, id: Id) -> Result<Id, Refusal> {
    index.owner(entity, id)?.ok_or(Refusal::Unknown)
}

/// The producer an entry's data belongs to (`None` for organisations).
fn owner_of(index: &mut dyn Index, change: &Change) -> Result<Option<Id>, Refusal> {
    let claimed = claimed_owner(index, change)?;
    // A create reusing the id of something another producer owns (ids are public in the
    // storefront) would overwrite that thing wherever both are merged: refused for everyone.
    // An append reusing another's id would be dropped as a repeat where theirs arrived first.
    if matches!(change.op.as_str(), "create" | "append")
        && !matches!(
            change.entity.as_str(),
            "producer" | "organisation_member" | "organisation_admin"
        )
        && let (Some(claimed), Some(known)) = (claimed, index.owner(&change.entity, change.id)?)
        && claimed != known
    {
        return Err(Refusal::Forbidden);
    }
    Ok(claimed)
}

/// The producer an entry says its data belongs to.
fn claimed_owner(index: &mut dyn Index, change: &Change) -> Result<Option<Id>, Refusal> {
    let creating = change.op == "create";
    Ok(Some(match (change.entity.as_str(), change.op.as_str()) {
        ("producer", "create" | "update" | "delete") => change.id,
        ("product", _) if creating => field_id(change, "producer_id")?,
        ("variant", _) if creating => known(index, "product", field_id(change, "product_id")?)?,
        ("order", _) if creating => field_id(change, "producer_id")?,
        ("photo", _) if creating => {
            let owner = field_id(change, "owner_id")?;
            match index.owner("product", owner)? {
                Some(producer) => producer,
                None if index.registered_by(owner)?.is_some() => owner,
                None => return Err(Refusal::Unknown),
            }
        }
        ("product" | "variant" | "photo", "update" | "delete") | ("order", "transition") => {
            known(index, &change.entity, change.id)?
        }
        ("stock_movement" | "sale", "append") => {
            known(index, "variant", field_id(change, "variant_id")?)?
        }
        // A void belongs to its sale's producer: it names a sale the server holds, of someone
        // the account may act for (its id, derived from the sale's, the rules have checked).
        ("sale_void", "append") => known(index, "sale", field_id(change, "sale_id")?)?,
        ("organisation", "create" | "update" | "delete")
        | ("organisation_member" | "organisation_admin", "append")
        | ("organisation_member", "remove") => return Ok(None),
        _ => return Err(Refusal::Malformed),
    }))
}

/// Decides whether `account` may apply `change`; on success, the producer it belongs to.
pub fn authorise(
    index: &mut dyn Index,
    account: &Account,
    change: &Change,
) -> Result<Option<Id>, Refusal> {
    let owner = owner_of(index, change)?;
    if change.entity == "organisation" && !may_change_organisation(index, account, change)? {
        return Err(Refusal::Forbidden);
    }
    if change.entity == "organisation_member" && !may_change_members(index, account, change)? {
        return Err(Refusal::Forbidden);
    }
    // Whose rights the entry needs. Joining an organisation hands its admins the producer's
    // private data, so only someone with rights over the producer may add them; naming an
    // organisation's admin hands over all its members' data, so only an admin may.
    let subject = match (change.entity.as_str(), change.op.as_str()) {
        ("organisation_member", _) => Some(field_id(change, "producer_id")?),
        ("organisation_admin", _) if account.role != Role::Admin => {
            return Err(Refusal::Forbidden);
        }
        _ => owner,
    };
    if change.entity == "producer" && change.op == "create" {
        check_registration(index, account, change)?;
    }
    if change.entity == "order" && change.op == "create" {
        check_lines(index, change, owner)?;
    }
    let allowed = match (account.role, subject) {
        (Role::Admin, _) => true,
        (Role::Official, _) => false,
        (Role::Producer, None) => false,
        (Role::Facilitator | Role::CooperativeAdmin, None) => true,
        (Role::Producer, Some(owner)) => account.producer_id == Some(owner),
        (Role::Facilitator, Some(owner)) => {
            let me = account.user_id.to_string();
            match index.registered_by(owner)? {
                Some(by) => by == me || index.in_assigned_region(account.user_id, owner)?,
                // A producer this facilitator is registering now.
                None => {
                    change.entity == "producer"
                        && change.op == "create"
                        && change.fields.get("registered_by").and_then(Value::as_str)
                            == Some(me.as_str())
                }
            }
        }
        (Role::CooperativeAdmin, Some(owner)) => index.admins_member(account.user_id, owner)?,
    };
    if allowed {
        Ok(owner)
    } else {
        Err(Refusal::Forbidden)
    }
}

/// A producer's registration: who registered them is fixed at the first create (a create of a
/// producer the server knows must name the same registrar), a producer registers only
/// themselves, and sign-in material comes only with a first registration, from the
/// facilitator registering them or an admin, hashed with the server's own parameters.
fn check_registration(
    index: &mut dyn Index,
    account: &Account,
    change: &Change,
) -> Result<(), Refusal> {
    let by = change.fields.get("registered_by").and_then(Value::as_str);
    let recorded = index.registered_by(change.id)?;
    let activation = change
        .fields
        .get("activation_pin_hash")
        .map(|hash| hash.as_str());
    let refused = match &recorded {
        Some(recorded) => by != Some(recorded.as_str()) || activation.is_some(),
        None => {
            (account.role == Role::Producer && by != Some("self"))
                || activation.is_some_and(|hash| {
                    !may_activate(account, change)
                        || !hash.is_some_and(crate::accounts::is_server_hash)
                })
        }
    };
    if refused {
        Err(Refusal::Forbidden)
    } else {
        Ok(())
    }
}

/// Whether `account` may give the producer this create registers a sign-in (an activation PIN):
/// the facilitator registering them, or an admin, for a producer registered by a facilitator.
pub fn may_activate(account: &Account, change: &Change) -> bool {
    let by = change.fields.get("registered_by").and_then(Value::as_str);
    change.entity == "producer"
        && change.op == "create"
        && match account.role {
            Role::Admin => by.is_some_and(|by| by != "self"),
            Role::Facilitator => by == Some(account.user_id.to_string().as_str()),
            _ => false,
        }
}

/// Every line of a pushed order names a variant of the order's own producer.
fn check_lines(index: &mut dyn Index, change: &Change, owner: Option<Id>) -> Result<(), Refusal> {
    let lines = change.fields.get("lines").and_then(Value::as_array);
    for line in lines.into_iter().flatten() {
        let variant = line
            .get("variant_id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or(Refusal::Malformed)?;
        if index
            .owner("variant", variant)?
            .is_none_or(|o| Some(o) != owner)
        {
            return Err(Refusal::Unknown);
        }
    }
    Ok(())
}

/// Whether `account` may make or change this organisation, on top of the role's rights: anyone
/// whose role may make one makes a new one, but changing one (or "creating" one that exists,
/// which would rename it) needs its creator, one of its admins, or an admin.
fn may_change_organisation(
    index: &mut dyn Index,
    account: &Account,
    change: &Change,
) -> Result<bool, Refusal> {
    if account.role == Role::Admin || index.administers(account.user_id, change.id)? {
        return Ok(true);
    }
    match index.organisation_creator(change.id)? {
        Some(creator) => Ok(creator == account.user_id),
        None if change.op == "create" => Ok(true),
        None => Err(Refusal::Unknown),
    }
}

/// Whether `account` may add a member to or remove one from this organisation, on top of the
/// rights over the producer: a cooperative admin only in an organisation they administer (a
/// producer of one cooperative is not theirs to put into or take out of another).
fn may_change_members(
    index: &mut dyn Index,
    account: &Account,
    change: &Change,
) -> Result<bool, Refusal> {
    Ok(match account.role {
        Role::CooperativeAdmin => index.administers(account.user_id, change.id)?,
        _ => true,
    })
}

/// The producers whose data an account sees when it pulls.
pub enum Visible {
    /// Everything (an admin).
    All,
    /// These producers' data, plus what belongs to no one.
    Producers(HashSet<Id>),
}

impl Visible {
    /// Whether a feed row with this owner is visible.
    pub fn allows(&self, owner: Option<Id>) -> bool {
        match (self, owner) {
            (Visible::All, _) | (_, None) => true,
            (Visible::Producers(set), Some(owner)) => set.contains(&owner),
        }
    }
}

/// The set of producers an account sees.
pub fn visible(index: &mut dyn Index, account: &Account) -> StoreResult<Visible> {
    Ok(match account.role {
        Role::Admin => Visible::All,
        Role::Producer => Visible::Producers(account.producer_id.into_iter().collect()),
        Role::Facilitator => Visible::Producers(
            index
                .facilitator_producers(account.user_id)?
                .into_iter()
                .collect(),
        ),
        Role::CooperativeAdmin => Visible::Producers(
            index
                .members_administered(account.user_id)?
                .into_iter()
                .collect(),
        ),
        Role::Official => Visible::Producers(HashSet::new()),
    })
}
