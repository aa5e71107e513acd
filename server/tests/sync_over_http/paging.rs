//! A pull reads only its scope through the feed's `(owner, seq)` index, a chunk at a time: a
//! long feed shared by several producers pages out whole, in order, once, and with nothing of
//! anyone else's, whatever the page size.

use super::*;
use sentra_core::sync::clock::Hlc;
use sentra_core::sync::wire::{Change, PushEntry};
use sentra_server::accounts::Account;

on_both_backends!(a_long_shared_feed_pages_out_each_scope_whole_in_order_and_once);

/// The server's clock in this case (22 November 2026).
const NOW: i64 = 1_795_309_200_000;

fn product(id: Id, producer: Id, n: usize) -> Change {
    let fields = serde_json::json!({
        "producer_id": producer.to_string(), "name": format!("Tas anyam {n}"),
        "description": "", "category": "Kerajinan", "unit": "pcs", "price": 50_000,
        "min_order": 1, "weight_g": 300, "length_cm": 30, "width_cm": 20, "height_cm": 10,
        "status": "listed", "tier1": null, "tier2": null, "created_at": NOW,
    });
    Change {
        entity: "product".into(),
        id,
        op: "create".into(),
        fields: fields.as_object().cloned().unwrap(),
        hlc: Hlc {
            millis: NOW,
            counter: u16::try_from(n).unwrap(),
            node: 7,
        },
    }
}

/// Pulls as `device` from `cursor` until nothing more is waiting, a page of `max_bytes` at a
/// time: the ids of the changes it got, the pages it took, and the cursor it ends at.
fn pull_to_end(
    store: &dyn Store,
    account: &Account,
    device: Id,
    mut cursor: Option<String>,
    max_bytes: usize,
) -> (Vec<Id>, usize, Option<String>) {
    let (mut ids, mut pages) = (Vec::new(), 0);
    loop {
        let page = store
            .pull(account, device, cursor.as_deref(), max_bytes, NOW)
            .unwrap();
        pages += 1;
        ids.extend(page.changes.iter().map(|c| c.id));
        cursor = Some(page.next_cursor);
        if !page.more {
            return (ids, pages, cursor);
        }
        assert!(pages < 10_000, "the pull never ends");
    }
}

/// Every change a new device of `account` pulls from the start; and the pages it took.
fn pull_everything(store: &dyn Store, account: &Account, max_bytes: usize) -> (Vec<Id>, usize) {
    let (ids, pages, _) = pull_to_end(store, account, Id::new(), None, max_bytes);
    (ids, pages)
}

async fn a_long_shared_feed_pages_out_each_scope_whole_in_order_and_once(backend: Backend) {
    let Some(server) = server(backend).await else {
        return;
    };
    let store = server.state.store.clone();
    tokio::task::spawn_blocking(move || {
        let producers: Vec<Account> = (0..3)
            .map(|_| Account {
                user_id: Id::new(),
                role: Role::Producer,
                producer_id: Some(Id::new()),
            })
            .collect();
        let devices: Vec<Id> = producers.iter().map(|_| Id::new()).collect();
        // 2,500 products interleaved in the feed: producer 0 owns every third, more than two
        // of a pull's chunks of rows in all.
        let mut mine = vec![Vec::new(); 3];
        for batch in 0..50 {
            for (p, account) in producers.iter().enumerate() {
                let entries: Vec<PushEntry> = (0..17)
                    .map(|i| {
                        let n = batch * 17 + i;
                        let id = Id::new();
                        mine[p].push(id);
                        PushEntry {
                            seq: n as i64 + 1,
                            change: product(id, account.producer_id.unwrap(), n),
                        }
                    })
                    .collect();
                let answer = store.push(account, devices[p], &entries, NOW).unwrap();
                assert!(answer.iter().all(|r| r.outcome == Outcome::Applied));
            }
        }
        for (p, account) in producers.iter().enumerate() {
            // One big page (over several chunks), and pages of a few changes each.
            for max_bytes in [2 * 1024 * 1024, 1_024] {
                let (ids, pages) = pull_everything(store.as_ref(), account, max_bytes);
                assert_eq!(ids, mine[p], "producer {p}, pages of {max_bytes} B");
                if max_bytes == 1_024 {
                    assert!(pages > 100, "small pages: {pages}");
                }
            }
        }
        // An official sees no producer's rows through sync.
        let official = Account {
            user_id: Id::new(),
            role: Role::Official,
            producer_id: None,
        };
        assert_eq!(pull_everything(store.as_ref(), &official, 4_096).0, vec![]);
        // An admin (the server's own replica pulls so) sees everything, in feed order.
        let admin = Account {
            user_id: Id::new(),
            role: Role::Admin,
            producer_id: None,
        };
        let (all, _) = pull_everything(store.as_ref(), &admin, 64 * 1024);
        assert_eq!(all.len(), 3 * 850);
        for producer_ids in &mine {
            let theirs: Vec<Id> = all
                .iter()
                .filter(|id| producer_ids.contains(id))
                .copied()
                .collect();
            assert_eq!(&theirs, producer_ids);
        }
        // A device that is up to date pulls nothing, and its cursor does not move back.
        let (device, big) = (Id::new(), 4 * 1024 * 1024);
        let (_, _, cursor) = pull_to_end(store.as_ref(), &producers[0], device, None, big);
        let (again, pages, same) =
            pull_to_end(store.as_ref(), &producers[0], device, cursor.clone(), big);
        assert!(again.is_empty() && pages == 1);
        assert_eq!(same, cursor);
        // Another producer's new rows move the cursor past them without sending them.
        let extra = PushEntry {
            seq: 10_000,
            change: product(Id::new(), producers[1].producer_id.unwrap(), 9_999),
        };
        store
            .push(&producers[1], devices[1], &[extra], NOW)
            .unwrap();
        let (after, pages, moved) =
            pull_to_end(store.as_ref(), &producers[0], device, cursor.clone(), big);
        assert!(after.is_empty() && pages == 1);
        let position = |c: Option<String>| {
            let c = c.unwrap();
            c.split_once('.').unwrap().0.parse::<i64>().unwrap()
        };
        assert!(position(moved) > position(cursor));
    })
    .await
    .unwrap();
}
