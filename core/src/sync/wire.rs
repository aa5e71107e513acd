//! The sync protocol's wire types, shared by the device and the server (which depends on this
//! crate), so they exist once.
//!
//! Bodies are JSON compressed with zstd (`Content-Encoding: zstd`) in both directions. Every
//! request carries the protocol version; the server accepts [`PROTOCOL_VERSION`] and the one
//! before it.
//!
//! - **Push**: the device sends outbox entries in sequence order, each identified by (device id,
//!   sequence). The server applies each on its own, atomically and idempotently, and answers per
//!   entry: applied, already applied (a resent batch), or rejected with a stable code.
//! - **Pull**: the device asks for changes since its cursor in its scopes; the server answers a
//!   page bounded by bytes, with the next cursor. A cursor the server no longer knows, or one
//!   it gave under another scope (a region assigned, a producer moved or joining a
//!   cooperative), answers `reset`: the device resyncs the scope from the start and keeps its
//!   pending changes. Such a page names the scope, and the device drops what left it.
//!
//! What a server does beyond version 1 is negotiated in HTTP headers, so the bodies of version 1
//! stay as they are and an app that knows nothing of it syncs as before:
//! - a device that reads pages in columns ([`crate::sync::columns`], about half the bytes of a
//!   plain page) says so with [`PAGE_FORMAT_HEADER`]; a server that knows the format answers in
//!   it and names it in the same header, and any other answer is a plain page;
//! - a server names what else it does in [`FEATURES_HEADER`] on every push and pull answer.
//!   With [`PUSH_AFTER`], a device may send its next push batch before the last one is answered
//!   (the link then never idles while the server works): the batch carries
//!   [`PUSH_AFTER_HEADER`], the sequence number of the last entry before it, and the server
//!   applies it only once that entry has an answer, so entries are still applied in the
//!   device's order.
//! - with [`CLOCK_CHECK`], a push may carry the phone's clock ([`DEVICE_CLOCK_HEADER`]): the
//!   server refuses it whole ([`CLOCK_WRONG`]) when that clock is wrong, so a phone that
//!   remembers its server checks pushes before it pulls;
//! - a device that asks with [`PULL_AHEAD_HEADER`] gets, on a page with more after it, cursors
//!   that cut the rest of the feed into ranges; it asks for several ranges at once, each
//!   bounded by [`PULL_UNTIL_HEADER`], and applies them in order (an old server sends no
//!   cursors ahead, and the device pulls one page after another as before). Such a page also
//!   names its own next cursor in [`PULL_NEXT_HEADER`], so the ranges may be asked for as soon
//!   as its head arrives;
//! - with [`PULL_AFTER_PUSH`], the pull that follows a push may leave with the push's last
//!   batch: it names that batch's last entry in [`PULL_AFTER_PUSH_HEADER`], and the server
//!   computes the page only once that entry has an answer, so the page sees the push (a scope it
//!   grew) as a pull sent after the answer would. The device keeps such a page only if its answer
//!   names the feature (a server that does not know the header answers at once, and that page is
//!   dropped unread: see [`crate::sync::pull_after_push`]).

