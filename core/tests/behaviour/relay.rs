//! An in-process relay that plays the server's part of the sync protocol for device tests: it
//! records pushed entries once per (device, sequence) and serves them back in order, paged by
//! bytes, with its own clock as the true time.

use super::*;
use sentra_core::sync::wire::{
    Change, EntryResult, Outcome, PullRequest, PullResponse, PushRequest, PushResponse,
};
use std::collections::HashSet;

/// The relay plays the server: its clock is the true time, which the tests move with
/// [`advance`]; a phone's clock may be skewed from it.
pub struct Relay {
    pub now: i64,
    pub feed: Vec<Change>,
    pub seen: HashSet<(Id, i64)>,
    pub reject_entity: Option<&'static str>,
    pub pushes: usize,
}

impl Default for Relay {
    fn default() -> Self {
        Relay {
            now: NOV_22,
            feed: Vec::new(),
            seen: HashSet::new(),
            reject_entity: None,
            pushes: 0,
        }
    }
}

/// Time passes for everyone: the server and every phone.
pub fn advance(relay: &mut Relay, phones: &[&Phone], hours: i64) {
    relay.now += hours * 3_600_000;
    for phone in phones {
        phone.clock.advance_hours(hours);
    }
}

impl Relay {
    pub fn push(&mut self, request: &PushRequest) -> PushResponse {
        self.pushes += 1;
        let results = request
            .entries
            .iter()
            .map(|entry| {
                let outcome = if Some(entry.change.entity.as_str()) == self.reject_entity {
                    Outcome::Rejected {
                        code: "forbidden".into(),
                        reason: "not allowed".into(),
                        fields: Vec::new(),
                    }
                } else if self.seen.insert((request.device_id, entry.seq)) {
                    self.feed.push(entry.change.clone());
                    Outcome::Applied
                } else {
                    Outcome::Duplicate
                };
                EntryResult {
                    seq: entry.seq,
                    outcome,
                }
            })
            .collect();
        PushResponse {
            server_time_ms: self.now,
            results,
        }
    }

    pub fn pull(&self, request: &PullRequest) -> PullResponse {
        let start: usize = request.cursor.as_deref().map_or(0, |c| c.parse().unwrap());
        let mut changes = Vec::new();
        let mut bytes = 0;
        for change in &self.feed[start..] {
            if bytes >= request.max_bytes {
                break;
            }
            bytes += serde_json::to_vec(change).unwrap().len();
            changes.push(change.clone());
        }
        let end = start + changes.len();
        PullResponse {
            server_time_ms: self.now,
            changes,
            next_cursor: end.to_string(),
            more: end < self.feed.len(),
            reset: false,
            scope: None,
        }
    }
}

/// One sync the way the engine runs it: pull first (to learn the server's time and what is new),
/// then push everything pending, then pull again.
pub fn sync(phone: &Sentra, relay: &mut Relay) {
    pull_all(phone, relay);
    while let Some(batch) = phone.sync_push_batch(4_096).unwrap() {
        let response = relay.push(&batch);
        phone.sync_settle_push(&response).unwrap();
    }
    pull_all(phone, relay);
}

pub fn pull_all(phone: &Sentra, relay: &Relay) {
    loop {
        let page = relay.pull(&phone.sync_pull_request(2_048).unwrap());
        phone.sync_apply_pull(&page).unwrap();
        if !page.more {
            break;
        }
    }
}
