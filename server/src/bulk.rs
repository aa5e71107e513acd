//! Bulk orders to cooperatives: a buyer asks a cooperative or cluster for a large quantity
//! (a ton of crystal sugar, 500 pairs of jeans), the cooperative's admin splits it into one
//! order per member, each reaching that member's phone through sync like any order, and the
//! buyer follows one request whose status rolls up from the members' orders.

use crate::AppState;
use crate::error::ApiError;
use crate::store::StoredBulk;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Order, OrderStatus};
use sentra_core::{Id, Lang, MAX_QUANTITY};
use serde::{Deserialize, Serialize};

/// What a buyer asks of a cooperative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkRequest {
    /// Who buys, and where it goes (the regency code is already checked).
    pub buyer: Buyer,
    /// What is wanted, in the buyer's words ("gula kristal kuning, kemasan 50 kg").
    pub request: String,
    /// How much.
    pub quantity: i64,
    /// In what unit (kg, pasang, pcs…).
    pub unit: String,
    /// A note: delivery date, quality, payment.
    pub note: String,
}

/// A field of a bulk request and why it was refused (the field's stable name, and the
/// Indonesian and English messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The form field.
    pub field: &'static str,
    /// The rule it broke.
    pub rule: sentra_core::Rule,
}

impl Problem {
    /// The message in a language.
    pub fn message(&self, lang: Lang) -> &'static str {
        self.rule.message(lang)
    }
}

fn check_text(
    problems: &mut Vec<Problem>,
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let clean = value.trim().to_owned();
    if required && clean.is_empty() {
        problems.push(Problem {
            field,
            rule: sentra_core::Rule::Required,
        });
    } else if clean.chars().count() > max {
        problems.push(Problem {
            field,
            rule: sentra_core::Rule::TooLong,
        });
    } else if clean
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        problems.push(Problem {
            field,
            rule: sentra_core::Rule::ControlCharacters,
        });
    }
    clean
}

impl BulkRequest {
    /// The request with its text trimmed and the phone normalised, or every problem at once.
    pub fn checked(self) -> Result<BulkRequest, Vec<Problem>> {
        let mut problems = Vec::new();
        let name = check_text(&mut problems, "nama", &self.buyer.name, 100, true);
        let phone = match sentra_core::normalise_phone(&self.buyer.phone) {
            Some(phone) => phone,
            None => {
                problems.push(Problem {
                    field: "hp",
                    rule: if self.buyer.phone.trim().is_empty() {
                        sentra_core::Rule::Required
                    } else {
                        sentra_core::Rule::Phone
                    },
                });
                String::new()
            }
        };
        if sentra_core::regions::regency(&self.buyer.regency_code).is_none() {
            problems.push(Problem {
                field: "kabupaten",
                rule: sentra_core::Rule::RegionCode,
            });
        }
        let address = check_text(&mut problems, "alamat", &self.buyer.address, 300, true);
        let request = check_text(&mut problems, "permintaan", &self.request, 500, true);
        let unit = check_text(&mut problems, "satuan", &self.unit, 20, true);
        let note = check_text(&mut problems, "catatan", &self.note, 500, false);
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            problems.push(Problem {
                field: "jumlah",
                rule: sentra_core::Rule::OutOfRange,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(BulkRequest {
            buyer: Buyer {
                name,
                phone,
                regency_code: self.buyer.regency_code,
                address,
            },
            request,
            quantity: self.quantity,
            unit,
            note,
        })
    }
}

/// A bulk request with its code, as read back.
#[derive(Debug, Clone)]
pub struct Bulk {
    /// Its id.
    pub id: Id,
    /// The buyer's code (`KOP-…`).
    pub code: String,
    /// The cooperative asked.
    pub organisation: Id,
    /// The request.
    pub request: BulkRequest,
    /// When it was made (Unix ms).
    pub created_at: i64,
}

impl Bulk {
    fn of(stored: StoredBulk) -> Result<Bulk, ApiError> {
        Ok(Bulk {
            id: stored.id,
            code: stored.code,
            organisation: stored.organisation,
            request: serde_json::from_str(&stored.body)?,
            created_at: stored.created_at,
        })
    }
}

/// The code of a bulk request: `KOP-` and 8 characters from its id (from the submission key,
/// so a form sent twice makes one request).
fn code_of(id: Id) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let code: String = id.as_bytes()[8..]
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("KOP-{code}")
}

/// Keeps a buyer's bulk request to a cooperative. `key` is the form's submission key: the same
/// key gives back the same request. Blocks.
pub fn submit(
    state: &AppState,
    organisation: Id,
    key: &str,
    request: BulkRequest,
) -> Result<Result<Bulk, Vec<Problem>>, ApiError> {
    let replica = state.replica()?;
    let known = replica
        .core()
        .organisations()
        .map_err(crate::replica::refused)?
        .iter()
        .any(|o| o.id == organisation);
    if !known {
        return Err(ApiError::NotFound);
    }
    let request = match request.checked() {
        Ok(request) => request,
        Err(problems) => return Ok(Err(problems)),
    };
    let key = key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(ApiError::BadBody);
    }
    let id = Id::from_bytes(
        *uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("bulk:{key}").as_bytes())
            .as_bytes(),
    );
    let stored = StoredBulk {
        id,
        code: code_of(id),
        organisation,
        body: serde_json::to_string(&request)?,
        created_at: crate::now_ms(),
    };
    state.store.save_bulk(&stored).map_err(crate::internal)?;
    let kept = state
        .store
        .bulk_by_code(&stored.code)
        .map_err(crate::internal)?
        .ok_or(ApiError::Internal("bulk request not kept".into()))?;
    Bulk::of(kept).map(Ok)
}