use crate::id::Id;
use crate::sync::clock::Hlc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::cell::RefCell;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The oldest protocol version the server still accepts.
pub const OLDEST_ACCEPTED_VERSION: u32 = 1;
/// The most entries one push may carry; the device cuts its batches at this count too.
pub const MAX_PUSH_ENTRIES: usize = 10_000;
/// The largest decompressed body either side accepts: a bomb is refused, not inflated.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Request header: the page formats the device reads besides plain (`columns`). Answer header:
/// the format of this page (absent: plain).
pub const PAGE_FORMAT_HEADER: &str = "x-sentra-page-format";
/// Answer header: what the server does beyond version 1, comma-separated ([`PUSH_AFTER`]).
pub const FEATURES_HEADER: &str = "x-sentra-features";
/// The feature of applying a push only after the entry it names ([`PUSH_AFTER_HEADER`]).
pub const PUSH_AFTER: &str = "push-after";
/// Request header on a push: the device's sequence number of the entry just before this batch;
/// the server applies the batch only once it has answered that entry.
pub const PUSH_AFTER_HEADER: &str = "x-sentra-push-after";
/// The feature of checking the phone's clock named in [`DEVICE_CLOCK_HEADER`] on a push.
pub const CLOCK_CHECK: &str = "clock-check";
/// Request header on a push: the phone's time (Unix ms, on its corrected clock) when it sent the
/// push. A server with [`CLOCK_CHECK`] refuses the push with [`CLOCK_WRONG`] when that is off
/// from its own by more than [`CLOCK_TOLERANCE_MS`], or when an entry is stamped more than that
/// ahead of it, so a phone that knows its server checks may push before it pulls.
pub const DEVICE_CLOCK_HEADER: &str = "x-sentra-clock";
/// The stable code of a push refused for the phone's clock (HTTP 409).
pub const CLOCK_WRONG: &str = "clock_wrong";
/// How far a phone's clock may be from the server's before it counts as wrong (the phone's own
/// correction uses the same measure).
pub const CLOCK_TOLERANCE_MS: i64 = 5_000;
/// What a server of this build names in [`FEATURES_HEADER`].
pub const FEATURES: &str = "push-after,clock-check,pull-after-push";
/// Request header on a pull: how many cursors ahead the device would take. Answer header on a
/// page with more after it: cursors that cut the rest of the feed into ranges of a little under
/// a page each, comma-separated, oldest first ([`crate::sync::pull`] asks for several at once).
pub const PULL_AHEAD_HEADER: &str = "x-sentra-pull-ahead";
/// Request header on a pull: a cursor the server gave (one of [`PULL_AHEAD_HEADER`]'s) at which
/// the page must stop. Such a page still says `more` when the feed goes on past it.
pub const PULL_UNTIL_HEADER: &str = "x-sentra-pull-until";
/// Answer header on a page that names cursors ahead ([`PULL_AHEAD_HEADER`]): the page's own next
/// cursor, so a device may ask for the ranges as soon as the answer's head arrives, while the
/// page's body still travels.
pub const PULL_NEXT_HEADER: &str = "x-sentra-pull-next";
/// The feature of answering a pull only after a push it names ([`PULL_AFTER_PUSH_HEADER`]).
pub const PULL_AFTER_PUSH: &str = "pull-after-push";
/// Request header on a pull: the device's sequence number of the last entry of a push still on
/// its way; a server with [`PULL_AFTER_PUSH`] computes the page only once it has answered that
/// entry (or answers `push_waiting`, a 503, when it never arrives).
pub const PULL_AFTER_PUSH_HEADER: &str = "x-sentra-pull-after-push";

/// One change as it travels: an outbox entry on push, a resolved change on pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The kind of thing (`product`, `order`, …).
    pub entity: String,
    /// Its id.
    pub id: Id,
    /// `create`, `update`, `delete`, `append` or `transition`.
    pub op: String,
    /// The fields with their values.
    pub fields: Map<String, Value>,
    /// When it was made, on the hybrid logical clock.
    pub hlc: Hlc,
}

/// A pushed entry: a change with its place in the device's sequence. On the wire it is one
/// object, the change's fields beside `seq` (read through [`PushEntryObject`], not
/// `#[serde(flatten)]`, which would buffer every entry before reading it: the server reads
/// thousands a second).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "PushEntryObject", into = "PushEntryObject")]
pub struct PushEntry {
    /// The device's sequence number.
    pub seq: i64,
    /// The change.
    pub change: Change,
}

/// [`PushEntry`] as it travels: `seq` and the change's fields in one object.
#[derive(Serialize, Deserialize)]
struct PushEntryObject {
    seq: i64,
    entity: String,
    id: Id,
    op: String,
    fields: Map<String, Value>,
    hlc: Hlc,
}

impl From<PushEntryObject> for PushEntry {
    fn from(o: PushEntryObject) -> Self {
        PushEntry {
            seq: o.seq,
            change: Change {
                entity: o.entity,
                id: o.id,
                op: o.op,
                fields: o.fields,
                hlc: o.hlc,
            },
        }
    }
}

