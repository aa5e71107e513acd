//! Membership of clusters and cooperatives changed from the web (or the admin shell), under the
//! same rules as a phone's push.
//!
//! A web form is one more client: the change it makes (`organisation_member` `append` or
//! `remove`) is pushed into the store as the signed-in account, so [`crate::scope::authorise`]
//! decides exactly as it does for a phone (a cooperative admin only in an organisation they
//! administer and only for producers already theirs; a facilitator only for producers in their
//! scope), and the change reaches every phone through the feed like any other. Each submission
//! is its own one-entry "device", so a resent form is a new entry, and adding twice or removing
//! someone who already left changes nothing.

use crate::accounts::Account;
use crate::error::ApiError;
use crate::{AppState, now_ms};
use sentra_core::Id;
use sentra_core::sync::clock::Hlc;
use sentra_core::sync::wire::{Change, Outcome, PushEntry};
use serde_json::{Map, Value};

/// Join or leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// The producer joins the organisation.
    Add,
    /// The producer leaves it.
    Remove,
}

/// Why a membership change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipRefusal {
    /// The account has no rights over this producer or this organisation.
    Forbidden,
    /// The producer or the organisation is not known to the server.
    Unknown,
    /// Another rule refused it (its stable code).
    Other(String),
}

impl MembershipRefusal {
    /// The stable code (`forbidden`, `unknown_reference`, …).
    pub fn code(&self) -> &str {
        match self {
            MembershipRefusal::Forbidden => "forbidden",
            MembershipRefusal::Unknown => "unknown_reference",
            MembershipRefusal::Other(code) => code,
        }
    }
}

/// Adds `producer` to or removes them from `organisation` as `account`, then brings the
/// server's replica up to date so the pages show it. Blocks: call it on the blocking pool.
pub fn change(
    state: &AppState,
    account: &Account,
    organisation: Id,
    producer: Id,
    what: Membership,
) -> Result<Result<(), MembershipRefusal>, ApiError> {
    let replica = state.replica()?;
    let core = replica.core();
    if core.organisation(organisation).is_err() {
        return Ok(Err(MembershipRefusal::Unknown));
    }
    if what == Membership::Add && core.producer(producer).is_err() {
        return Ok(Err(MembershipRefusal::Unknown));
    }
    let device = Id::new();
    let mut fields = Map::new();
    fields.insert("producer_id".into(), Value::from(producer.to_string()));
    let entry = PushEntry {
        seq: 1,
        change: Change {
            entity: "organisation_member".into(),
            id: organisation,
            op: match what {
                Membership::Add => "append",
                Membership::Remove => "remove",
            }
            .into(),
            fields,
            hlc: Hlc {
                millis: now_ms(),
                counter: 0,
                node: u64::from_be_bytes(device.as_bytes()[..8].try_into().unwrap_or_default()),
            },
        },
    };
    let results = state
        .store
        .push(account, device, &[entry], now_ms())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let outcome = results.into_iter().next().map(|r| r.outcome);
    match outcome {
        Some(Outcome::Applied | Outcome::Duplicate) => {
            replica.refresh()?;
            Ok(Ok(()))
        }
        Some(Outcome::Rejected { code, .. }) => Ok(Err(match code.as_str() {
            "forbidden" => MembershipRefusal::Forbidden,
            "unknown_reference" => MembershipRefusal::Unknown,
            _ => MembershipRefusal::Other(code),
        })),
        None => Err(ApiError::Internal("the push gave no answer".into())),
    }
}
