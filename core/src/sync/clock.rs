//! The hybrid logical clock (HLC) that orders every change.
//!
//! A timestamp is (physical milliseconds, logical counter, node). Physical time is the phone's
//! wall clock plus an offset that the server measures at sync, so a phone whose clock is months
//! wrong still stamps sensible times once it has synced. The clock never goes backwards: when the
//! wall clock jumps back, the logical counter advances instead. Ties between devices break on the
//! node, which comes from the device id.
//!
//! The last timestamp handed out is saved in the same transaction as the write that used it, so
//! the clock stays monotonic across restarts.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// How far ahead of our own physical time a remote timestamp may be before it is refused: one
/// day. A device months ahead must not drag every clock it meets into the future.
pub const MAX_FORWARD_DRIFT_MS: i64 = 24 * 60 * 60 * 1000;

/// A hybrid logical clock timestamp. Orders by time, then counter, then node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, corrected by the measured offset.
    pub millis: i64,
    /// Logical counter for events within one millisecond.
    pub counter: u16,
    /// The device that stamped it, to break ties.
    pub node: u64,
}

impl Hlc {
    /// The time and counter packed into one sortable integer, for compact storage where the node
    /// is known from elsewhere.
    pub fn packed(&self) -> i64 {
        (self.millis << 16) | i64::from(self.counter)
    }
}

/// Written as `{millis:012x}-{counter:04x}-{node:016x}`, which sorts as the timestamp does.
impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:012x}-{:04x}-{:016x}",
            self.millis, self.counter, self.node
        )
    }
}

