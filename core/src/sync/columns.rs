//! Pull pages in columns: the same changes as a plain page, laid out so zstd finds what repeats.
//!
//! A plain page repeats every field name, every id's hyphens and every HLC's node in each
//! change, and puts unlike values next to each other. Here the changes of one kind (entity, op
//! and the names of its fields) form a table: the field names once, then one column per field,
//! the ids, and the HLCs as three columns (milliseconds as the difference from the row before,
//! the counter, and the node as an index into the page's list of nodes). Ids keep the text form
//! field values use, so zstd finds a variant's `product_id` in the products' id column: on 10,000
//! new products (each a product, a variant and a stock movement) a page in columns is about half
//! the bytes of a plain page, at the same zstd level.
//! `order` names each change's table in page order, so the page expands back into exactly the
//! changes it was made of, in their order: the merge rules see what a plain page carries,
//! field by field, and nothing about merging depends on the layout.
//!
//! A device asks for it with the header [`crate::sync::wire::PAGE_FORMAT_HEADER`]; a server
//! that does not know it ignores the header and answers a plain page, and a device that does not
//! ask (an older app) gets a plain page.

use crate::id::Id;
use crate::sync::clock::Hlc;
use crate::sync::wire::Change;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The format's name, as the header carries it.
pub const COLUMNS: &str = "columns";

/// A page's changes in columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Columns {
    /// One table per kind of change.
    pub tables: Vec<Table>,
    /// For each change in page order, the index of its table; a table's rows keep page order.
    pub order: Vec<u32>,
    /// The HLC nodes of the page's changes, each once, as 16 hex digits.
    pub nodes: Vec<String>,
}

/// The changes of one entity, op and set of field names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    /// The kind of thing.
    pub entity: String,
    /// The operation.
    pub op: String,
    /// The names of the fields every row carries.
    pub fields: Vec<String>,
    /// The ids, in their text form.
    pub ids: Vec<String>,
    /// Each row's HLC milliseconds minus the row before's (the first row's minus zero).
    pub millis: Vec<i64>,
    /// Each row's HLC counter.
    pub counters: Vec<u16>,
    /// Each row's HLC node, as an index into [`Columns::nodes`].
    pub nodes: Vec<u32>,
    /// One column per field name, each with one value per row.
    pub values: Vec<Vec<Value>>,
}

