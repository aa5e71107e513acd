//! The buyers' order API: place an order with a producer (no account needed), and follow it
//! with its code and the last four digits of the buyer's phone. The storefront's order form
//! uses the same two functions, [`place_order`] and [`find_order`].
//!
//! Both are open to anyone, so both are limited, with counters kept in the store (they hold
//! across several servers): a look-up meets `429 rate_limited` (with `Retry-After`) after
//! [`WRONG_DIGITS_PER_CODE`] wrong phone digits at one code, or [`LOOKUPS_PER_ADDRESS`]
//! look-ups from one address; a new order after [`ORDERS_PER_ADDRESS`] from one address or
//! [`ORDERS_PER_PRODUCER`] to one producer. A request key is bound to the hash of its request:
//! sending it again with the same request answers the same order, with another request
//! `409 request_key_reused`, never someone else's order. Products of a producer who has not
//! consented to publication cannot be ordered here (`404`).

use crate::error::ApiError;
use crate::limits::ClientAddress as ClientAddr;
use crate::{AppState, blocking, internal, now_ms};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sentra_core::Id;
use sentra_core::orders::{Buyer, NewOrder, NewOrderLine, Order, OrderStatus};
use sentra_core::selling::{BuyerChoice, Delivery, Payment};
use serde::{Deserialize, Serialize};

/// A buyer's order, as the API takes it.
#[derive(Debug, Clone, Deserialize)]
pub struct OrderRequest {
    /// A key the client chose for this submission; sending it again gives the same order.
    pub key: String,
    /// The producer who sells.
    pub producer_id: String,
    /// Who buys, and where it goes.
    pub buyer: Buyer,
    /// A note for the producer.
    #[serde(default)]
    pub note: String,
    /// Variants and quantities.
    pub lines: Vec<NewOrderLine>,
}

/// The answer to a placed order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Placed {
    /// The order's id.
    pub order_id: String,
    /// The code the buyer keeps, such as `SNT-7K3QX9AB`.
    pub code: String,
    /// Its status (`new`).
    pub status: OrderStatus,
    /// The total in rupiah, the delivery fee included.
    pub total: i64,
    /// The delivery fee in rupiah, computed from the producer's settings.
    #[serde(default)]
    pub delivery_fee: i64,
}

/// One step of an order's life.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    /// The status reached.
    pub status: OrderStatus,
    /// When (Unix ms).
    pub at: i64,
}

/// What a buyer may see of their order: no address, no phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderView {
    /// The order's code.
    pub code: String,
    /// Where it is now.
    pub status: OrderStatus,
    /// Its steps so far, oldest first.
    pub timeline: Vec<Step>,
    /// Courier, once shipped.
    pub courier: Option<String>,
    /// Tracking number, once shipped.
    pub tracking_no: Option<String>,
    /// Why it was rejected or cancelled.
    pub reason: Option<String>,
    /// The total in rupiah.
    pub total: i64,
    /// Units ordered per variant, with the price per unit.
    pub lines: Vec<ViewLine>,
    /// How the buyer chose to receive it (none for an order made without a choice).
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// The delivery fee in rupiah, included in `total`.
    #[serde(default)]
    pub delivery_fee: i64,
    /// How the buyer chose to pay.
    #[serde(default)]
    pub payment: Option<Payment>,
    /// Whether the seller marked it paid.
    #[serde(default)]
    pub paid: bool,
    /// How to pay and how to reach the seller, from the seller's settings now.
    #[serde(default)]
    pub seller: Option<crate::selling::SellerView>,
}

/// A line of an order as the buyer sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewLine {
    /// The variant.
    pub variant_id: String,
    /// What was ordered: the product's name and the variant's options (`Kaos Batik — L,
    /// Merah`); empty if the seller has since deleted the product.
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// Rupiah per unit.
    pub unit_price: i64,
}

impl OrderView {
    /// The buyer's view of an order; `name` names a line's variant.
    pub fn of(order: &Order, name: impl Fn(Id) -> String) -> OrderView {
        let mut timeline = vec![Step {
            status: OrderStatus::New,
            at: order.created_at,
        }];
        let mut step = |status, at: Option<i64>| {
            if let Some(at) = at {
                timeline.push(Step { status, at });
            }
        };
        step(OrderStatus::Accepted, order.accepted_at);
        step(OrderStatus::Shipped, order.shipped_at);
        step(OrderStatus::Completed, order.completed_at);
        if matches!(order.status, OrderStatus::Rejected | OrderStatus::Cancelled) {
            step(order.status, order.closed_at);
        }
        OrderView {
            code: order.code.clone(),
            status: order.status,
            timeline,
            courier: order.courier.clone(),
            tracking_no: order.tracking_no.clone(),
            reason: order.reason.clone(),
            total: order.total,
            lines: order
                .lines
                .iter()
                .map(|l| ViewLine {
                    variant_id: l.variant_id.to_string(),
                    name: name(l.variant_id),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                })
                .collect(),
            delivery: order.delivery,
            delivery_fee: order.delivery_fee,
            payment: order.payment,
            paid: order.paid_at.is_some(),
            seller: None,
        }
    }
}

