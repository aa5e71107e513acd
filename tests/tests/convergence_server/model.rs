//! What the test knows happened, and each producer's data as a phone or the replica holds it,
//! to compare at the end.

use sentra_core::catalogue::Product;
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::orders::{Order, OrderStatus, OrderTab};
use sentra_core::producers::Producer;
use sentra_core::sales::Sale;
use sentra_core::{Id, Sentra};
use std::collections::{HashMap, HashSet};

/// What the test knows happened, to check the end state against.
#[derive(Default)]
pub struct Model {
    /// Changes the server answered applied or duplicate: (entity, id, hlc).
    pub acknowledged: Vec<(String, Id, String)>,
    /// Every status each order reached on some phone.
    pub statuses: HashMap<Id, Vec<OrderStatus>>,
    pub faults: HashMap<&'static str, usize>,
    /// Whether an admin assigned the facilitator P2's region ([`crate::operations::BANYUMAS`]).
    pub region_assigned: bool,
    /// Whether P2 joined the cooperative (see [`crate::world::Staff`]).
    pub joined: bool,
}

pub fn products_of(phone: &Sentra, producer: Option<Id>) -> Vec<Product> {
    let mut products: Vec<Product> = phone
        .list_products(&ProductQuery {
            producer_id: producer,
            limit: 200,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|row| phone.product(row.id).unwrap())
        .collect();
    products.sort_by_key(|p| p.id);
    products
}

pub fn orders_of(phone: &Sentra) -> Vec<Order> {
    let mut orders: Vec<Order> = [
        OrderTab::ToRespond,
        OrderTab::ToShip,
        OrderTab::Shipped,
        OrderTab::Completed,
        OrderTab::Cancelled,
    ]
    .into_iter()
    .flat_map(|tab| phone.orders(tab, 0, 200).unwrap())
    .collect();
    orders.sort_by_key(|o| o.id);
    orders
}

#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub producer: Producer,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
    pub sales: Vec<Sale>,
}

/// One producer's data as a replica holds it; checks every cached stock against its movements.
pub fn snapshot(phone: &Sentra, producer: Id) -> Snapshot {
    let products = products_of(phone, Some(producer));
    let variants: HashSet<Id> = products
        .iter()
        .flat_map(|p| p.variants.iter().map(|v| v.id))
        .collect();
    for product in &products {
        let mut options = HashSet::new();
        for v in &product.variants {
            let same: Vec<String> = v.options.iter().map(|o| o.to_lowercase()).collect();
            assert!(
                options.insert(same),
                "one variant per options: {:?}",
                product.variants
            );
            assert_eq!(
                v.stock,
                phone.recount_stock(v.id).unwrap(),
                "cached stock = movements"
            );
        }
    }
    let mut sales: Vec<Sale> = phone
        .sales("2000-01-01", "2100-12-31", u32::MAX)
        .unwrap()
        .into_iter()
        .filter(|s| variants.contains(&s.variant_id))
        .collect();
    sales.sort_by_key(|s| s.id);
    Snapshot {
        producer: phone.producer(producer).unwrap(),
        products,
        orders: orders_of(phone)
            .into_iter()
            .filter(|o| o.producer_id == producer)
            .collect(),
        sales,
    }
}

/// The changes in the server's feed (read by the platform's admin, who sees everything) about the
/// producer or the products where two snapshots differ, with their stamps: where the merges
/// parted.
pub fn feed_about(
    server: &crate::world::Server,
    admin: &crate::world::Phone,
    a: &Snapshot,
    b: &Snapshot,
) -> Vec<String> {
    let mut ids: Vec<Id> = a
        .products
        .iter()
        .zip(&b.products)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.id)
        .collect();
    if a.producer != b.producer {
        ids.push(a.producer.id);
    }
    let (device, mut cursor, mut about) = (Id::new(), None::<String>, Vec::new());
    loop {
        let page = server
            .store
            .pull(
                &admin.account,
                device,
                cursor.as_deref(),
                1 << 20,
                server.now(),
            )
            .unwrap();
        for change in &page.changes {
            if ids.contains(&change.id) {
                about.push(serde_json::to_string(change).unwrap());
            }
        }
        cursor = Some(page.next_cursor);
        if !page.more {
            return about;
        }
    }
}

pub fn explain(a: &Snapshot, b: &Snapshot) {
    if a.producer != b.producer {
        eprintln!("producer differs:\n  {:?}\n  {:?}", a.producer, b.producer);
    }
    let ids = |v: &[Product]| v.iter().map(|p| p.id).collect::<Vec<_>>();
    if ids(&a.products) != ids(&b.products) {
        eprintln!(
            "product ids differ:\n  {:?}\n  {:?}",
            ids(&a.products),
            ids(&b.products)
        );
    }
    for (x, y) in a.products.iter().zip(&b.products) {
        if x != y {
            eprintln!("product differs:\n  {x:?}\n  {y:?}");
        }
    }
    for (x, y) in a.orders.iter().zip(&b.orders) {
        if x != y {
            eprintln!("order differs:\n  {x:?}\n  {y:?}");
        }
    }
    if a.sales.len() != b.sales.len() {
        eprintln!("sales differ: {} vs {}", a.sales.len(), b.sales.len());
    }
}
