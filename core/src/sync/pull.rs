//! Pulling the feed: pages applied in the feed's order, several on their way at once.
//!
//! One page after another leaves the link idle for a round trip and the server's work between
//! two pages, and on a lossy link each lost segment stalls the only connection while the link
//! could carry another. So the first page asks for cursors ahead ([`wire::PULL_AHEAD_HEADER`]):
//! a server that knows them cuts the rest of the feed into ranges of a little under a page each
//! (evenly, so that no short range trails; each comes back in one page), and the device asks
//! for up to [`RANGES_IN_FLIGHT`] ranges at once, each bounded by
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
use std::sync::{Arc, Mutex};
use std::task::Poll;

/// How many ranges of the feed travel at once: two keep the link busy while one connection
/// waits for a lost segment or the server prepares a page; a third covers both at once, and a
/// fourth keeps the tail of the feed from starting late behind the first page (on a 3G bad
/// day, 1.33× the physical limit with three, measured in `scripts/bench sync`). Each waiting
/// page is held in memory until the ones before it are applied.
pub const RANGES_IN_FLIGHT: usize = 4;

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
    /// Where the answer's head tells its next cursor and cursors ahead (a page with no bound).
    pub(super) head: Option<Arc<PullHead>>,
    /// The next cursor its head told, once the ranges after it were queued.
    pub(super) told: Option<String>,
}

/// What the head of a page's answer said before its body arrived: the page's next cursor and
/// its cursors ahead (see [`Transport::pull_range_telling`]). The first telling counts (a retry
/// tells again).
#[derive(Debug, Default)]
pub struct PullHead(Mutex<Option<(String, Vec<String>)>>);

impl PullHead {
    /// Keeps what the head said, unless an earlier attempt's head said it first.
    pub fn tell(&self, next: String, ahead: Vec<String>) {
        let mut heard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if heard.is_none() {
            *heard = Some((next, ahead));
        }
    }

    fn heard(&self) -> Option<(String, Vec<String>)> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What came first while pages travel.
enum Heard {
    /// The head of a page without a bound: its next cursor and cursors ahead.
    Head(String, Vec<String>),
    /// The oldest page's answer, with its bound and what its head told, if anything.
    Page(
        Option<String>,
        Option<String>,
        (std::result::Result<Exchange<PullPage>, Stop>, usize),
    ),
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
        let (until, told, done) = match oldest_page(&mut asked).await {
            Heard::Head(next, ahead) => {
                // The ranges after a page travel beside its body.
                queue(&mut ranges, next, &ahead);
                ask_ranges(&mut asked, &mut ranges, run.limits(), transport, &first);
                continue;
            }
            Heard::Page(until, told, done) => (until, told, done),
        };
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
        if let Some(told) = told {
            // Its ranges are on their way. A page that ends elsewhere than its head said (a
            // retry after the feed changed) would leave a gap or pull changes twice: they are
            // dropped, and the pull goes on from this page.
            if told != page.next_cursor {
                asked.clear();
                ranges.clear();
                if page.more {
                    let next = page_after(Some(page.next_cursor.clone()));
                    asked.push_back(ask(run.limits(), transport, next, None));
                }
            }
        } else if until.is_none() && !ahead.is_empty() && page.more {
            queue(&mut ranges, page.next_cursor.clone(), &ahead);
        } else if page.more && !range_done {
            // This range goes on (or, from an old server, the feed): before the ranges behind.
            let next = page_after(Some(page.next_cursor.clone()));
            asked.push_front(ask(run.limits(), transport, next, until.clone()));
        }
        ask_ranges(&mut asked, &mut ranges, run.limits(), transport, &first);
        // Applying a page takes a while: the pages just asked for leave before it.
        set_off(&mut asked).await;
        sentra.sync_apply_pull(&page)?;
        run.report.pulled += page.changes.len();
        // The first report comes before anything is pushed: it carries the whole count, so a
        // progress bar has its total from the start.
        run.progress(waiting(sentra)?);
    }
    Ok(Ok(()))
}