/// How long each limit's window lasts: ten minutes for addresses, an hour for codes and
/// producers.
const TEN_MINUTES: i64 = 10 * 60 * 1000;
const HOUR: i64 = 60 * 60 * 1000;
/// Wrong phone digits accepted at one order code per hour; then its look-ups wait.
pub const WRONG_DIGITS_PER_CODE: i64 = 10;
/// Order look-ups from one client address per ten minutes.
pub const LOOKUPS_PER_ADDRESS: i64 = 30;
/// New orders from one client address per ten minutes.
pub const ORDERS_PER_ADDRESS: i64 = 10;
/// New anonymous orders to one producer per hour.
pub const ORDERS_PER_PRODUCER: i64 = 20;

/// Counts `add` at `key` and refuses with `SlowDown` when the window's count exceeds `limit`
/// (with `add` 0: when it has reached it). Blocks.
fn throttle(
    state: &AppState,
    key: &str,
    window_ms: i64,
    limit: i64,
    add: i64,
) -> Result<(), ApiError> {
    let now = now_ms();
    let window = state
        .store
        .order_throttle(key, window_ms, add, now)
        .map_err(internal)?;
    let over = if add == 0 {
        window.count >= limit
    } else {
        window.count > limit
    };
    if over {
        let wait_s = (window.ends_at - now).max(1_000) / 1_000;
        return Err(ApiError::SlowDown(u64::try_from(wait_s).unwrap_or(1)));
    }
    Ok(())
}

/// Counts a new anonymous order (or cooperative bulk request) from `client`, refused past
/// [`ORDERS_PER_ADDRESS`] in ten minutes. Blocks.
pub fn limit_new_order(state: &AppState, client: ClientAddr) -> Result<(), ApiError> {
    let key = format!("place-addr:{}", client.key());
    throttle(state, &key, TEN_MINUTES, ORDERS_PER_ADDRESS, 1)
}

/// The hash a request key is bound to: BLAKE3 of the request as canonical JSON (object keys
/// sorted), so the same request sent again hashes the same.
fn request_hash(request: &OrderRequest, choice: &BuyerChoice) -> Vec<u8> {
    let mut lines: Vec<(String, i64)> = request
        .lines
        .iter()
        .map(|l| (l.variant_id.clone(), l.quantity))
        .collect();
    lines.sort();
    let canonical = serde_json::json!({
        "producer_id": request.producer_id,
        "buyer": {
            "name": request.buyer.name,
            "phone": request.buyer.phone,
            "regency_code": request.buyer.regency_code,
            "address": request.buyer.address,
        },
        "note": request.note,
        "lines": lines,
    });
    // A request with a choice of delivery or payment hashes them too; one without hashes as
    // before, so keys bound before the choice existed still match.
    let canonical = if *choice == BuyerChoice::default() {
        canonical
    } else {
        serde_json::json!({ "request": canonical, "choice": choice })
    };
    blake3::hash(canonical.to_string().as_bytes())
        .as_bytes()
        .to_vec()
}

/// Places a storefront order through the replica, which pushes it to the producer, for the
/// buyer at `client`. Blocks.
pub fn place_order(
    state: &AppState,
    client: ClientAddr,
    request: OrderRequest,
) -> Result<Order, ApiError> {
    place_order_choosing(state, client, request, BuyerChoice::default())
}

/// [`place_order`] with the buyer's choice of delivery and payment: checked against the
/// producer's settings on the replica, and a courier's fee computed from them into the total.
/// Blocks.
pub fn place_order_choosing(
    state: &AppState,
    client: ClientAddr,
    request: OrderRequest,
    choice: BuyerChoice,
) -> Result<Order, ApiError> {
    if request.key.trim().is_empty() {
        return Err(ApiError::Refused(sentra_core::Error::field(
            "key",
            sentra_core::Rule::Required,
        )));
    }
    // Two servers given the same request at once (a balancer's retry) place it one after the
    // other, so the second finds the key bound and the order in the feed, and makes no other.
    let mut placed = None;
    let mut request = Some(request);
    let name = format!("order request {}", request.as_ref().map_or("", |r| &r.key));
    state
        .store
        .one_at_a_time(&name, &mut || {
            if let Some(request) = request.take() {
                placed = Some(place_once(state, client.clone(), request, &choice));
            }
        })
        .map_err(internal)?;
    placed.unwrap_or_else(|| Err(ApiError::Internal("the order was not placed".to_owned())))
}

