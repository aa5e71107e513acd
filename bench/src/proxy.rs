//! The shaping proxy: a poor mobile link in user space (`../shared/recipes/poor-network.md`: the
//! kernel here has no netem), put between a device and its server for both systems compared.
//!
//! It forwards TCP to one upstream address and, per direction:
//! - cuts what it reads into segments of one MSS (1,460 bytes);
//! - sends each segment through a token bucket shared by every connection (the link's rate),
//!   so a reader waits while the link is busy, as a socket buffer would make it;
//! - delivers it one one-way delay (half the round trip) after it left the link, in order;
//! - loses a fraction of segments: a lost segment is sent again after a retransmission timeout
//!   (200 ms + one round trip, Linux's floor), costing the link its bytes twice, and everything
//!   behind it on that connection waits (head-of-line blocking, as in TCP);
//! - charges one round trip for each new connection (the TCP handshake).
//!
//! It counts bytes each way and connections, and can cut the connection that carries the
//! upstream byte at each of a list of positions (counted across all connections), to test
//! resumption. Loss modelled above TCP is not packet loss (the kernel's TCP never sees it), so
//! the same settings serve every system compared and are printed beside every figure.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// One TCP segment's payload.
pub const MSS: usize = 1460;

/// A link's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// A short name for reports (`loopback`, `3G bad day`).
    pub name: String,
    /// Bits per second each way, shared by all connections; `None` for no limit.
    pub rate_bps: Option<u64>,
    /// Round-trip time added (half each way).
    pub rtt: Duration,
    /// The fraction of segments lost (0.02 for 2%).
    pub loss: f64,
}

impl Profile {
    /// No shaping at all: loopback, only counted.
    pub fn loopback() -> Self {
        Profile {
            name: "loopback".into(),
            rate_bps: None,
            rtt: Duration::ZERO,
            loss: 0.0,
        }
    }

    /// Rural 3G on a bad day: 256 kbit/s each way, 300 ms round trip, 2% loss.
    pub fn bad_3g() -> Self {
        Profile {
            name: "3G bad day".into(),
            rate_bps: Some(256_000),
            rtt: Duration::from_millis(300),
            loss: 0.02,
        }
    }

    /// The settings in words, for reports.
    pub fn describe(&self) -> String {
        match self.rate_bps {
            None => format!(
                "{}: no delay, no rate limit, no loss (bytes counted only)",
                self.name
            ),
            Some(rate) => format!(
                "{}: {} kbit/s each way (shared by all connections), {} ms round trip, {}% of \
                 1,460-byte segments lost (each resent after 200 ms + one round trip), one round \
                 trip per new connection",
                self.name,
                rate / 1000,
                self.rtt.as_millis(),
                self.loss * 100.0
            ),
        }
    }

    /// The time `bytes` need at this profile's rate, plus one round trip: the physical limit.
    pub fn limit(&self, bytes: u64) -> Duration {
        let wire = match self.rate_bps {
            Some(rate) if rate > 0 => Duration::from_secs_f64(bytes as f64 * 8.0 / rate as f64),
            _ => Duration::ZERO,
        };
        wire + self.rtt
    }
}

/// What crossed the proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Bytes from the device to the server.
    pub up: u64,
    /// Bytes from the server to the device.
    pub down: u64,
    /// Connections opened.
    pub connections: u64,
    /// Connections cut on purpose.
    pub cuts: u64,
    /// Segments lost (and sent again), both ways.
    pub lost: u64,
    /// How long the upstream link carried bytes (its busy time, resends included), in µs.
    pub up_busy_us: u64,
}

impl Counts {
    /// What moved between `earlier` and `self`.
    pub fn since(&self, earlier: &Counts) -> Counts {
        Counts {
            up: self.up - earlier.up,
            down: self.down - earlier.down,
            connections: self.connections - earlier.connections,
            cuts: self.cuts - earlier.cuts,
            lost: self.lost - earlier.lost,
            up_busy_us: self.up_busy_us - earlier.up_busy_us,
        }
    }
}

/// One direction of the link: the time its token bucket is next free.
struct Link {
    rate_bps: Option<u64>,
    next_free: Mutex<Instant>,
}

impl Link {
    /// Reserves the link for `bytes` and returns when they will have left it.
    fn reserve(&self, bytes: usize) -> Instant {
        let now = Instant::now();
        let Some(rate) = self.rate_bps.filter(|r| *r > 0) else {
            return now;
        };
        let took = Duration::from_secs_f64(bytes as f64 * 8.0 / rate as f64);
        let mut next = match self.next_free.lock() {
            Ok(next) => next,
            Err(poisoned) => poisoned.into_inner(),
        };
        let start = (*next).max(now);
        *next = start + took;
        *next
    }
}

