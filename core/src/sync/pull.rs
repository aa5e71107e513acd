//! Pulling the feed: pages applied in the feed's order, several on their way at once.
//!
//! One page after another leaves the link idle for a round trip and the server's work between
//! two pages, and on a lossy link each lost segment stalls the only connection while the link
//! could carry another. So the first page asks for cursors ahead ([`wire::PULL_AHEAD_HEADER`]):
//! a server that knows them cuts the rest of the feed into ranges of about a page each, and the
//! device asks for up to [`RANGES_IN_FLIGHT`] ranges at once, each bounded by
//! [`wire::PULL_UNTIL_HEADER`], each on its own connection. Pages are still applied in the
//! feed's order, one transaction each, and each stores the cursor it ends at, so a cut resumes
//! where the last applied page stopped, as before. A range longer than one page goes on from
//! where its last page stopped before the ranges behind it are applied. The last range has no
//! bound: it takes what was added to the feed meanwhile. If the scope changed under the ranges
//! (a page answers `reset`), they are dropped unread and the pull starts over from the stored
//! cursor. A server that names no cursors ahead is pulled one page after another, the next one
//! asked for while the last is applied.
//!
//! [`wire::PULL_AHEAD_HEADER`]: crate::sync::wire::PULL_AHEAD_HEADER
//! [`wire::PULL_UNTIL_HEADER`]: crate::sync::wire::PULL_UNTIL_HEADER

use crate::Sentra;
use crate::error::Result;
use crate::sync::engine::{
    Exchange, Limits, ProgressListener, Run, Stop, Transport, TransportError, waiting,
};
use crate::sync::wire::{PullRequest, PullResponse};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// How many ranges of the feed travel at once: two keep the link busy while one connection
/// waits for a lost segment or the server prepares a page; a third covers both at once. Each
/// waiting page is held in memory until the ones before it are applied.
pub const RANGES_IN_FLIGHT: usize = 3;

/// How many cursors ahead a page that runs to the feed's end asks for: with pages of 2 MB of
/// JSON, a feed of some 100 MB (a server caps what it names).
pub(super) const AHEAD_ASKED: usize = 64;

/// A pulled page with the cursors ahead the server named for it (none from an old server).
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    /// The page.
    pub page: PullResponse,
    /// Cursors that cut the rest of the feed into ranges, oldest first.
    pub ahead: Vec<String>,
}

pub(super) type Fetching<'a> = Pin<
    Box<dyn Future<Output = (std::result::Result<Exchange<PullPage>, Stop>, usize)> + Send + 'a>,
>;

/// A page asked for: where its range ends (`None`: the feed's end), and the request on its way
/// or its answer waiting for the pages before it to be applied.
pub(super) struct Asked<'a> {
    pub(super) until: Option<String>,
    pub(super) slot: Slot<'a>,
}

pub(super) enum Slot<'a> {
    Fetching(Fetching<'a>),
    Done(Option<(std::result::Result<Exchange<PullPage>, Stop>, usize)>),
}

/// Pulls until the feed is exhausted (see the module docs), starting with the page `first`
/// if it was asked for already (the pull that left with a push: [`super::pull_after_push`]).
pub(super) async fn pull_all<'a, T: Transport, L: ProgressListener + ?Sized>(
    sentra: &Sentra,
    transport: &'a T,
    run: &mut Run<'a, L>,
    first_asked: Option<Asked<'a>>,
) -> Result<std::result::Result<(), Stop>> {
    let first = sentra.sync_pull_request(run.options.pull_page_bytes)?;
    let page_after = |cursor: Option<String>| PullRequest {
        cursor,
        ..first.clone()
    };
    let mut asked: VecDeque<Asked<'_>> = VecDeque::new();
    // Ranges not asked for yet, in the feed's order: (from, until).
    let mut ranges: VecDeque<(String, Option<String>)> = VecDeque::new();
    let mut early = first_asked.is_some();
    asked.push_back(
        first_asked.unwrap_or_else(|| ask(run.limits(), transport, first.clone(), None)),
    );
    while !asked.is_empty() {
        let (until, done) = oldest_page(&mut asked).await;
        let PullPage { page, ahead } = match run.count(done) {
            Ok(answer) => answer.value,
            // A server that answered the early page without waiting for the push: pull now.
            Err(Stop::Failed(TransportError::Refused { code }))
                if early && code == super::pull_after_push::IGNORED =>
            {
                early = false;
                asked.push_back(ask(run.limits(), transport, first.clone(), None));
                continue;
            }
            Err(stop) => return Ok(Err(stop)),
        };
        early = false;
        if until.is_some() && page.reset {
            // The scope changed under the ranges: start over from the stored cursor.
            asked.clear();
            ranges.clear();
            let cursor = sentra
                .sync_pull_request(run.options.pull_page_bytes)?
                .cursor;
            asked.push_back(ask(run.limits(), transport, page_after(cursor), None));
            continue;
        }
        // What follows this page is asked for before it is applied, so it travels meanwhile.
        let range_done = until.as_ref() == Some(&page.next_cursor);
        if until.is_none() && !ahead.is_empty() && page.more {
            let froms = std::iter::once(page.next_cursor.clone()).chain(ahead.iter().cloned());
            let untils = ahead.iter().cloned().map(Some).chain([None]);
            ranges.extend(froms.zip(untils));
        } else if page.more && !range_done {
            // This range goes on (or, from an old server, the feed): before the ranges behind.
            let next = page_after(Some(page.next_cursor.clone()));
            asked.push_front(ask(run.limits(), transport, next, until.clone()));
        }
        while asked.len() < RANGES_IN_FLIGHT
            && let Some((from, until)) = ranges.pop_front()
        {
            asked.push_back(ask(run.limits(), transport, page_after(Some(from)), until));
        }
        sentra.sync_apply_pull(&page)?;
        run.report.pulled += page.changes.len();
        // The first report comes before anything is pushed: it carries the whole count, so a
        // progress bar has its total from the start.
        run.progress(waiting(sentra)?);
    }
    Ok(Ok(()))
}

/// Asks for the page of `request`, up to `until` if set (otherwise with cursors ahead).
fn ask<'a, T: Transport>(
    limits: Limits<'a>,
    transport: &'a T,
    request: PullRequest,
    until: Option<String>,
) -> Asked<'a> {
    // Only a page that runs to the feed's end may name cursors ahead.
    let ahead = if until.is_none() { AHEAD_ASKED } else { 0 };
    let bound = until.clone();
    let fetching: Fetching<'a> = Box::pin(async move {
        limits
            .with_retries(|| transport.pull_range(&request, bound.as_deref(), ahead))
            .await
    });
    Asked {
        until,
        slot: Slot::Fetching(fetching),
    }
}

/// Waits for the oldest page's answer while the others go on travelling, and takes it out.
async fn oldest_page(
    asked: &mut VecDeque<Asked<'_>>,
) -> (
    Option<String>,
    (std::result::Result<Exchange<PullPage>, Stop>, usize),
) {
    std::future::poll_fn(|cx| {
        for page in asked.iter_mut() {
            if let Slot::Fetching(fetching) = &mut page.slot
                && let Poll::Ready(done) = fetching.as_mut().poll(cx)
            {
                page.slot = Slot::Done(Some(done));
            }
        }
        match asked.front_mut() {
            Some(Asked {
                slot: Slot::Done(done),
                until,
            }) => match done.take() {
                Some(done) => {
                    let until = until.take();
                    asked.pop_front();
                    Poll::Ready((until, done))
                }
                None => Poll::Pending,
            },
            _ => Poll::Pending,
        }
    })
    .await
}