/// [`place_order`] once no other server is placing an order with the same key.
fn place_once(
    state: &AppState,
    client: ClientAddr,
    request: OrderRequest,
    choice: &BuyerChoice,
) -> Result<Order, ApiError> {
    let hash = request_hash(&request, choice);
    let bound = state
        .store
        .order_request_hash(&request.key)
        .map_err(internal)?;
    match bound {
        Some(other) if other != hash => return Err(ApiError::RequestKeyReused),
        // The same request again (a double submit, a retry): no new order, nothing counted.
        Some(_) => {}
        None => {
            // The address first, so one address's refused flood does not use up the
            // producer's budget for everyone else.
            limit_new_order(state, client)?;
            if let Ok(producer) = request.producer_id.trim().parse::<Id>() {
                match state.replica()?.core().producer(producer) {
                    Ok(p) if !p.consent_publish => return Err(ApiError::NotFound),
                    _ => {}
                }
                let key = format!("place-producer:{producer}");
                throttle(state, &key, HOUR, ORDERS_PER_PRODUCER, 1)?;
            }
        }
    }
    let key = request.key.clone();
    let order = NewOrder {
        producer_id: request.producer_id,
        channel: "storefront".to_owned(),
        buyer: request.buyer,
        note: request.note,
        lines: request.lines,
        request_key: request.key,
    };
    let order = state.replica()?.place_order_choosing(&order, choice)?;
    let stored = state
        .store
        .bind_order_request(&key, &hash, now_ms())
        .map_err(internal)?;
    if stored != hash {
        return Err(ApiError::RequestKeyReused);
    }
    Ok(order)
}

/// Runs a buyer's look-up of `code` (an order's, or a cooperative request's) for `client`
/// within the limits: refused while the address or the code has had too many, and a
/// `NotFound` answer (wrong code or wrong digits) counts against the code. Blocks.
pub fn limited_lookup<T>(
    state: &AppState,
    client: ClientAddr,
    code: &str,
    find: impl FnOnce() -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let address = format!("lookup-addr:{}", client.key());
    throttle(state, &address, TEN_MINUTES, LOOKUPS_PER_ADDRESS, 1)?;
    let code: String = code
        .trim()
        .chars()
        .take(24)
        .collect::<String>()
        .to_ascii_uppercase();
    let at_code = format!("lookup-code:{code}");
    throttle(state, &at_code, HOUR, WRONG_DIGITS_PER_CODE, 0)?;
    match find() {
        Err(ApiError::NotFound) => {
            throttle(state, &at_code, HOUR, i64::MAX, 1)?;
            Err(ApiError::NotFound)
        }
        found => found,
    }
}

/// The order with `code`, if the buyer's phone ends in `last4`. A wrong code and wrong digits
/// get the same answer, so neither reveals anything. Blocks.
pub fn find_order(state: &AppState, code: &str, last4: &str) -> Result<Order, ApiError> {
    let digits: String = last4.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 || code.len() > 20 {
        return Err(ApiError::NotFound);
    }
    let replica = state.replica()?;
    let order = replica
        .core()
        .order_by_code(code)
        .map_err(crate::replica::refused)?
        .ok_or(ApiError::NotFound)?;
    if order.buyer.phone.ends_with(&digits) {
        Ok(order)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The buyer's view of the order with this code and phone digits, its lines named from the
/// merged catalogue. Blocks.
pub fn buyer_view(state: &AppState, code: &str, last4: &str) -> Result<OrderView, ApiError> {
    let order = find_order(state, code, last4)?;
    // `find_order` has just brought the replica up to date.
    let replica = state.replica_as_is()?;
    let seller = crate::selling::seller_view(replica.core(), &order);
    let mut view = OrderView::of(&order, |variant| {
        let Ok(product) = replica.core().product_of_variant(variant) else {
            return String::new();
        };
        let options = product
            .variants
            .iter()
            .find(|v| v.id == variant)
            .map(|v| v.options.join(", "))
            .unwrap_or_default();
        if options.is_empty() {
            product.name
        } else {
            format!("{} — {options}", product.name)
        }
    });
    view.seller = seller;
    Ok(view)
}

/// `POST /v1/orders`
pub async fn place(
    State(state): State<AppState>,
    client: ClientAddr,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: OrderRequest = serde_json::from_slice(&body).map_err(|_| ApiError::BadBody)?;
    // `delivery` and `payment` sit beside the request's fields.
    let choice: BuyerChoice = serde_json::from_slice(&body).map_err(|_| ApiError::BadBody)?;
    let order = blocking(move || place_order_choosing(&state, client, request, choice)).await?;
    let placed = Placed {
        order_id: order.id.to_string(),
        code: order.code,
        status: order.status,
        total: order.total,
        delivery_fee: order.delivery_fee,
    };
    Ok((StatusCode::CREATED, Json(placed)).into_response())
}

/// The query of a status look-up.
#[derive(Debug, Deserialize)]
pub struct Lookup {
    /// The last four digits of the buyer's phone.
    #[serde(default)]
    pub phone_last4: String,
}

/// `GET /v1/orders/{code}?phone_last4=1234`
pub async fn status(
    State(state): State<AppState>,
    client: ClientAddr,
    Path(code): Path<String>,
    Query(lookup): Query<Lookup>,
) -> Result<Response, ApiError> {
    let view = blocking(move || {
        limited_lookup(&state, client, &code, || {
            buyer_view(&state, &code, &lookup.phone_last4)
        })
    })
    .await?;
    Ok(Json(view).into_response())
}
