//! What the phone holds when the account's scope changes.
//!
//! The server serves each account the producers in its scope today (a facilitator's registered
//! producers and those in its assigned regions, a cooperative admin's members, a producer
//! themself). Its cursor carries a fingerprint of that scope, so when the scope grows or
//! shrinks the next pull answers `reset` and starts the feed over: a producer that came into
//! scope arrives whole (the merge is idempotent, so what the phone already held only costs
//! bytes). A scope that only gained producers with nothing in the feed before the cursor (a
//! facilitator's own new registrations) needs no re-pull: the page goes on from the cursor and
//! names the new scope. A page that starts the feed over names the scope; the phone remembers it, and after
//! the last page of a pull drops every producer outside it, with their products, variants,
//! photos, orders, sales and stock movements. They simply disappear from the phone's lists and
//! reports; memberships and organisations stay (every signed-in phone sees those).
//!
//! A producer with a change still waiting in the outbox (or salvaged, see `recovery`) stays
//! until the change is settled, so nothing written here is lost unseen; if the server refuses
//! it, it waits in quarantine and the producer stays until the user sends it again or discards
//! it (see [`super::refusals`]): a refused thing is shown as refused, never silently gone. A
//! producer's own phone never drops them: the server always counts them in their scope.

use crate::db::Tx;
use crate::error::Result;
use crate::id::Id;
use rusqlite::OptionalExtension;
use std::collections::HashSet;

/// Remembers the producers in the account's scope, as a page that starts the feed over named
/// them (`None`: the account sees everything, or the server does not say).
pub(crate) fn remember(tx: &mut Tx<'_>, scope: Option<&[Id]>) -> Result<()> {
    match scope {
        Some(ids) => {
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('pull_scope', ?1)",
                [serde_json::to_string(ids)?],
            )?;
        }
        None => {
            tx.execute("DELETE FROM meta WHERE key = 'pull_scope'", [])?;
        }
    }
    Ok(())
}

/// Drops the producers outside the remembered scope that have nothing pending, with their
/// data. Returns how many producers left the phone.
pub(crate) fn purge(tx: &mut Tx<'_>) -> Result<usize> {
    let raw: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'pull_scope'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(raw) = raw else {
        return Ok(0);
    };
    let scope: HashSet<Id> = serde_json::from_str(&raw)?;
    let held: Vec<Id> = {
        let mut stmt = tx.prepare("SELECT id FROM producers")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let leaving: Vec<Id> = held.into_iter().filter(|p| !scope.contains(p)).collect();
    if leaving.is_empty() {
        return Ok(0);
    }
    let pending = pending_producers(tx)?;
    let mut dropped = 0;
    for producer in leaving.into_iter().filter(|p| !pending.contains(p)) {
        drop_producer(tx, producer)?;
        dropped += 1;
    }
    Ok(dropped)
}

/// The producers whose data a change waiting in the outbox or in salvage, or refused and not
/// yet sent again or discarded, touches.
fn pending_producers(tx: &Tx<'_>) -> Result<HashSet<Id>> {
    let mut stmt = tx.prepare(PENDING)?;
    let rows = stmt.query_map([], |r| r.get::<_, Id>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Owners of pending changes, entity by entity (a photo's owner is a product or a producer).
const PENDING: &str = "
WITH waiting(entity, entity_id, fields) AS (
    SELECT entity, entity_id, fields FROM outbox
    UNION ALL SELECT entity, entity_id, fields FROM salvage
    UNION ALL SELECT entity, entity_id, fields FROM quarantine
)
SELECT entity_id FROM waiting WHERE entity = 'producer'
UNION SELECT p.producer_id FROM waiting w JOIN products p ON p.id = w.entity_id
    WHERE w.entity = 'product'
UNION SELECT p.producer_id FROM waiting w JOIN variants v ON v.id = w.entity_id
    JOIN products p ON p.id = v.product_id WHERE w.entity = 'variant'
UNION SELECT ph.owner_id FROM waiting w JOIN photos ph ON ph.id = w.entity_id
    WHERE w.entity = 'photo'
UNION SELECT p.producer_id FROM waiting w JOIN photos ph ON ph.id = w.entity_id
    JOIN products p ON p.id = ph.owner_id WHERE w.entity = 'photo'
UNION SELECT o.producer_id FROM waiting w JOIN orders o ON o.id = w.entity_id
    WHERE w.entity = 'order'
UNION SELECT p.producer_id FROM waiting w JOIN stock_movements m ON m.id = w.entity_id
    JOIN variants v ON v.id = m.variant_id JOIN products p ON p.id = v.product_id
    WHERE w.entity = 'stock_movement'
UNION SELECT p.producer_id FROM waiting w JOIN sales s ON s.id = w.entity_id
    JOIN variants v ON v.id = s.variant_id JOIN products p ON p.id = v.product_id
    WHERE w.entity = 'sale'
UNION SELECT p.producer_id FROM waiting w JOIN sale_voids sv ON sv.id = w.entity_id
    JOIN sales s ON s.id = sv.sale_id JOIN variants v ON v.id = s.variant_id
    JOIN products p ON p.id = v.product_id WHERE w.entity = 'sale_void'
";

/// Deletes a producer and everything of theirs, children first. Nothing is tombstoned and
/// nothing goes to the outbox: the data lives on at the server, only this phone lets it go.
fn drop_producer(tx: &mut Tx<'_>, producer: Id) -> Result<()> {
    const VARIANTS: &str = "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id \
                            WHERE p.producer_id = ?1";
    for statement in [
        format!("DELETE FROM stock_movements WHERE variant_id IN ({VARIANTS})"),
        format!(
            "DELETE FROM sale_voids WHERE sale_id IN \
             (SELECT id FROM sales WHERE variant_id IN ({VARIANTS}))"
        ),
        format!("DELETE FROM sales WHERE variant_id IN ({VARIANTS})"),
        "DELETE FROM photos WHERE owner_id = ?1 \
         OR owner_id IN (SELECT id FROM products WHERE producer_id = ?1)"
            .to_owned(),
        "DELETE FROM variants WHERE product_id IN (SELECT id FROM products WHERE producer_id = ?1)"
            .to_owned(),
        "DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE producer_id = ?1)"
            .to_owned(),
        "DELETE FROM orders WHERE producer_id = ?1".to_owned(),
        "DELETE FROM products WHERE producer_id = ?1".to_owned(),
        "DELETE FROM producers WHERE id = ?1".to_owned(),
    ] {
        tx.execute(&statement, [producer])?;
    }
    Ok(())
}
