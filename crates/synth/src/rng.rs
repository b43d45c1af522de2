//! A small seeded PRNG: SplitMix64 for seeding and stream mixing, xoshiro256** for draws.
//!
//! Everything the generator produces comes from streams derived with [`Rng::stream`], so a
//! grid's output depends only on the seed and the grid, never on the order of calls.

/// Salts that keep the streams of different generators apart.
pub(crate) mod salt {
    pub const LATTICE: u64 = 0x6c61_7474;
    pub const REGIONS: u64 = 0x7265_6769;
    pub const PEOPLE: u64 = 0x7065_6f70;
    pub const STAFF: u64 = 0x7374_6166;
    pub const LEADER: u64 = 0x6c65_6164;
    pub const DEPARTMENT: u64 = 0x6465_7074;
    pub const ROADS: u64 = 0x726f_6164;
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 output function: a bijective scrambler of 64-bit words.
pub(crate) fn scramble(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Combines two words into a well-mixed third; not symmetric, so `mix(a, b) != mix(b, a)`.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    scramble(scramble(a.wrapping_add(GOLDEN)) ^ b.rotate_left(23).wrapping_add(GOLDEN))
}

/// A stable 64-bit key for a code string (FNV-1a), used to derive per-region streams.
pub(crate) fn key_of(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// xoshiro256** state.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// Seeds the four state words from SplitMix64, which never yields the all-zero state.
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(GOLDEN);
            scramble(x)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// An independent stream for one purpose (`salt`) and one item (`index`).
    pub fn stream(seed: u64, salt: u64, index: u64) -> Rng {
        Rng::new(mix(mix(seed, salt), index))
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (multiply-high; the bias is below 2^-32 for the sizes used here).
    pub fn below(&mut self, n: u32) -> u32 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u32
    }

    /// Uniform in `lo..=hi`; `lo` when the range is empty.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[lo, hi)`.
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u32 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let a: Vec<u64> = (0..8)
            .map(|_| Rng::stream(7, salt::PEOPLE, 3).next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = Rng::stream(7, salt::PEOPLE, 3);
        let mut y = Rng::stream(7, salt::PEOPLE, 4);
        let mut z = Rng::stream(8, salt::PEOPLE, 3);
        let (x1, y1, z1) = (x.next_u64(), y.next_u64(), z.next_u64());
        assert!(x1 != y1 && x1 != z1 && y1 != z1);
    }

    #[test]
    fn draws_stay_in_range_and_cover_it() {
        let mut rng = Rng::new(1);
        let mut seen = [0u32; 10];
        for _ in 0..10_000 {
            let v = rng.below(10);
            seen[v as usize] += 1;
            let r = rng.range(3, 5);
            assert!((3..=5).contains(&r));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
        // Each bucket expects 1,000; a fair generator stays well within ±20%.
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
        assert_eq!(rng.range(4, 4), 4);
        assert_eq!(rng.range(5, 2), 5);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<u32> = (0..100).collect();
        Rng::new(9).shuffle(&mut v);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }

    #[test]
    fn key_of_separates_codes() {
        assert_ne!(key_of("430204001001"), key_of("430204001002"));
        assert_eq!(key_of("abc"), key_of("abc"));
    }
}