struct Shared {
    profile: Profile,
    up_link: Link,
    down_link: Link,
    up: AtomicU64,
    down: AtomicU64,
    connections: AtomicU64,
    cuts_done: AtomicU64,
    lost: AtomicU64,
    up_busy_us: AtomicU64,
    cut_points: Mutex<Vec<u64>>,
    rng: Mutex<StdRng>,
}

impl Shared {
    fn lost(&self) -> bool {
        if self.profile.loss <= 0.0 {
            return false;
        }
        let mut rng = match self.rng.lock() {
            Ok(rng) => rng,
            Err(poisoned) => poisoned.into_inner(),
        };
        rng.random_bool(self.profile.loss.min(1.0))
    }

    /// How many of `len` upstream bytes may pass before a cut, and whether a cut follows.
    fn before_cut(&self, len: usize) -> (usize, bool) {
        let mut points = match self.cut_points.lock() {
            Ok(points) => points,
            Err(poisoned) => poisoned.into_inner(),
        };
        let sent = self.up.load(Ordering::SeqCst);
        match points.first().copied() {
            Some(point) if point < sent + len as u64 => {
                points.remove(0);
                (point.saturating_sub(sent) as usize, true)
            }
            _ => (len, false),
        }
    }
}

/// A running proxy.
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy on a free loopback port in front of `upstream`, shaped by `profile`,
    /// cutting at `cut_points` (upstream byte positions, counted across connections). `seed`
    /// makes the losses repeatable.
    pub async fn start(
        upstream: SocketAddr,
        profile: Profile,
        mut cut_points: Vec<u64>,
        seed: u64,
    ) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        cut_points.sort_unstable();
        let now = Instant::now();
        let shared = Arc::new(Shared {
            up_link: Link {
                rate_bps: profile.rate_bps,
                next_free: Mutex::new(now),
            },
            down_link: Link {
                rate_bps: profile.rate_bps,
                next_free: Mutex::new(now),
            },
            profile,
            up: AtomicU64::new(0),
            down: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            cuts_done: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            up_busy_us: AtomicU64::new(0),
            cut_points: Mutex::new(cut_points),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
        });
        let accepting = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let shared = accepting.clone();
                shared.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(connection(client, upstream, shared));
            }
        });
        Ok(Proxy { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What has crossed it so far.
    pub fn counts(&self) -> Counts {
        Counts {
            up: self.shared.up.load(Ordering::SeqCst),
            down: self.shared.down.load(Ordering::SeqCst),
            connections: self.shared.connections.load(Ordering::SeqCst),
            cuts: self.shared.cuts_done.load(Ordering::SeqCst),
            lost: self.shared.lost.load(Ordering::SeqCst),
            up_busy_us: self.shared.up_busy_us.load(Ordering::SeqCst),
        }
    }

    /// Its profile.
    pub fn profile(&self) -> &Profile {
        &self.shared.profile
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

type Segment = Option<(Instant, Vec<u8>)>;

async fn connection(client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    // The handshake's round trip.
    tokio::time::sleep(shared.profile.rtt).await;
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let (cut_tx, mut cut_rx) = watch::channel(false);
    let (up_tx, up_rx) = mpsc::unbounded_channel();
    let (down_tx, down_rx) = mpsc::unbounded_channel();
    let tasks = [
        tokio::spawn(read(
            client_read,
            up_tx,
            Direction::Up,
            shared.clone(),
            cut_tx.clone(),
        )),
        tokio::spawn(write(server_write, up_rx, cut_tx.clone())),
        tokio::spawn(read(
            server_read,
            down_tx,
            Direction::Down,
            shared,
            cut_tx.clone(),
        )),
        tokio::spawn(write(client_write, down_rx, cut_tx)),
    ];
    let aborts: Vec<_> = tasks.iter().map(|t| t.abort_handle()).collect();
    tokio::select! {
        _ = async { for task in tasks { let _ = task.await; } } => {}
        _ = cut_rx.wait_for(|cut| *cut) => {
            for abort in aborts {
                abort.abort();
            }
        }
    }
}

async fn read(
    mut from: OwnedReadHalf,
    to: mpsc::UnboundedSender<Segment>,
    direction: Direction,
    shared: Arc<Shared>,
    cut: watch::Sender<bool>,
) {
    let (link, counter) = match direction {
        Direction::Up => (&shared.up_link, &shared.up),
        Direction::Down => (&shared.down_link, &shared.down),
    };
    let one_way = shared.profile.rtt / 2;
    let resend_after = Duration::from_millis(200) + shared.profile.rtt;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) => {
                let _ = to.send(None);
                return;
            }
            Ok(n) => n,
            Err(_) => {
                let _ = cut.send(true);
                return;
            }
        };
        for segment in buf[..n].chunks(MSS) {
            let (pass, cut_now) = if direction == Direction::Up {
                shared.before_cut(segment.len())
            } else {
                (segment.len(), false)
            };
            let segment = &segment[..pass];
            if !segment.is_empty() {
                let busy = |shared: &Shared| {
                    if direction == Direction::Up
                        && let Some(rate) = shared.profile.rate_bps.filter(|r| *r > 0)
                    {
                        let us = segment.len() as u64 * 8 * 1_000_000 / rate;
                        shared.up_busy_us.fetch_add(us, Ordering::SeqCst);
                    }
                };
                busy(&shared);
                let mut left_link = link.reserve(segment.len());
                tokio::time::sleep_until(left_link).await;
                let mut arrives = left_link + one_way;
                if shared.lost() {
                    shared.lost.fetch_add(1, Ordering::SeqCst);
                    // Resent after the timeout; the copy takes the link again.
                    tokio::time::sleep(resend_after).await;
                    busy(&shared);
                    left_link = link.reserve(segment.len());
                    tokio::time::sleep_until(left_link).await;
                    arrives = left_link + one_way;
                }
                counter.fetch_add(segment.len() as u64, Ordering::SeqCst);
                if to.send(Some((arrives, segment.to_vec()))).is_err() {
                    return;
                }
            }
            if cut_now {
                shared.cuts_done.fetch_add(1, Ordering::SeqCst);
                let _ = cut.send(true);
                return;
            }
        }
    }
}

