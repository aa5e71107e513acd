//! Pushing the outbox: batches in the device's order, the next one on its way while the last
//! is answered.
//!
//! One batch at a time leaves the link idle while the server applies a batch and its answer
//! travels back, and on a lossy link each lost segment stalls the only connection. When the
//! server says it applies a batch only after the entry it follows
//! ([`crate::sync::wire::PUSH_AFTER`]), up to [`SyncOptions::push_in_flight`] batches travel at
//! once, each on its own connection, each naming the last entry before it. The server still
//! applies entries in sequence order, and the device settles answers in that order too: the
//! oldest batch's answer is taken first, whatever finished first. A batch that fails for good
//! stops the push; the ones behind it stay in the outbox (the server may have applied them: sent
//! again, they are answered as duplicates). With any other server, one batch at a time, as
//! before.
//!
//! Batches on their way together carry at most [`SyncOptions::push_bytes_in_flight`] bytes of
//! JSON between them, so the more travel at once, the shorter each is cut: on a slow link every
//! request must still end within its time limit.
//!
//! An outbox of [`SPLIT_FROM_ENTRIES`] or more is cut into at least as many batches as may
//! travel at once, so a lost segment never stalls the whole push. One that needs more batches
//! than that starts with a batch half as long: batches that left together would end together
//! and leave the link idle while the server applies them; staggered, one uploads while the
//! server applies another.
//!
//! The pull after the push may leave with the last batch only when the server holds it until
//! that batch is answered ([`super::pull_after_push`]): a push can grow the account's scope (a
//! facilitator's registration), and only a page computed after it names the new scope; an
//! earlier page, applied last, would make the phone drop what it has just registered.
//!
//! Entries put in a batch keep their stamps when a clock correction comes after (the server may
//! hold them already: see `correct_clock` in `api/sync.rs`), except after a `clock_wrong`
//! answer, which says that batch and every one after it were refused whole.
//!
//! [`SyncOptions::push_in_flight`]: super::engine::SyncOptions::push_in_flight
//! [`SyncOptions::push_bytes_in_flight`]: super::engine::SyncOptions::push_bytes_in_flight

use crate::Sentra;
use crate::error::Result;
use crate::sync::engine::{
    Exchange, ProgressListener, Run, Stop, Transport, TransportError, waiting,
};
use crate::sync::pull_after_push::Early;
use crate::sync::wire::PushResponse;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

type Sending<'a> = Pin<
    Box<
        dyn Future<Output = (std::result::Result<Exchange<PushResponse>, Stop>, usize)> + Send + 'a,
    >,
>;

/// A batch on its way, or its answer waiting for the batches before it to be settled.
enum Slot<'a> {
    Sending(Sending<'a>),
    Done(Option<(std::result::Result<Exchange<PushResponse>, Stop>, usize)>),
}

/// Pushes everything in the outbox (see the module docs).
pub(super) async fn push_all<'a, T: Transport, L: ProgressListener + ?Sized>(
    sentra: &Sentra,
    transport: &'a T,
    run: &mut Run<'a, L>,
    with_clock: bool,
    mut early: Option<&mut Early<'a>>,
) -> Result<std::result::Result<(), Stop>> {
    // Read at each attempt, so a retry names the time it leaves.
    let clock = with_clock.then(|| sentra.db.clock());
    let depth = if transport.orders_pushes() {
        run.options.push_in_flight.max(1)
    } else {
        1
    };
    let waiting_now = waiting(sentra)?;
    let per_batch = entries_per_batch(waiting_now, depth);
    let batch_bytes = bytes_per_batch(run.options, depth);
    // Batches on their way at once share the link and would end together, leaving it idle
    // while the server applies them before the next ones leave: when the outbox needs more
    // batches than travel at once, the first is cut to half, so one uploads while the server
    // applies another.
    let mut staggered = depth == 1;
    let mut in_flight: VecDeque<Slot<'_>> = VecDeque::new();
    // The first entry of each batch on its way, oldest first.
    let mut firsts: VecDeque<i64> = VecDeque::new();
    // Entries up to here left in an earlier sync, whose answer never came: the server may hold
    // them whatever this sync hears, so nothing here takes their offer back.
    let offered_before = sentra.db.read(super::exchange::offered_up_to)?;
    // The last entry of the last batch sent.
    let mut sent_up_to = 0;
    let mut stopped = None;
    loop {
        while stopped.is_none() && in_flight.len() < depth {
            if let Err(stop) = run.may_start() {
                stopped = Some(stop);
                break;
            }
            let Some(mut batch) =
                super::exchange::next_batch(sentra, sent_up_to, batch_bytes, per_batch)?
            else {
                break;
            };
            let len = batch.entries.len();
            if !std::mem::replace(&mut staggered, true) && len < per_batch && len < waiting_now {
                // Cut by bytes, not by count, with more behind: more batches follow than
                // travel at once.
                batch.entries.truncate(len.div_ceil(2));
                // The entries cut off stay behind: they have not left yet.
                let kept = batch.entries.last().map_or(0, |e| e.seq);
                super::exchange::withdraw_offer(sentra, kept.max(offered_before) + 1)?;
            }
            firsts.push_back(batch.entries.first().map_or(0, |e| e.seq));
            let after = (!in_flight.is_empty()).then_some(sent_up_to);
            sent_up_to = batch.entries.last().map_or(sent_up_to, |e| e.seq);
            let limits = run.limits();
            if let Some(early) = early.as_deref_mut() {
                early.batch_sent(limits, transport, sent_up_to);
            }
            let clock = clock.clone();
            let sending: Sending<'_> = Box::pin(async move {
                limits
                    .with_retries(|| {
                        let clock_ms = clock.as_ref().map(|c| c.physical_ms());
                        send(transport, &batch, after, clock_ms)
                    })
                    .await
            });
            in_flight.push_back(Slot::Sending(sending));
        }
        if in_flight.is_empty() {
            break;
        }
        let done = oldest_answer(&mut in_flight, early.as_deref_mut()).await;
        let first = firsts.pop_front().unwrap_or(0);
        let answer = match run.count(done) {
            Ok(answer) => answer.value,
            Err(stop) => {
                if let Stop::Failed(TransportError::Refused { code }) = &stop
                    && code == crate::sync::wire::CLOCK_WRONG
                {
                    super::exchange::withdraw_offer(sentra, first.max(offered_before + 1))?;
                }
                return Ok(Err(stop));
            }
        };
        let (settled, rejected) = sentra.sync_settle_push(&answer)?;
        run.report.pushed += settled - rejected;
        run.report.rejected += rejected;
        run.progress(waiting(sentra)?);
    }
    Ok(stopped.map_or(Ok(()), Err))
}