impl From<PushEntry> for PushEntryObject {
    fn from(e: PushEntry) -> Self {
        let Change {
            entity,
            id,
            op,
            fields,
            hlc,
        } = e.change;
        PushEntryObject {
            seq: e.seq,
            entity,
            id,
            op,
            fields,
            hlc,
        }
    }
}

/// `POST /v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Protocol version.
    pub version: u32,
    /// The pushing device.
    pub device_id: Id,
    /// Entries in sequence order.
    pub entries: Vec<PushEntry>,
}

/// What became of one pushed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Applied now.
    Applied,
    /// Applied before (the batch was sent again); nothing changed.
    Duplicate,
    /// Refused for good; the device sets it aside with the reason.
    Rejected {
        /// Stable code (`forbidden`, `validation`, `invalid_transition`, …).
        code: String,
        /// A readable reason, without personal data.
        reason: String,
        /// For `validation`: each field that broke a rule.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        fields: Vec<FieldProblem>,
    },
}

/// The server's answer for one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryResult {
    /// The entry's sequence number.
    pub seq: i64,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The answer to a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The server's clock when it answered (Unix ms), to measure the device's offset.
    pub server_time_ms: i64,
    /// One result per entry, in order.
    pub results: Vec<EntryResult>,
}

/// `POST /v1/sync/pull`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Protocol version.
    pub version: u32,
    /// The pulling device.
    pub device_id: Id,
    /// Where the last page ended; `None` for everything.
    pub cursor: Option<String>,
    /// A page stops after about this many bytes of changes.
    pub max_bytes: usize,
}

/// A page of changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// The server's clock when it answered (Unix ms).
    pub server_time_ms: i64,
    /// The changes, oldest first.
    pub changes: Vec<Change>,
    /// The cursor after this page.
    pub next_cursor: String,
    /// Whether more changes wait after this page.
    pub more: bool,
    /// The cursor sent was unknown, or was given under another scope (the account's scope
    /// grew or shrank since): this page starts the scope again from the beginning.
    pub reset: bool,
    /// On a page that starts the feed over, or the first page after the scope gained only
    /// producers new to the feed (which need no re-pull), the producers in the account's scope
    /// now; `None` otherwise, and for an account that sees everything. The device drops the data of
    /// producers outside it (see [`crate::sync::scope`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<Id>>,
}

/// A pull page as it travels in columns ([`crate::sync::columns`]): a [`PullResponse`] whose
/// changes are laid out in columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnsPage {
    /// The server's clock when it answered (Unix ms).
    pub server_time_ms: i64,
    /// The changes, oldest first, in columns.
    pub columns: crate::sync::columns::Columns,
    /// The cursor after this page.
    pub next_cursor: String,
    /// Whether more changes wait after this page.
    pub more: bool,
    /// As [`PullResponse::reset`].
    pub reset: bool,
    /// As [`PullResponse::scope`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<Id>>,
}

impl From<PullResponse> for ColumnsPage {
    fn from(page: PullResponse) -> Self {
        ColumnsPage {
            server_time_ms: page.server_time_ms,
            columns: crate::sync::columns::Columns::from_changes(page.changes),
            next_cursor: page.next_cursor,
            more: page.more,
            reset: page.reset,
            scope: page.scope,
        }
    }
}

impl TryFrom<ColumnsPage> for PullResponse {
    type Error = crate::sync::columns::Malformed;

    fn try_from(page: ColumnsPage) -> Result<Self, Self::Error> {
        Ok(PullResponse {
            server_time_ms: page.server_time_ms,
            changes: page.columns.into_changes()?,
            next_cursor: page.next_cursor,
            more: page.more,
            reset: page.reset,
            scope: page.scope,
        })
    }
}

/// `POST /v1/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// Protocol version.
    pub version: u32,
    /// The device signing in; the token is bound to it.
    pub device_id: Id,
    /// A producer's phone (any local form), or a staff member's user name.
    pub login: String,
    /// A producer's PIN or a staff member's password.
    pub secret: String,
}