async fn write(
    mut to: OwnedWriteHalf,
    mut from: mpsc::UnboundedReceiver<Segment>,
    cut: watch::Sender<bool>,
) {
    while let Some(segment) = from.recv().await {
        let Some((at, bytes)) = segment else {
            let _ = to.shutdown().await;
            return;
        };
        tokio::time::sleep_until(at).await;
        if to.write_all(&bytes).await.is_err() {
            let _ = cut.send(true);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    async fn round_trip(proxy: &Proxy, bytes: usize) -> (Vec<u8>, Duration) {
        let started = std::time::Instant::now();
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
        let (mut r, mut w) = s.split();
        let (_, back) = tokio::join!(w.write_all(&data), async {
            let mut back = vec![0u8; bytes];
            let _ = r.read_exact(&mut back).await;
            back
        });
        (back, started.elapsed())
    }

    #[tokio::test]
    async fn loopback_forwards_every_byte_and_counts_it() {
        let proxy = Proxy::start(echo_server().await, Profile::loopback(), vec![], 1)
            .await
            .unwrap();
        let (back, _) = round_trip(&proxy, 100_000).await;
        assert_eq!(
            back,
            (0..100_000).map(|i| (i % 251) as u8).collect::<Vec<_>>()
        );
        let counts = proxy.counts();
        assert_eq!(
            (counts.up, counts.down, counts.connections),
            (100_000, 100_000, 1)
        );
    }

    #[tokio::test]
    async fn a_shaped_link_takes_at_least_its_rate_and_round_trips() {
        let profile = Profile {
            name: "test".into(),
            rate_bps: Some(800_000),
            rtt: Duration::from_millis(100),
            loss: 0.0,
        };
        let proxy = Proxy::start(echo_server().await, profile, vec![], 1)
            .await
            .unwrap();
        // 20 KB at 100 KB/s: 0.2 s each way (pipelined), plus the handshake and a round trip.
        let (back, took) = round_trip(&proxy, 20_000).await;
        assert_eq!(back.len(), 20_000);
        assert!(took >= Duration::from_millis(390), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    #[tokio::test]
    async fn a_cut_point_closes_the_connection_after_exactly_that_many_bytes() {
        let proxy = Proxy::start(echo_server().await, Profile::loopback(), vec![5_000], 1)
            .await
            .unwrap();
        let mut s = TcpStream::connect(proxy.addr()).await.unwrap();
        let _ = s.write_all(&vec![7u8; 20_000]).await;
        let mut got = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut got)).await;
        assert!(got.len() <= 5_000, "{}", got.len());
        let counts = proxy.counts();
        assert_eq!((counts.up, counts.cuts), (5_000, 1));
    }

    #[test]
    fn the_physical_limit_is_bytes_over_rate_plus_one_round_trip() {
        // 32,000 bytes at 256 kbit/s is one second, plus 300 ms.
        assert_eq!(
            Profile::bad_3g().limit(32_000),
            Duration::from_millis(1_300)
        );
    }
}
