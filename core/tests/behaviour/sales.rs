use super::*;
use sentra_core::ErrorCode;
use sentra_core::catalogue::listing::ProductQuery;
use sentra_core::sales::{NewSale, Period, SaleChannel};

fn sale(variant: Id, quantity: i64, channel: &str, day: &str) -> NewSale {
    NewSale {
        variant_id: variant.to_string(),
        quantity,
        unit_price: None,
        channel: channel.into(),
        sold_on: day.into(),
    }
}

#[test]
fn a_direct_sale_takes_stock_down_at_the_catalogue_price() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 5)]))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    p.sentra
        .record_sale(&sale(variant, 2, "market_stall", "2026-11-20"))
        .unwrap();
    assert_eq!(p.sentra.product(product).unwrap().variants[0].stock, 3);
    let sales = p.sentra.sales("2026-11-01", "2026-11-30", 50).unwrap();
    assert_eq!(sales[0].unit_price, 85_000);
    assert_eq!(sales[0].channel, SaleChannel::MarketStall);
}

#[test]
fn two_offline_sales_of_the_last_item_both_count_and_flag_oversell() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Tas", &[("S", "Coklat", 1)]))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    p.sentra
        .record_sale(&sale(variant, 1, "market_stall", "2026-11-21"))
        .unwrap();
    p.sentra
        .record_sale(&sale(variant, 1, "exhibition", "2026-11-21"))
        .unwrap();
    let v = &p.sentra.product(product).unwrap().variants[0];
    assert_eq!(v.stock, -1, "not clamped");
    assert!(v.oversold);
    assert_eq!(
        p.sentra.recount_stock(variant).unwrap(),
        -1,
        "cache equals the movements"
    );
    let row = &p
        .sentra
        .list_products(&ProductQuery {
            limit: 10,
            ..Default::default()
        })
        .unwrap()[0];
    assert!(row.oversold);
}

#[test]
fn restocks_and_adjustments_are_movements_in_the_history() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Tas", &[("S", "Coklat", 2)]))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    p.sentra.restock(variant, 10).unwrap();
    p.sentra.adjust_stock(variant, -3).unwrap();
    let kinds: Vec<String> = p
        .sentra
        .stock_history(variant, 10)
        .unwrap()
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds.len(), 3);
    assert!(kinds.contains(&"adjust".to_string()) && kinds.contains(&"restock".to_string()));
    assert_eq!(p.sentra.recount_stock(variant).unwrap(), 9);
    assert_eq!(
        p.sentra.restock(variant, 0).unwrap_err().code(),
        ErrorCode::Validation
    );
    assert_eq!(
        p.sentra.adjust_stock(variant, 0).unwrap_err().code(),
        ErrorCode::Validation
    );
    assert_eq!(
        p.sentra.restock(Id::new(), 1).unwrap_err().code(),
        ErrorCode::Validation
    );
}

#[test]
fn summaries_group_by_day_month_and_channel() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 50)]))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    p.sentra
        .record_sale(&sale(variant, 2, "market_stall", "2026-10-30"))
        .unwrap();
    p.sentra
        .record_sale(&sale(variant, 1, "market_stall", "2026-11-02"))
        .unwrap();
    p.sentra
        .record_sale(&sale(variant, 3, "market_stall", "2026-11-02"))
        .unwrap();
    let mut reseller = sale(variant, 10, "reseller", "2026-11-02");
    reseller.unit_price = Some(70_000);
    p.sentra.record_sale(&reseller).unwrap();

    let months = p
        .sentra
        .sales_summary(Period::Month, "2026-10-01", "2026-11-30")
        .unwrap();
    let got: Vec<_> = months
        .iter()
        .map(|s| (s.period.as_str(), s.channel, s.sales, s.quantity, s.revenue))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-10", SaleChannel::MarketStall, 1, 2, 170_000),
            ("2026-11", SaleChannel::MarketStall, 2, 4, 340_000),
            ("2026-11", SaleChannel::Reseller, 1, 10, 700_000),
        ]
    );
    let days = p
        .sentra
        .sales_summary(Period::Day, "2026-11-02", "2026-11-02")
        .unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days[0].period, "2026-11-02");
    assert_eq!(
        p.sentra
            .sales_summary(Period::Day, "2026-11-30", "2026-11-01")
            .unwrap_err()
            .code(),
        ErrorCode::Validation
    );
}

#[test]
fn bad_sales_are_refused_and_change_no_stock() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 5)]))
        .unwrap();
    let variant = p.sentra.product(product).unwrap().variants[0].id;
    for bad in [
        sale(variant, 0, "market_stall", "2026-11-20"),
        sale(variant, -2, "market_stall", "2026-11-20"),
        sale(variant, 1, "door_to_door", "2026-11-20"),
        sale(variant, 1, "market_stall", "2026-02-30"),
        sale(Id::new(), 1, "market_stall", "2026-11-20"),
        NewSale {
            unit_price: Some(-5),
            ..sale(variant, 1, "market_stall", "2026-11-20")
        },
    ] {
        assert_eq!(
            p.sentra.record_sale(&bad).unwrap_err().code(),
            ErrorCode::Validation
        );
    }
    assert_eq!(p.sentra.product(product).unwrap().variants[0].stock, 5);
}