/// The answer to a login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// The bearer token for this device; the server keeps only its hash.
    pub token: String,
    /// The account's user id.
    pub user_id: Id,
    /// The account's role.
    pub role: crate::Role,
    /// For a producer, their producer id.
    pub producer_id: Option<Id>,
    /// The server's clock (Unix ms).
    pub server_time_ms: i64,
}

/// How much of a photo file the server holds (`PUT /v1/photos/{hash}?offset=&total=` and
/// `GET /v1/photos/{hash}/status` answer it as plain JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoAck {
    /// Bytes the server has, from the start of the file.
    pub confirmed: u64,
    /// Whether the whole file arrived and matched its hash.
    pub complete: bool,
}

/// A JSON error body, as every failed request answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code.
    pub code: String,
    /// Readable message, without personal data.
    pub message: String,
    /// For a validation error: each field that broke a rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
}

/// One field of a refused request and the rule it broke, with a message a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    /// The field's stable name (`buyer.phone`, `lines.quantity`…).
    pub field: String,
    /// The rule's stable code (`phone`, `out_of_range`…).
    pub rule: String,
    /// The rule's message in Bahasa Indonesia.
    pub message: String,
}

impl From<&crate::error::FieldError> for FieldProblem {
    fn from(f: &crate::error::FieldError) -> Self {
        FieldProblem {
            field: f.field.to_owned(),
            rule: f.rule.as_str().to_owned(),
            message: f.rule.message(crate::Lang::Id).to_owned(),
        }
    }
}