impl FromStr for Hlc {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        let (Some(m), Some(c), Some(n), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("not an HLC timestamp: {s:?}"));
        };
        let bad = |_| format!("not an HLC timestamp: {s:?}");
        Ok(Hlc {
            millis: i64::from_str_radix(m, 16).map_err(bad)?,
            counter: u16::from_str_radix(c, 16).map_err(bad)?,
            node: u64::from_str_radix(n, 16).map_err(bad)?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where the clock reads the phone's wall time. Tests swap in a clock they control.
pub trait WallClock: Send + Sync + fmt::Debug {
    /// Milliseconds since the Unix epoch, as the device believes.
    fn now_ms(&self) -> i64;
}

/// The device's real clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl WallClock for SystemClock {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// The clock's state: the last timestamp handed out and the measured offset.
#[derive(Debug, Clone)]
pub struct Clock {
    wall: Arc<dyn WallClock>,
    node: u64,
    last: Hlc,
    offset_ms: i64,
}

impl Clock {
    /// A clock for `node`, resuming after `last`, with a known offset.
    pub fn new(wall: Arc<dyn WallClock>, node: u64, last: Hlc, offset_ms: i64) -> Self {
        Self {
            wall,
            node,
            last,
            offset_ms,
        }
    }

    /// Continues from the state another handle on the same database committed.
    pub fn resume(&mut self, last: Hlc, offset_ms: i64) {
        self.last = last;
        self.offset_ms = offset_ms;
    }

    /// The device's own wall clock, uncorrected.
    pub fn wall_ms(&self) -> i64 {
        self.wall.now_ms()
    }

    /// Physical time: the wall clock corrected by the measured offset.
    pub fn physical_ms(&self) -> i64 {
        self.wall.now_ms().saturating_add(self.offset_ms)
    }

    /// The device this clock stamps for.
    pub fn node(&self) -> u64 {
        self.node
    }

    /// The last timestamp handed out.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// The offset (server time minus device time) applied to the wall clock.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms
    }

    /// A new timestamp, later than every one before it.
    pub fn tick(&mut self) -> Hlc {
        let physical = self.physical_ms();
        self.last = if physical > self.last.millis {
            Hlc {
                millis: physical,
                counter: 0,
                node: self.node,
            }
        } else {
            self.after(self.last.millis, self.last.counter)
        };
        self.last
    }

    /// Takes in a timestamp from elsewhere (a pulled change), so that our next timestamp is later
    /// than it. Returns `false`, and changes nothing, when it is too far in the future.
    pub fn observe(&mut self, remote: Hlc) -> bool {
        let physical = self.physical_ms();
        if remote.millis > physical.saturating_add(MAX_FORWARD_DRIFT_MS) {
            return false;
        }
        if remote > self.last {
            self.last = Hlc {
                node: self.node,
                ..remote
            };
        }
        true
    }

    /// Applies the offset measured by the server (server time minus this device's wall time).
    ///
    /// The timeline moves with it: the last timestamp is shifted by the change in offset, but
    /// never past the corrected present, so a phone that was months ahead stops stamping future
    /// times once it learns the truth, and one that was behind does not leap ahead. Returns the
    /// shift in milliseconds, which the caller applies to the timestamps not yet pushed that
    /// were stamped on the wrong timeline; the caller then brings the last timestamp back up to
    /// the latest one that still stands (see `correct_clock` in `api/sync.rs`).
    pub fn correct_offset(&mut self, offset_ms: i64) -> i64 {
        let shift = offset_ms.saturating_sub(self.offset_ms);
        self.offset_ms = offset_ms;
        let now = self.physical_ms();
        self.last.millis = self.last.millis.saturating_add(shift).min(now).max(0);
        shift
    }

    /// The timestamp just after `hlc`, on this node.
    pub fn successor(&self, hlc: Hlc) -> Hlc {
        self.after(hlc.millis, hlc.counter)
    }

    fn after(&self, millis: i64, counter: u16) -> Hlc {
        match counter.checked_add(1) {
            Some(counter) => Hlc {
                millis,
                counter,
                node: self.node,
            },
            None => Hlc {
                millis: millis.saturating_add(1),
                counter: 0,
                node: self.node,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[derive(Debug)]
    struct Manual(AtomicI64);
    impl WallClock for Manual {
        fn now_ms(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    fn clock_at(ms: i64) -> (Arc<Manual>, Clock) {
        let wall = Arc::new(Manual(AtomicI64::new(ms)));
        let clock = Clock::new(wall.clone(), 7, Hlc::default(), 0);
        (wall, clock)
    }

    #[test]
    fn stays_monotonic_when_the_wall_clock_jumps_back() {
        let (wall, mut clock) = clock_at(1_000_000);
        let a = clock.tick();
        wall.0.store(500_000, Ordering::SeqCst);
        let b = clock.tick();
        let c = clock.tick();
        assert!(a < b && b < c);
        assert_eq!(b.millis, 1_000_000);
        assert_eq!(c.counter, 2);
    }

    #[test]
    fn a_remote_timestamp_moves_the_clock_forward() {
        let (_wall, mut clock) = clock_at(1_000);
        let remote = Hlc {
            millis: 5_000,
            counter: 3,
            node: 9,
        };
        assert!(clock.observe(remote));
        assert!(clock.tick() > remote);
    }

    #[test]
    fn a_timestamp_months_ahead_is_refused() {
        let (_wall, mut clock) = clock_at(1_000);
        let before = clock.last();
        let remote = Hlc {
            millis: 1_000 + 180 * 24 * 3_600_000,
            counter: 0,
            node: 9,
        };
        assert!(!clock.observe(remote));
        assert_eq!(clock.last(), before);
    }

    #[test]
    fn correcting_the_offset_moves_the_timeline_for_a_phone_six_months_ahead() {
        let six_months = 182 * 24 * 3_600_000_i64;
        let (_wall, mut clock) = clock_at(10 * six_months);
        let skewed = clock.tick();
        let shift = clock.correct_offset(-six_months);
        assert_eq!(shift, -six_months);
        let fixed = clock.tick();
        assert_eq!(fixed.millis, 9 * six_months, "stamps the corrected present");
        assert!(fixed.millis < skewed.millis);
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_timestamp() {
        let a = Hlc {
            millis: 1_700_000_000_000,
            counter: 2,
            node: 0xabc,
        };
        let b = Hlc {
            millis: 1_700_000_000_000,
            counter: 10,
            node: 0x1,
        };
        assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        assert!(a.to_string() < b.to_string());
        assert!(a < b);
        assert!("zz".parse::<Hlc>().is_err());
    }
}
