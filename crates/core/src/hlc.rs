//! Hybrid logical clock (sync.md): a stamp that follows the wall clock but
//! never goes backwards, also when the wall clock does, and that orders every
//! op of every device. The store persists the last stamp; the sync crate
//! merges remote stamps through [`Clock::observe`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// A clock stamp: milliseconds since the Unix epoch and a counter for events
/// within the same millisecond. Ordered by (millis, counter); ties between
/// devices are broken by device id where the stamp is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Stamp {
    pub millis: u64,
    pub counter: u32,
}

impl Stamp {
    /// Packs the stamp into one integer that sorts like the stamp (48 bits of
    /// milliseconds, good until the year 10889, and 16 bits of counter).
    pub fn to_i64(self) -> i64 {
        ((self.millis << 16) | u64::from(self.counter & 0xFFFF)) as i64
    }

    pub fn from_i64(v: i64) -> Stamp {
        let v = v as u64;
        Stamp { millis: v >> 16, counter: (v & 0xFFFF) as u32 }
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.millis, self.counter)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("a remote clock stamp is {ahead_ms} ms ahead of this device's clock (the limit is {limit_ms} ms); check the clock of the device that made it")]
    TooFarAhead { ahead_ms: u64, limit_ms: u64 },
    #[error("the clock counter overflowed within one millisecond")]
    CounterOverflow,
}

/// The clock of one device. `last` is what the store persists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    pub last: Stamp,
    /// How far ahead of the local wall clock a remote stamp may be.
    pub max_ahead_ms: u64,
}

impl Clock {
    pub fn new(last: Stamp, max_ahead_ms: u64) -> Clock {
        Clock { last, max_ahead_ms }
    }

    /// A new stamp for a local event, given the wall clock now.
    pub fn tick(&mut self, wall_ms: u64) -> Result<Stamp, ClockError> {
        let next = if wall_ms > self.last.millis {
            Stamp { millis: wall_ms, counter: 0 }
        } else {
            let counter = self.last.counter.checked_add(1).filter(|c| *c <= 0xFFFF);
            match counter {
                Some(counter) => Stamp { millis: self.last.millis, counter },
                None => Stamp { millis: self.last.millis + 1, counter: 0 },
            }
        };
        self.last = next;
        Ok(next)
    }

    /// Takes a remote stamp into account so that later local stamps order after it.
    pub fn observe(&mut self, remote: Stamp, wall_ms: u64) -> Result<Stamp, ClockError> {
        if remote.millis > wall_ms.saturating_add(self.max_ahead_ms) {
            return Err(ClockError::TooFarAhead {
                ahead_ms: remote.millis - wall_ms,
                limit_ms: self.max_ahead_ms,
            });
        }
        let millis = wall_ms.max(self.last.millis).max(remote.millis);
        let counter = if millis == self.last.millis && millis == remote.millis {
            self.last.counter.max(remote.counter) + 1
        } else if millis == self.last.millis {
            self.last.counter + 1
        } else if millis == remote.millis {
            remote.counter + 1
        } else {
            0
        };
        let next = if counter > 0xFFFF {
            Stamp { millis: millis + 1, counter: 0 }
        } else {
            Stamp { millis, counter }
        };
        self.last = next;
        Ok(next)
    }
}

/// The wall clock in milliseconds since the Unix epoch.
pub fn wall_clock_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn never_goes_backwards_when_the_wall_clock_does() {
        let mut c = Clock::new(Stamp::default(), 60_000);
        let a = c.tick(1_000).unwrap_or_default();
        let b = c.tick(500).unwrap_or_default();
        assert!(b > a);
        assert_eq!(b, Stamp { millis: 1_000, counter: 1 });
    }

    #[test]
    fn refuses_a_stamp_from_far_in_the_future() {
        let mut c = Clock::new(Stamp::default(), 60_000);
        let err = c.observe(Stamp { millis: 1_000_000, counter: 0 }, 1_000);
        assert!(matches!(err, Err(ClockError::TooFarAhead { .. })));
        assert_eq!(c.last, Stamp::default(), "a refused stamp leaves the clock alone");
    }

    #[test]
    fn packs_into_an_integer_that_sorts_the_same() {
        let a = Stamp { millis: 1_666_000_000_000, counter: 7 };
        let b = Stamp { millis: 1_666_000_000_000, counter: 8 };
        assert_eq!(Stamp::from_i64(a.to_i64()), a);
        assert!(a.to_i64() < b.to_i64());
    }

    proptest! {
        #[test]
        fn stamps_strictly_increase(events in proptest::collection::vec((any::<bool>(), 0u64..10_000, 0u64..10_000, 0u32..5), 1..200)) {
            let mut c = Clock::new(Stamp::default(), 1_000_000);
            let mut prev = Stamp::default();
            for (remote, wall, rmillis, rcounter) in events {
                let s = if remote {
                    c.observe(Stamp { millis: rmillis, counter: rcounter }, wall).expect("within bound")
                } else {
                    c.tick(wall).expect("tick")
                };
                prop_assert!(s > prev);
                let sent = Stamp { millis: rmillis, counter: rcounter };
                if remote { prop_assert!(s > sent); }
                prev = s;
            }
        }
    }
}