/// Why a page in columns could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a page in columns is malformed: {0}")]
pub struct Malformed(&'static str);

impl Columns {
    /// Lays `changes` out in columns.
    pub fn from_changes(changes: Vec<Change>) -> Columns {
        let mut columns = Columns::default();
        let mut tables: HashMap<(String, String, Vec<String>), u32> = HashMap::new();
        let mut nodes: HashMap<u64, u32> = HashMap::new();
        let mut last_millis: Vec<i64> = Vec::new();
        columns.order.reserve(changes.len());
        for change in changes {
            let names: Vec<String> = change.fields.keys().cloned().collect();
            let key = (change.entity, change.op, names);
            let index = match tables.get(&key) {
                Some(index) => *index,
                None => {
                    let index = u32::try_from(columns.tables.len()).unwrap_or(u32::MAX);
                    columns.tables.push(Table {
                        entity: key.0.clone(),
                        op: key.1.clone(),
                        values: vec![Vec::new(); key.2.len()],
                        fields: key.2.clone(),
                        ..Table::default()
                    });
                    last_millis.push(0);
                    tables.insert(key, index);
                    index
                }
            };
            let node = *nodes.entry(change.hlc.node).or_insert_with(|| {
                columns.nodes.push(format!("{:016x}", change.hlc.node));
                u32::try_from(columns.nodes.len() - 1).unwrap_or(u32::MAX)
            });
            let at = index as usize;
            let table = &mut columns.tables[at];
            table.ids.push(change.id.to_string());
            table.millis.push(change.hlc.millis - last_millis[at]);
            last_millis[at] = change.hlc.millis;
            table.counters.push(change.hlc.counter);
            table.nodes.push(node);
            // The map iterates in key order, as the table's field names were taken.
            for (column, (_, value)) in table.values.iter_mut().zip(change.fields) {
                column.push(value);
            }
            columns.order.push(index);
        }
        columns
    }

    /// The changes, in page order. Checks that every column is as long as its table and every
    /// index points somewhere.
    pub fn into_changes(self) -> Result<Vec<Change>, Malformed> {
        let nodes = self
            .nodes
            .iter()
            .map(|n| u64::from_str_radix(n, 16).map_err(|_| Malformed("an HLC node")))
            .collect::<Result<Vec<u64>, _>>()?;
        let mut rows = Vec::with_capacity(self.tables.len());
        for mut table in self.tables {
            let count = table.ids.len();
            if table.millis.len() != count
                || table.counters.len() != count
                || table.nodes.len() != count
                || table.values.len() != table.fields.len()
                || table.values.iter().any(|c| c.len() != count)
            {
                return Err(Malformed("a column's length"));
            }
            let values = std::mem::take(&mut table.values);
            rows.push(Rows {
                table,
                values: values.into_iter().map(Vec::into_iter).collect(),
                next: 0,
                millis: 0,
            });
        }
        let mut changes = Vec::with_capacity(self.order.len());
        for index in self.order {
            let rows = rows
                .get_mut(index as usize)
                .ok_or(Malformed("a table index"))?;
            changes.push(rows.next(&nodes)?);
        }
        if rows.iter().any(|r| r.next != r.table.ids.len()) {
            return Err(Malformed("a table's row count"));
        }
        Ok(changes)
    }
}

/// A table being read row by row.
struct Rows {
    table: Table,
    values: Vec<std::vec::IntoIter<Value>>,
    next: usize,
    millis: i64,
}

impl Rows {
    fn next(&mut self, nodes: &[u64]) -> Result<Change, Malformed> {
        let row = self.next;
        let id = self
            .table
            .ids
            .get(row)
            .ok_or(Malformed("a table's row count"))?;
        let id: Id = id.parse().map_err(|_| Malformed("an id"))?;
        self.millis = self
            .millis
            .checked_add(self.table.millis[row])
            .ok_or(Malformed("an HLC time"))?;
        let node = *nodes
            .get(self.table.nodes[row] as usize)
            .ok_or(Malformed("a node index"))?;
        let mut fields = Map::new();
        for (name, column) in self.table.fields.iter().zip(self.values.iter_mut()) {
            let value = column.next().ok_or(Malformed("a column's length"))?;
            fields.insert(name.clone(), value);
        }
        self.next += 1;
        Ok(Change {
            entity: self.table.entity.clone(),
            id,
            op: self.table.op.clone(),
            fields,
            hlc: Hlc {
                millis: self.millis,
                counter: self.table.counters[row],
                node,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(entity: &str, op: &str, fields: Value, millis: i64, node: u64) -> Change {
        Change {
            entity: entity.into(),
            id: Id::new(),
            op: op.into(),
            fields: fields.as_object().cloned().unwrap_or_default(),
            hlc: Hlc {
                millis,
                counter: (millis % 3) as u16,
                node,
            },
        }
    }

    #[test]
    fn changes_of_mixed_kinds_come_back_in_their_order_with_every_field_and_clock() {
        let changes = vec![
            change(
                "product",
                "create",
                json!({"name": "Kaos", "price": 50000, "tier1": null}),
                1_796_204_489_137,
                7,
            ),
            change(
                "variant",
                "create",
                json!({"product_id": "x", "sku": "V1"}),
                1_796_204_489_138,
                7,
            ),
            change(
                "product",
                "update",
                json!({"price": 51000}),
                1_796_204_489_100,
                u64::MAX,
            ),
            change(
                "product",
                "create",
                json!({"name": "Tas", "price": 1, "tier1": "M"}),
                1_796_204_489_140,
                7,
            ),
            change("product", "update", json!({"name": "Tas Anyam"}), 5, 0),
            change("photo", "delete", json!({}), 1_796_204_489_150, 9),
        ];
        let columns = Columns::from_changes(changes.clone());
        assert_eq!(columns.tables.len(), 5, "{columns:?}");
        assert_eq!(columns.nodes.len(), 4);
        let through_json: Columns =
            serde_json::from_slice(&serde_json::to_vec(&columns).unwrap()).unwrap();
        assert_eq!(through_json.into_changes().unwrap(), changes);
        assert_eq!(
            Columns::from_changes(Vec::new()).into_changes().unwrap(),
            vec![]
        );
    }

    #[test]
    fn a_malformed_page_is_refused_rather_than_read_short() {
        let changes = vec![
            change("product", "update", json!({"price": 1}), 10, 1),
            change("product", "update", json!({"price": 2}), 11, 1),
        ];
        let good = Columns::from_changes(changes);
        let mut short = good.clone();
        short.tables[0].values[0].pop();
        assert!(short.into_changes().is_err());
        let mut extra_order = good.clone();
        extra_order.order.push(0);
        assert!(extra_order.into_changes().is_err());
        let mut missing_order = good.clone();
        missing_order.order.pop();
        assert!(missing_order.into_changes().is_err());
        let mut bad_table = good.clone();
        bad_table.order[0] = 4;
        assert!(bad_table.into_changes().is_err());
        let mut bad_node = good.clone();
        bad_node.tables[0].nodes[1] = 3;
        assert!(bad_node.into_changes().is_err());
        let mut bad_id = good;
        bad_id.tables[0].ids[0] = "nope".into();
        assert!(bad_id.into_changes().is_err());
    }
}