/// Queues the ranges after a page ending at `next`, cut at the cursors `ahead`.
fn queue(ranges: &mut VecDeque<(String, Option<String>)>, next: String, ahead: &[String]) {
    let froms = std::iter::once(next).chain(ahead.iter().cloned());
    let untils = ahead.iter().cloned().map(Some).chain([None]);
    ranges.extend(froms.zip(untils));
}

/// Asks for queued ranges while fewer than [`RANGES_IN_FLIGHT`] pages travel.
fn ask_ranges<'a, T: Transport>(
    asked: &mut VecDeque<Asked<'a>>,
    ranges: &mut VecDeque<(String, Option<String>)>,
    limits: Limits<'a>,
    transport: &'a T,
    first: &PullRequest,
) {
    while asked.len() < RANGES_IN_FLIGHT
        && let Some((from, until)) = ranges.pop_front()
    {
        let request = PullRequest {
            cursor: Some(from),
            ..first.clone()
        };
        asked.push_back(ask(limits, transport, request, until));
    }
}

/// Asks for the page of `request`, up to `until` if set (otherwise with cursors ahead, told as
/// soon as the answer's head arrives).
fn ask<'a, T: Transport>(
    limits: Limits<'a>,
    transport: &'a T,
    request: PullRequest,
    until: Option<String>,
) -> Asked<'a> {
    // Only a page that runs to the feed's end may name cursors ahead.
    let ahead = if until.is_none() { AHEAD_ASKED } else { 0 };
    let head = until.is_none().then(|| Arc::new(PullHead::default()));
    let bound = until.clone();
    let telling = head.clone();
    let fetching: Fetching<'a> = Box::pin(async move {
        limits
            .with_retries(|| async {
                match &telling {
                    Some(head) => {
                        transport
                            .pull_range_telling(&request, bound.as_deref(), ahead, head)
                            .await
                    }
                    None => {
                        transport
                            .pull_range(&request, bound.as_deref(), ahead)
                            .await
                    }
                }
            })
            .await
    });
    Asked {
        until,
        slot: Slot::Fetching(fetching),
        head,
        told: None,
    }
}

/// Polls every page on its way once, so the requests just asked for are sent.
async fn set_off(asked: &mut VecDeque<Asked<'_>>) {
    std::future::poll_fn(|cx| {
        for page in asked.iter_mut() {
            if let Slot::Fetching(fetching) = &mut page.slot
                && let Poll::Ready(done) = fetching.as_mut().poll(cx)
            {
                page.slot = Slot::Done(Some(done));
            }
        }
        Poll::Ready(())
    })
    .await
}

/// Waits for the oldest page's answer while the others go on travelling, and takes it out; or,
/// first, for the head of a page without a bound that names cursors ahead.
async fn oldest_page(asked: &mut VecDeque<Asked<'_>>) -> Heard {
    std::future::poll_fn(|cx| {
        for page in asked.iter_mut() {
            if let Slot::Fetching(fetching) = &mut page.slot
                && let Poll::Ready(done) = fetching.as_mut().poll(cx)
            {
                page.slot = Slot::Done(Some(done));
            }
        }
        for page in asked.iter_mut() {
            if page.told.is_none()
                && let Some((next, ahead)) = page.head.as_ref().and_then(|h| h.heard())
                && !ahead.is_empty()
            {
                page.told = Some(next.clone());
                return Poll::Ready(Heard::Head(next, ahead));
            }
        }
        match asked.front_mut() {
            Some(Asked {
                slot: Slot::Done(done),
                until,
                told,
                ..
            }) => match done.take() {
                Some(done) => {
                    let (until, told) = (until.take(), told.take());
                    asked.pop_front();
                    Poll::Ready(Heard::Page(until, told, done))
                }
                None => Poll::Pending,
            },
            _ => Poll::Pending,
        }
    })
    .await
}
