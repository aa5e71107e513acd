use super::*;
use sentra_core::Hlc;

#[test]
fn every_write_is_in_the_outbox_with_a_gapless_sequence_and_this_device() {
    let p = phone();
    let producer = with_producer(&p);
    let product = p
        .sentra
        .create_product(&product_input(producer, "Kaos", &[("M", "Hitam", 5)]))
        .unwrap();
    let entries = p.sentra.outbox(0, 100).unwrap();
    let kinds: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.entity.as_str(), e.op.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("producer", "create"),
            ("product", "create"),
            ("variant", "create"),
            ("stock_movement", "append")
        ]
    );
    assert_eq!(
        entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
    assert!(entries.iter().all(|e| e.device_id == p.sentra.device_id()));
    assert_eq!(entries[1].entity_id, product);
    assert_eq!(entries[1].fields["price"], 85_000);
    assert_eq!(entries[1].fields["producer_id"], producer.to_string());
    assert_eq!(
        entries[2].hlc, entries[1].hlc,
        "one transaction, one moment"
    );
    assert!(entries[0].hlc < entries[1].hlc);
    assert_eq!(p.sentra.outbox(2, 1).unwrap()[0].seq, 3);
    let counts = p.sentra.pending_counts().unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<i64>(), 4);
}

#[test]
fn the_clock_stays_monotonic_across_a_backwards_wall_clock_and_a_restart() {
    let p = phone();
    with_producer(&p);
    let before = p.sentra.clock();
    p.clock.advance_hours(-24 * 30);
    with_producer(&p);
    let after = p.sentra.clock();
    assert!(after > before);
    let path = p.sentra.path().to_path_buf();
    drop(p.sentra);
    let reopened = Sentra::open_with(
        &path,
        OpenOptions {
            wall_clock: p.clock.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        reopened.clock(),
        after,
        "the last timestamp survives a restart"
    );
    reopened.register_producer(&producer_input("Lagi")).unwrap();
    assert!(reopened.clock() > after);
}

#[test]
fn a_failed_write_leaves_no_outbox_entry_and_no_clock_tick() {
    let p = phone();
    with_producer(&p);
    let clock = p.sentra.clock();
    let mut bad = producer_input("X");
    bad.phone = "nope".into();
    assert!(p.sentra.register_producer(&bad).is_err());
    assert_eq!(p.sentra.clock(), clock);
    assert_eq!(p.sentra.outbox(0, 100).unwrap().len(), 1);
    with_producer(&p);
    assert_eq!(
        p.sentra.outbox(0, 100).unwrap().last().unwrap().seq,
        2,
        "no gap"
    );
}

#[test]
fn a_phone_six_months_ahead_is_corrected_and_its_pending_changes_restamped() {
    let p = phone();
    let six_months = 182 * 24 * 3_600_000_i64;
    p.clock.set(NOV_22 + six_months);
    with_producer(&p);
    let skewed: Hlc = p.sentra.outbox(0, 1).unwrap()[0].hlc;
    assert_eq!(skewed.millis, NOV_22 + six_months);
    p.sentra.correct_clock(-six_months).unwrap();
    let fixed = p.sentra.outbox(0, 1).unwrap()[0].hlc;
    assert_eq!(fixed.millis, NOV_22);
    with_producer(&p);
    let next = p.sentra.outbox(1, 1).unwrap()[0].hlc;
    assert!(next.millis < NOV_22 + 60_000, "new edits stamp server time");
    assert!(next > fixed);
}

#[test]
fn a_phone_six_months_behind_is_corrected_forward() {
    let p = phone();
    let six_months = 182 * 24 * 3_600_000_i64;
    p.clock.set(NOV_22 - six_months);
    with_producer(&p);
    p.sentra.correct_clock(six_months).unwrap();
    assert_eq!(p.sentra.outbox(0, 1).unwrap()[0].hlc.millis, NOV_22);
    with_producer(&p);
    assert_eq!(p.sentra.outbox(1, 1).unwrap()[0].hlc.millis, NOV_22);
}

#[test]
fn acknowledged_entries_leave_the_outbox_and_sequence_numbers_are_never_reused() {
    let p = phone();
    with_producer(&p);
    with_producer(&p);
    assert_eq!(p.sentra.acknowledge(1).unwrap(), 1);
    assert_eq!(
        p.sentra
            .outbox(0, 10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        vec![2]
    );
    with_producer(&p);
    assert_eq!(p.sentra.outbox(0, 10).unwrap().last().unwrap().seq, 3);
}
