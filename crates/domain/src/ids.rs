//! Time-ordered 64-bit ids that stay below 2^53, so JavaScript reads them exactly.
//!
//! Layout: milliseconds since [`ID_EPOCH_MS`] shifted left 12 bits, then a 12-bit sequence.
//! 41 bits of milliseconds last about 69 years (to 2093) before an id reaches 2^53.

/// 2024-01-01T00:00:00Z in Unix milliseconds.
pub const ID_EPOCH_MS: i64 = 1_704_067_200_000;

const SEQ_BITS: u32 = 12;
const SEQ_MASK: i64 = (1 << SEQ_BITS) - 1;

/// The id for `unix_ms` and sequence number `seq` (only its low 12 bits are used).
/// Times before the epoch are clamped to it, so ids are never negative.
pub fn compose_id(unix_ms: i64, seq: u16) -> i64 {
    let since_epoch = (unix_ms - ID_EPOCH_MS).max(0);
    (since_epoch << SEQ_BITS) | (i64::from(seq) & SEQ_MASK)
}

/// The Unix milliseconds an id was made at.
pub fn id_time_ms(id: i64) -> i64 {
    (id >> SEQ_BITS) + ID_EPOCH_MS
}

/// Hands out strictly increasing ids from successive clock readings: within one
/// millisecond the sequence counts up, and if it runs out (or the clock steps back) ids
/// continue from the last one, borrowing from the following milliseconds.
#[derive(Debug, Clone, Default)]
pub struct IdSequence {
    last: i64,
}

impl IdSequence {
    /// The next id given the current time.
    pub fn next_id(&mut self, unix_ms: i64) -> i64 {
        self.last = compose_id(unix_ms, 0).max(self.last + 1);
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    const TWO_POW_53: i64 = 1 << 53;

    #[test]
    fn epoch_is_2024_new_year_utc() {
        let days = Date::new(2024, 1, 1).unwrap().days_since_epoch();
        assert_eq!(ID_EPOCH_MS, days * 86_400_000);
    }

    #[test]
    fn compose_and_decompose() {
        let t = ID_EPOCH_MS + 123_456_789;
        let id = compose_id(t, 5);
        assert_eq!(id_time_ms(id), t);
        assert_eq!(id & SEQ_MASK, 5);
        assert_eq!(compose_id(t, 0x1005), compose_id(t, 5));
        assert_eq!(compose_id(0, 3), 3);
    }

    #[test]
    fn ids_order_by_time_then_sequence() {
        let t = ID_EPOCH_MS + 1_000;
        assert!(compose_id(t, 0) < compose_id(t, 1));
        assert!(compose_id(t, 0xfff) < compose_id(t + 1, 0));
    }

    #[test]
    fn ids_in_2090_stay_below_2_pow_53() {
        let end_2090 = Date::new(2091, 1, 1).unwrap().days_since_epoch() * 86_400_000 - 1;
        let id = compose_id(end_2090, 0xfff);
        assert!(id > 0 && id < TWO_POW_53, "{id}");
        assert_eq!(id_time_ms(id), end_2090);
    }

    #[test]
    fn property_sequence_is_strictly_increasing() {
        let mut ids = IdSequence::default();
        let mut state = 0x0123_4567_89ab_cdef_u64;
        let mut now = ID_EPOCH_MS + 10_000_000;
        let mut last = 0;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Mostly the same millisecond, sometimes forward, now and then a step back.
            match state % 10 {
                0..=6 => {}
                7 | 8 => now += (state >> 8) as i64 % 50,
                _ => now -= (state >> 8) as i64 % 5,
            }
            let id = ids.next_id(now);
            assert!(id > last);
            assert!(
                id_time_ms(id) + 5_000 >= now,
                "ids must not fall far behind the clock"
            );
            last = id;
        }
    }
}
