//! Reading orders back: one by id or by the buyer's code, a page of one tab, the tab counts.

use super::{
    Buyer, Order, OrderChannel, OrderLine, OrderStatus, OrderTab, RESPOND_WITHIN_MS,
    SHIP_WITHIN_MS, TabCounts,
};
use crate::error::{Error, Result, Rule};
use crate::id::Id;
use rusqlite::{Connection, OptionalExtension};

const COLUMNS: &str = "id, code, producer_id, channel, status, buyer_name, buyer_phone, \
    buyer_regency, buyer_address, note, total, courier, tracking_no, reason, created_at, \
    accepted_at, shipped_at, completed_at, closed_at, delivery, delivery_fee, payment, paid_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Order> {
    let channel: String = r.get(3)?;
    let status: String = r.get(4)?;
    let status = OrderStatus::parse(&status).unwrap_or(OrderStatus::New);
    let created_at: i64 = r.get(14)?;
    let accepted_at: Option<i64> = r.get(15)?;
    let due_at = match status {
        OrderStatus::New => Some(created_at + RESPOND_WITHIN_MS),
        OrderStatus::Accepted => accepted_at.map(|a| a + SHIP_WITHIN_MS),
        _ => None,
    };
    Ok(Order {
        id: r.get(0)?,
        code: r.get(1)?,
        producer_id: r.get(2)?,
        channel: OrderChannel::parse(&channel).unwrap_or(OrderChannel::Storefront),
        status,
        buyer: Buyer {
            name: r.get(5)?,
            phone: r.get(6)?,
            regency_code: r.get(7)?,
            address: r.get(8)?,
        },
        note: r.get(9)?,
        lines: Vec::new(),
        total: r.get(10)?,
        courier: r.get(11)?,
        tracking_no: r.get(12)?,
        reason: r.get(13)?,
        created_at,
        accepted_at,
        shipped_at: r.get(16)?,
        completed_at: r.get(17)?,
        closed_at: r.get(18)?,
        due_at,
        delivery: r
            .get::<_, Option<String>>(19)?
            .as_deref()
            .and_then(crate::selling::Delivery::parse),
        delivery_fee: r.get(20)?,
        payment: r
            .get::<_, Option<String>>(21)?
            .as_deref()
            .and_then(crate::selling::Payment::parse),
        paid_at: r.get(22)?,
    })
}

fn load_lines(conn: &Connection, order: &mut Order) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT variant_id, quantity, unit_price FROM order_lines WHERE order_id = ?1 ORDER BY line_no",
    )?;
    let lines = stmt.query_map([order.id], |r| {
        Ok(OrderLine {
            variant_id: r.get(0)?,
            quantity: r.get(1)?,
            unit_price: r.get(2)?,
        })
    })?;
    order.lines = lines.collect::<rusqlite::Result<_>>()?;
    Ok(())
}

/// The order with a buyer-facing code, with its lines.
pub(crate) fn get_by_code(conn: &Connection, code: &str) -> Result<Option<Order>> {
    let order = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE code = ?1"))?
        .query_row([code.trim().to_ascii_uppercase()], from_row)
        .optional()?;
    let Some(mut order) = order else {
        return Ok(None);
    };
    load_lines(conn, &mut order)?;
    Ok(Some(order))
}

/// One order with its lines.
pub(crate) fn get(conn: &Connection, id: Id) -> Result<Option<Order>> {
    let order = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?;
    let Some(mut order) = order else {
        return Ok(None);
    };
    load_lines(conn, &mut order)?;
    Ok(Some(order))
}

/// A page of the orders in one tab, oldest deadline first for open tabs, newest first for the
/// others.
pub(crate) fn list(
    conn: &Connection,
    tab: OrderTab,
    offset: u32,
    limit: u32,
) -> Result<Vec<Order>> {
    if limit == 0 || limit > crate::catalogue::listing::MAX_PAGE {
        return Err(Error::field("limit", Rule::OutOfRange));
    }
    let statuses = tab.statuses();
    let order = match tab {
        OrderTab::ToRespond => "created_at ASC",
        OrderTab::ToShip => "accepted_at ASC",
        _ => "created_at DESC",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM orders WHERE status IN ('{}') ORDER BY {order}, id LIMIT ?1 OFFSET ?2",
        statuses.join("','")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params![limit, offset], from_row)?;
    let mut orders: Vec<Order> = rows.collect::<rusqlite::Result<_>>()?;
    for order in &mut orders {
        load_lines(conn, order)?;
    }
    Ok(orders)
}

/// Orders per tab, and how many are past their deadline at `now_ms`.
pub(crate) fn tab_counts(conn: &Connection, now_ms: i64) -> Result<TabCounts> {
    let mut counts = TabCounts::default();
    let mut stmt = conn.prepare_cached("SELECT status, count(*) FROM orders GROUP BY status")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (status, n) = row?;
        match OrderStatus::parse(&status).map(OrderStatus::tab) {
            Some(OrderTab::ToRespond) => counts.to_respond += n,
            Some(OrderTab::ToShip) => counts.to_ship += n,
            Some(OrderTab::Shipped) => counts.shipped += n,
            Some(OrderTab::Completed) => counts.completed += n,
            Some(OrderTab::Cancelled) => counts.cancelled += n,
            None => {}
        }
    }
    counts.overdue = conn.query_row(
        "SELECT count(*) FROM orders WHERE (status = 'new' AND created_at + ?1 < ?3) \
         OR (status = 'accepted' AND accepted_at + ?2 < ?3)",
        rusqlite::params![RESPOND_WITHIN_MS, SHIP_WITHIN_MS, now_ms],
        |r| r.get(0),
    )?;
    Ok(counts)
}
