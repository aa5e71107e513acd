//! The pull after a push, sent with the push's last batch instead of after its answer.
//!
//! A sync that pushed pulls again (what the push resolved, what others sent meanwhile). Asked
//! for after the push's answer, that pull costs a round trip and the server's work while the
//! link idles. A server that names [`wire::PULL_AFTER_PUSH`] holds a pull carrying
//! [`wire::PULL_AFTER_PUSH_HEADER`] until it has answered the entry the pull names, so the
//! request may leave together with the last batch and its page is still computed after the
//! push: a scope the push grew (a facilitator's registration) is in it, exactly as in a pull
//! sent after the answer.
//!
//! The early pull is kept only when everything holds:
//! - the phone remembers (or this sync has heard) that its server holds pulls, and the
//!   transport can ask ([`Transport::pulls_after_push`]);
//! - it named the last entry the push sent: a batch sent after it (an entry written while the
//!   push travelled) would not be in the page's view, so such an early page is dropped unread
//!   and the pull asked for afresh;
//! - its answer names the feature: a server that does not (replaced by an older one) answered
//!   at once, and the transport refuses that page with [`IGNORED`]; the pull is then asked for
//!   again, after the push, as before.
//!
//! A push that fails, or is refused for the phone's clock, drops the early pull unread.
//!
//! [`wire::PULL_AFTER_PUSH`]: crate::sync::wire::PULL_AFTER_PUSH
//! [`wire::PULL_AFTER_PUSH_HEADER`]: crate::sync::wire::PULL_AFTER_PUSH_HEADER

use crate::Sentra;
use crate::error::Result;
use crate::sync::engine::{Limits, ProgressListener, Run, Transport};
use crate::sync::pull::{AHEAD_ASKED, Asked, Fetching, Slot};
use crate::sync::wire::{self, PullRequest};
use std::task::{Context, Poll};

/// The code a transport refuses an early page with when the server did not say it waited for
/// the push (never sent on the wire: the engine then pulls again after the push).
pub const IGNORED: &str = "pull_after_push_ignored";

/// The pull that may leave with the push's last batch.
pub(super) struct Early<'a> {
    /// The first page's request, as a pull now would ask it.
    request: PullRequest,
    /// The newest entry waiting when the push started: the batch that carries it is the last.
    last_waiting: i64,
    /// The pull on its way (or answered).
    asked: Option<Asked<'a>>,
    /// A batch left after the early pull: its page would not see it.
    stale: bool,
}

impl<'a> Early<'a> {
    /// An early pull for this sync's push, if the server and the transport can hold one and
    /// something waits to be pushed.
    pub(super) fn new<T: Transport, L: ProgressListener + ?Sized>(
        sentra: &Sentra,
        transport: &T,
        run: &Run<'a, L>,
    ) -> Result<Option<Early<'a>>> {
        if !transport.pulls_after_push() {
            return Ok(None);
        }
        let heard = transport
            .server_features()
            .is_some_and(|f| super::server_features::names(&f, wire::PULL_AFTER_PUSH));
        if !heard && !super::server_features::pulls_after_push(sentra)? {
            return Ok(None);
        }
        let Some(last_waiting) = sentra.db.read(super::outbox::last_seq)? else {
            return Ok(None);
        };
        Ok(Some(Early {
            request: sentra.sync_pull_request(run.options.pull_page_bytes)?,
            last_waiting,
            asked: None,
            stale: false,
        }))
    }

    /// A push batch ending at the entry `last` has left: with the last one, the pull leaves too.
    pub(super) fn batch_sent<T: Transport>(
        &mut self,
        limits: Limits<'a>,
        transport: &'a T,
        last: i64,
    ) {
        if self.asked.is_some() {
            self.stale = true;
            return;
        }
        if last < self.last_waiting {
            return;
        }
        let request = self.request.clone();
        let fetching: Fetching<'a> = Box::pin(async move {
            limits
                .with_retries(|| transport.pull_after_push(&request, last, AHEAD_ASKED))
                .await
        });
        self.asked = Some(Asked {
            until: None,
            slot: Slot::Fetching(fetching),
            head: None,
            told: None,
        });
    }

    /// Lets the pull on its way make progress while the push's answers are awaited, and keeps
    /// its answer when it comes.
    pub(super) fn poll(&mut self, cx: &mut Context<'_>) {
        if let Some(asked) = &mut self.asked
            && let Slot::Fetching(fetching) = &mut asked.slot
            && let Poll::Ready(done) = fetching.as_mut().poll(cx)
        {
            asked.slot = Slot::Done(Some(done));
        }
    }

    /// The first page of the pull after the push, if it left with the push's last batch and
    /// no batch followed it (see the module docs); otherwise the pull is asked for afresh.
    pub(super) fn into_first(self) -> Option<Asked<'a>> {
        if self.stale {
            return None;
        }
        self.asked
    }
}