/// A cooperative's bulk requests, newest first. Blocks.
pub fn of_organisation(state: &AppState, organisation: Id) -> Result<Vec<Bulk>, ApiError> {
    state
        .store
        .bulks_of(organisation)
        .map_err(crate::internal)?
        .into_iter()
        .map(Bulk::of)
        .collect()
}

/// The bulk request with a code. Blocks.
pub fn by_code(state: &AppState, code: &str) -> Result<Bulk, ApiError> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() > 20 {
        return Err(ApiError::NotFound);
    }
    let stored = state
        .store
        .bulk_by_code(&code)
        .map_err(crate::internal)?
        .ok_or(ApiError::NotFound)?;
    Bulk::of(stored)
}

/// The member orders a bulk request was split into, as they stand now. Blocks.
pub fn allocations(state: &AppState, bulk: &Bulk) -> Result<Vec<Order>, ApiError> {
    let replica = state.replica()?;
    let mut orders = Vec::new();
    for id in state.store.allocations(bulk.id).map_err(crate::internal)? {
        match replica.core().order(id) {
            Ok(order) => orders.push(order),
            Err(err) if err.code() == sentra_core::ErrorCode::NotFound => {}
            Err(err) => return Err(crate::replica::refused(err)),
        }
    }
    Ok(orders)
}

/// Splits a bulk request: one order per member producer, with the quantities the admin chose
/// per variant, each pushed to that member's phone. Allocating a member twice gives back the
/// order made the first time. Returns the member orders. Blocks.
pub fn allocate(
    state: &AppState,
    bulk: &Bulk,
    per_member: &[(Id, Vec<NewOrderLine>)],
) -> Result<Vec<Order>, ApiError> {
    let replica = state.replica()?;
    let organisation = replica
        .core()
        .organisation(bulk.organisation)
        .map_err(crate::replica::refused)?;
    let mut made = Vec::new();
    for (member, lines) in per_member {
        if !organisation.members.contains(member) {
            return Err(ApiError::Refused(sentra_core::Error::field(
                "producer_id",
                sentra_core::Rule::Unknown,
            )));
        }
        let order = replica.place_order(&NewOrder {
            producer_id: member.to_string(),
            channel: "cooperative".to_owned(),
            buyer: bulk.request.buyer.clone(),
            note: format!("{} {}", bulk.code, bulk.request.note)
                .trim()
                .to_owned(),
            lines: lines.clone(),
            request_key: format!("bulk:{}:{member}", bulk.id),
        })?;
        state
            .store
            .add_allocation(bulk.id, order.id)
            .map_err(crate::internal)?;
        made.push(order);
    }
    Ok(made)
}

/// Where a bulk request stands, rolled up from its member orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollup {
    /// Not split among members yet.
    Waiting,
    /// The least advanced of the member orders still going.
    Status(OrderStatus),
    /// Every member order was rejected or cancelled.
    Closed,
}

/// The roll-up of member orders: the least advanced of those still going.
pub fn rollup(orders: &[Order]) -> Rollup {
    if orders.is_empty() {
        return Rollup::Waiting;
    }
    let rank = |s: OrderStatus| match s {
        OrderStatus::New => 0,
        OrderStatus::Accepted => 1,
        OrderStatus::Shipped => 2,
        OrderStatus::Completed => 3,
        OrderStatus::Rejected | OrderStatus::Cancelled => 4,
    };
    orders
        .iter()
        .map(|o| o.status)
        .filter(|s| rank(*s) < 4)
        .min_by_key(|s| rank(*s))
        .map_or(Rollup::Closed, Rollup::Status)
}

/// The bulk request with `code`, if the buyer's phone ends in `last4`, with its member orders.
/// A wrong code and wrong digits get the same answer. Blocks.
pub fn find(state: &AppState, code: &str, last4: &str) -> Result<(Bulk, Vec<Order>), ApiError> {
    let digits: String = last4.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return Err(ApiError::NotFound);
    }
    let bulk = by_code(state, code)?;
    if !bulk.request.buyer.phone.ends_with(&digits) {
        return Err(ApiError::NotFound);
    }
    let orders = allocations(state, &bulk)?;
    Ok((bulk, orders))
}
