//! A small, fast, seeded PRNG whose output is fixed forever for a seed.
//!
//! xoshiro256++ seeded through SplitMix64. It is the algorithm behind
//! `rand::rngs::SmallRng` on 64-bit targets, owned here because rand documents
//! neither `SmallRng` nor its range sampling as reproducible across platforms
//! and versions, and synthetic data sets are compared across machines and runs
//! by seed. It also implements `rand::RngCore`, so rand's helpers work with it.

#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        let mut sm = seed;
        Rng { s: [splitmix(&mut sm), splitmix(&mut sm), splitmix(&mut sm), splitmix(&mut sm)] }
    }

    #[inline]
    pub(crate) fn next(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 for our n). `n` must be > 0.
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    #[inline]
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// Uniform in [0, 1).
    #[inline]
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    #[inline]
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    #[inline]
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.index(items.len())]
    }

    /// Log-uniform in [lo, hi]: amounts people claim spread over orders of magnitude.
    pub(crate) fn log_uniform(&mut self, lo: u64, hi: u64) -> u64 {
        let (l, h) = ((lo.max(1)) as f64, (hi.max(lo.max(1))) as f64);
        (l * (h / l).powf(self.unit())) as u64
    }
}

impl rand::RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        (self.next() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.next()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// Picks an index with the given integer weights (prefix sums, last = total).
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    cumulative: Vec<u32>,
}

impl Weighted {
    /// `weights` must not all be zero.
    pub(crate) fn new(weights: &[u32]) -> Weighted {
        let mut total = 0u32;
        let cumulative = weights
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    pub(crate) fn total(&self) -> u32 {
        self.cumulative.last().copied().unwrap_or(0)
    }

    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.total();
        if total == 0 {
            return 0;
        }
        let x = rng.below(u64::from(total)) as u32;
        self.cumulative.iter().position(|&c| x < c).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_of_a_seed_never_changes() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let first: Vec<u64> = (0..4).map(|_| a.next()).collect();
        assert_eq!(first, (0..4).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(Rng::new(43).next(), first[0]);
        for _ in 0..10_000 {
            let x = a.range(3, 7);
            assert!((3..=7).contains(&x));
            let u = a.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn weighted_picks_follow_weights() {
        let w = Weighted::new(&[0, 1, 3]);
        let mut rng = Rng::new(1);
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            counts[w.sample(&mut rng)] += 1;
        }
        assert_eq!(counts[0], 0);
        assert!((9_000..11_000).contains(&counts[1]), "{counts:?}");
    }
}