/// Compresses a JSON body with zstd: level 3 for a small body, [`LARGE_BODY_LEVEL`] from
/// [`LARGE_BODY_BYTES`] of JSON on (push batches and pull pages), where it saves about a sixth
/// of the bytes for some tens of milliseconds per batch.
/// Each thread keeps its compression contexts (one per level) and its decompression context,
/// rather than making new ones for every body: a context at level 8 holds megabytes of tables,
/// and a server answering thousands of requests a second spent a tenth of its time making and
/// freeing them (#17 item 9).
pub fn encode<T: Serialize>(value: &T) -> std::io::Result<Vec<u8>> {
    thread_local! {
        static COMPRESSORS: RefCell<Vec<(i32, zstd::bulk::Compressor<'static>)>> =
            const { RefCell::new(Vec::new()) };
    }
    let json = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    let level = if json.len() >= LARGE_BODY_BYTES {
        LARGE_BODY_LEVEL
    } else {
        3
    };
    COMPRESSORS.with(|cell| {
        let mut compressors = cell.borrow_mut();
        let at = match compressors.iter().position(|(l, _)| *l == level) {
            Some(at) => at,
            None => {
                compressors.push((level, zstd::bulk::Compressor::new(level)?));
                compressors.len() - 1
            }
        };
        compressors[at].1.compress(&json)
    })
}

/// From this many bytes of JSON, a body is compressed at [`LARGE_BODY_LEVEL`].
pub const LARGE_BODY_BYTES: usize = 64 * 1024;
/// The zstd level of large bodies (on 10,000 new products: 17% fewer bytes than level 3; levels
/// past 9 save nothing more here and cost several times the time).
pub const LARGE_BODY_LEVEL: i32 = 8;

/// Decompresses and parses a zstd JSON body, refusing anything that inflates past
/// [`MAX_BODY_BYTES`].
pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> std::io::Result<T> {
    let json = inflate(body)?;
    serde_json::from_slice(&json)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// The JSON of a zstd body, at most [`MAX_BODY_BYTES`]. When every frame records its size (as
/// every body [`encode`] makes does), it is inflated in one call on this thread's context, into
/// a buffer of exactly that size (a body that would inflate past the limit is refused before
/// anything is inflated); otherwise it is read as a stream, up to the limit.
fn inflate(body: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    thread_local! {
        static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> =
            const { RefCell::new(None) };
    }
    let too_large = || std::io::Error::new(std::io::ErrorKind::InvalidData, "body too large");
    match zstd::bulk::Decompressor::upper_bound(body) {
        Some(size) if size > MAX_BODY_BYTES => Err(too_large()),
        Some(size) => DECOMPRESSOR.with(|cell| {
            let mut slot = cell.borrow_mut();
            let decompressor = match slot.as_mut() {
                Some(d) => d,
                None => slot.insert(zstd::bulk::Decompressor::new()?),
            };
            decompressor.decompress(body, size)
        }),
        None => {
            let mut json = Vec::new();
            zstd::stream::read::Decoder::new(body)?
                .take(MAX_BODY_BYTES as u64 + 1)
                .read_to_end(&mut json)?;
            if json.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            Ok(json)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_round_trips_through_zstd_and_a_bomb_is_refused() {
        let request = PullRequest {
            version: 1,
            device_id: Id::new(),
            cursor: None,
            max_bytes: 1,
        };
        let body = encode(&request).unwrap();
        assert_eq!(decode::<PullRequest>(&body).unwrap(), request);
        let bomb = zstd::bulk::compress(&vec![b' '; MAX_BODY_BYTES + 10], 3).unwrap();
        assert!(bomb.len() < 10_000);
        assert!(decode::<PullRequest>(&bomb).is_err());
        // A body compressed as a stream records no size: it is read up to the limit.
        let json = serde_json::to_vec(&request).unwrap();
        let streamed = zstd::stream::encode_all(&json[..], 3).unwrap();
        assert_eq!(zstd::bulk::Decompressor::upper_bound(&streamed), None);
        assert_eq!(decode::<PullRequest>(&streamed).unwrap(), request);
        let streamed_bomb =
            zstd::stream::encode_all(&vec![b' '; MAX_BODY_BYTES + 10][..], 3).unwrap();
        assert!(decode::<PullRequest>(&streamed_bomb).is_err());
        // Two frames, each with its size, are one body.
        let (head, tail) = json.split_at(json.len() / 2);
        let mut two = zstd::bulk::compress(head, 3).unwrap();
        two.extend(zstd::bulk::compress(tail, 19).unwrap());
        assert_eq!(decode::<PullRequest>(&two).unwrap(), request);
        // A frame that lies about its size is refused, not trusted.
        let mut short = zstd::bulk::compress(&json, 3).unwrap();
        short.truncate(short.len() - 3);
        assert!(decode::<PullRequest>(&short).is_err());
        // The same thread's contexts serve body after body, at either level.
        let large = vec![b'x'; LARGE_BODY_BYTES * 2];
        for _ in 0..3 {
            let body = encode(&String::from_utf8(large.clone()).unwrap()).unwrap();
            assert_eq!(decode::<String>(&body).unwrap().len(), large.len());
            assert_eq!(
                decode::<PullRequest>(&encode(&request).unwrap()).unwrap(),
                request
            );
        }
    }

    #[test]
    fn a_push_entry_travels_as_one_object_with_the_changes_fields_beside_seq() {
        let entry = PushEntry {
            seq: 7,
            change: Change {
                entity: "product".into(),
                id: Id::new(),
                op: "update".into(),
                fields: serde_json::from_str(r#"{"price":15000}"#).unwrap(),
                hlc: Hlc {
                    millis: 1_764_633_600_000,
                    counter: 2,
                    node: 0x0123_4567_89ab_cdef,
                },
            },
        };
        let value = serde_json::to_value(&entry).unwrap();
        let mut expected = serde_json::to_value(&entry.change).unwrap();
        expected
            .as_object_mut()
            .unwrap()
            .insert("seq".into(), serde_json::json!(7));
        assert_eq!(value, expected);
        // Read back, and a field this build does not know is passed over.
        let mut newer = value.clone();
        newer
            .as_object_mut()
            .unwrap()
            .insert("origin".into(), serde_json::json!("x"));
        assert_eq!(serde_json::from_value::<PushEntry>(newer).unwrap(), entry);
        // Without a field of the change it is no entry.
        let mut short = value;
        short.as_object_mut().unwrap().remove("hlc");
        assert!(serde_json::from_value::<PushEntry>(short).is_err());
    }
}
