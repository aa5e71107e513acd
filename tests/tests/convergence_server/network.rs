//! Syncing a phone with the server the way the engine does (pull, push, pull), through a
//! network that loses, cuts and repeats requests when the case asks for faults.

use crate::model::Model;
use crate::world::{Phone, Server};
use rand::RngExt;
use rand::rngs::StdRng;
use sentra_core::sync::wire::{self, Outcome, PullResponse, PushRequest, PushResponse};

pub fn settle(phone: &Phone, model: &mut Model, batch: &PushRequest, response: &PushResponse) {
    for (entry, result) in batch.entries.iter().zip(&response.results) {
        match &result.outcome {
            Outcome::Applied | Outcome::Duplicate => model.acknowledged.push((
                entry.change.entity.clone(),
                entry.change.id,
                entry.change.hlc.to_string(),
            )),
            Outcome::Rejected { code, reason, .. } => {
                panic!("an honest phone's change was refused: {code} ({reason}) {entry:?}")
            }
        }
    }
    phone.sentra.sync_settle_push(response).unwrap();
}

/// Pulls every page there is; false when a page was cut on the way (the engine's sync stops
/// there, and so does this one).
pub fn pull_all(
    phone: &Phone,
    server: &Server,
    rng: Option<&mut StdRng>,
    model: &mut Model,
) -> bool {
    let cut = rng.is_some_and(|rng| rng.random_bool(0.1));
    loop {
        let request = phone.sentra.sync_pull_request(4_096).unwrap();
        let page = server
            .store
            .pull(
                &phone.account,
                phone.sentra.device_id(),
                request.cursor.as_deref(),
                request.max_bytes,
                server.now(),
            )
            .unwrap();
        if cut && !page.changes.is_empty() {
            // The page's body is cut on the way: the phone cannot read it and keeps its cursor.
            let body = wire::encode(&page).unwrap();
            assert!(wire::decode::<PullResponse>(&body[..body.len() / 2]).is_err());
            *model.faults.entry("pull cut mid-body").or_default() += 1;
            return false;
        }
        phone.sentra.sync_apply_pull(&page).unwrap();
        if !page.more {
            return true;
        }
    }
}

/// One sync the way the engine runs it (pull, push, pull), with faults when `rng` is given.
pub fn sync(phone: &Phone, server: &Server, mut rng: Option<&mut StdRng>, model: &mut Model) {
    if !pull_all(phone, server, rng.as_deref_mut(), model) {
        return;
    }
    while let Some(batch) = phone.sentra.sync_push_batch(2_048).unwrap() {
        let fault = rng.as_deref_mut().map_or(0, |rng| rng.random_range(0..14));
        let push = || {
            server
                .store
                .push(
                    &phone.account,
                    batch.device_id,
                    &batch.entries,
                    server.now(),
                )
                .unwrap()
        };
        let answer = |results| PushResponse {
            server_time_ms: server.now(),
            results,
        };
        let name = match fault {
            // The request never arrives.
            1 => "push request lost",
            // The server applies it; the answer never arrives.
            2 => {
                push();
                "push answer lost"
            }
            // The body is cut mid-way: the server cannot read it and applies nothing.
            3 => {
                let body = wire::encode(&batch).unwrap();
                assert!(wire::decode::<PushRequest>(&body[..body.len() * 2 / 3]).is_err());
                "push cut mid-body"
            }
            // Sent twice (a retry after a timeout that was not one): the second answer counts.
            4 => {
                push();
                settle(phone, model, &batch, &answer(push()));
                *model.faults.entry("push duplicated").or_default() += 1;
                continue;
            }
            _ => {
                settle(phone, model, &batch, &answer(push()));
                continue;
            }
        };
        *model.faults.entry(name).or_default() += 1;
        return;
    }
    pull_all(phone, server, rng, model);
}