/// From this many waiting entries on, the outbox is cut into as many batches as may travel at
/// once, so that a lost segment stalls one connection while the others carry on (1,000 edits
/// are some 57 KB, two seconds of a 256 kbit/s link); a smaller push goes in one batch.
pub const SPLIT_FROM_ENTRIES: usize = 256;

/// The most entries in one batch for `waiting` entries and `depth` batches on their way.
fn entries_per_batch(waiting: usize, depth: usize) -> usize {
    if depth > 1 && waiting >= SPLIT_FROM_ENTRIES {
        waiting
            .div_ceil(depth)
            .min(crate::sync::wire::MAX_PUSH_ENTRIES)
    } else {
        crate::sync::wire::MAX_PUSH_ENTRIES
    }
}

/// The most bytes of JSON in one batch with `depth` batches on their way: no more than
/// [`SyncOptions::push_bytes_in_flight`] travel at once.
///
/// [`SyncOptions::push_bytes_in_flight`]: super::engine::SyncOptions::push_bytes_in_flight
fn bytes_per_batch(options: &super::engine::SyncOptions, depth: usize) -> usize {
    options
        .push_batch_bytes
        .min(options.push_bytes_in_flight / depth.max(1))
        .max(1)
}

/// One attempt at a batch, naming the entry before it if one may still be on its way, and the
/// phone's time if the server is to check it.
async fn send<T: Transport>(
    transport: &T,
    batch: &crate::sync::wire::PushRequest,
    after: Option<i64>,
    clock_ms: Option<i64>,
) -> std::result::Result<Exchange<PushResponse>, crate::sync::engine::TransportError> {
    match (clock_ms, after) {
        (Some(clock_ms), after) => transport.push_with_clock(batch, after, clock_ms).await,
        (None, Some(after)) => transport.push_after(batch, after).await,
        (None, None) => transport.push(batch).await,
    }
}

/// Waits for the oldest batch's answer while the others go on travelling, and takes it out.
/// The pull that left with the last batch travels meanwhile.
async fn oldest_answer(
    in_flight: &mut VecDeque<Slot<'_>>,
    mut early: Option<&mut Early<'_>>,
) -> (std::result::Result<Exchange<PushResponse>, Stop>, usize) {
    std::future::poll_fn(|cx| {
        if let Some(early) = early.as_deref_mut() {
            early.poll(cx);
        }
        for slot in in_flight.iter_mut() {
            if let Slot::Sending(sending) = slot
                && let Poll::Ready(done) = sending.as_mut().poll(cx)
            {
                *slot = Slot::Done(Some(done));
            }
        }
        match in_flight.front_mut() {
            Some(Slot::Done(done)) => match done.take() {
                Some(done) => {
                    in_flight.pop_front();
                    Poll::Ready(done)
                }
                None => Poll::Pending,
            },
            _ => Poll::Pending,
        }
    })
    .await
}
