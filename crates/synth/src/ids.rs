//! Identity numbers that are unique across the district by construction.
//!
//! A number is `county code · YYYYMMDD · sequence · check`. For one county code and one sex
//! the pair (birth date, sequence) is numbered as a *slot*:
//! `slot = (days since 1900-01-01) × 500 + k`, where `k` in `0..500` picks the sequence
//! `(k / 5) × 10 + (k % 5) × 2 + sex` (its last digit odd for men). Slot ↔ (date, sequence)
//! is a bijection.
//!
//! Slots are dealt out round-robin: grid `g` of `G` may only use slots with
//! `slot ≡ g (mod G)`, so two grids can never produce the same number, whatever order or
//! thread they run in. Inside a grid a set of used slots settles the rest: a person wanting
//! a birth date takes the nearest free slot of the grid at or before it, which moves the
//! birth date back by at most about `G / 500` days (under one day for Shifeng's 232 grids,
//! about 18 days at 8,930) — never into the future.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use wangge_domain::date::Date;
use wangge_domain::id_number::check_digit;

/// Slots per day for one sex: 500 three-digit sequences of one parity.
const PER_DAY: i64 = 500;
/// Day 0 of the slot numbering: 1900-01-01, the earliest birth date a number may carry.
const FIRST_DAY: i64 = -25_567;

/// A multiply-shift hasher: the keys are already well spread integers.
#[derive(Default)]
pub(crate) struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

/// Deals out identity numbers for one grid.
pub(crate) struct IdAllocator {
    grid: i64,
    grids: i64,
    used: HashSet<u64, BuildHasherDefault<SlotHasher>>,
}

impl IdAllocator {
    /// For grid `grid` of `grids` (grid < grids; indices must be distinct across grids).
    pub fn new(grid: u32, grids: u32, expected: usize) -> IdAllocator {
        let grids = i64::from(grids.max(1));
        IdAllocator {
            grid: i64::from(grid) % grids,
            grids,
            used: HashSet::with_capacity_and_hasher(expected, BuildHasherDefault::default()),
        }
    }

    /// Issues a number for someone born on or shortly before `wanted` (days since the Unix
    /// epoch), registered in `county` (6 ASCII digits). `pick` in `0..500` spreads the
    /// sequences. Returns the number and the actual birth date.
    pub fn issue(
        &mut self,
        county: &[u8; 6],
        male: bool,
        wanted: i64,
        pick: u32,
    ) -> (String, Date) {
        let wanted_slot = (wanted - FIRST_DAY).max(0) * PER_DAY + i64::from(pick % 500);
        // The grid's slot at or before the wanted one.
        let first = wanted_slot - (wanted_slot - self.grid).rem_euclid(self.grids);
        // Used-slot key: county (20 bits) · sex · slot (27 bits, enough until year 2600).
        let county_num = county
            .iter()
            .fold(0u64, |n, &c| n * 10 + u64::from(c.wrapping_sub(b'0') % 10));
        let tag = (county_num << 28) | (u64::from(male) << 27);
        let (mut slot, mut step) = (first, -self.grids);
        while slot < 0 || !self.used.insert(tag | slot as u64) {
            if slot < 0 {
                // Only reachable for births wanted around 1900: search forward instead.
                (slot, step) = (first + self.grids, self.grids);
            } else {
                slot += step;
            }
        }
        let birth = Date::from_days_since_epoch(FIRST_DAY + slot / PER_DAY);
        let k = (slot % PER_DAY) as u32;
        let sequence = (k / 5) * 10 + (k % 5) * 2 + u32::from(male);
        (compose(county, birth, sequence), birth)
    }
}

/// Writes the 17 digits and appends the check character.
fn compose(county: &[u8; 6], birth: Date, sequence: u32) -> String {
    let mut b = [0u8; 18];
    b[..6].copy_from_slice(county);
    let year = birth.year.clamp(0, 9999) as u32;
    let fields = [
        (year, 6, 4),
        (u32::from(birth.month), 10, 2),
        (u32::from(birth.day), 12, 2),
        (sequence, 14, 3),
    ];
    for (mut value, start, width) in fields {
        for i in (start..start + width).rev() {
            b[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    // The first 17 bytes are ASCII digits by construction, so the check cannot fail.
    b[17] = check_digit(&b[..17]).expect("17 ASCII digits");
    String::from_utf8(b.to_vec()).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangge_domain::id_number::{IdNumber, Sex};

    fn day(y: i32, m: u8, d: u8) -> i64 {
        Date::new(y, m, d).unwrap().days_since_epoch()
    }

    #[test]
    fn first_day_is_1900() {
        assert_eq!(
            Date::from_days_since_epoch(FIRST_DAY),
            Date::new(1900, 1, 1).unwrap()
        );
    }

    #[test]
    fn numbers_parse_and_carry_sex_and_birth() {
        let mut ids = IdAllocator::new(3, 232, 16);
        for (male, pick) in [(true, 0), (false, 499), (true, 250), (false, 7)] {
            let (number, birth) = ids.issue(b"430204", male, day(1987, 6, 15), pick);
            let parsed = IdNumber::parse(&number).unwrap();
            assert_eq!(parsed.birth_date(), birth);
            assert_eq!(parsed.sex(), if male { Sex::Male } else { Sex::Female });
            assert_eq!(parsed.county_code(), "430204");
            // 232 grids: the birth date moves back by under a day.
            let shift = day(1987, 6, 15) - birth.days_since_epoch();
            assert!((0..=1).contains(&shift), "{shift}");
        }
    }

    #[test]
    fn grids_never_share_a_number() {
        // Everyone in every grid wants the same birth date and sequence.
        let grids = 50;
        let mut all = HashSet::new();
        for g in 0..grids {
            let mut ids = IdAllocator::new(g, grids, 64);
            for i in 0..60 {
                let (number, birth) = ids.issue(b"430204", i % 2 == 0, day(2000, 1, 1), 0);
                assert!(birth.days_since_epoch() <= day(2000, 1, 1));
                assert!(all.insert(number));
            }
        }
        assert_eq!(all.len(), 50 * 60);
    }

    #[test]
    fn large_runs_shift_birth_by_weeks_at_most() {
        let mut ids = IdAllocator::new(8_000, 8_930, 16);
        for pick in [0, 100, 499] {
            let (_, birth) = ids.issue(b"430204", true, day(1990, 3, 1), pick);
            let shift = day(1990, 3, 1) - birth.days_since_epoch();
            assert!((0..=36).contains(&shift), "{shift}");
        }
    }
}
