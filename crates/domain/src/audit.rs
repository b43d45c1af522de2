//! The tamper-evident audit chain: each row's SM3 hash covers the previous row's hash.
//!
//! The chain shows edits, deletions, insertions and reordering anywhere before the last
//! row. Cutting rows off the end leaves a shorter chain that still verifies, so callers
//! should also compare the head hash or row count with a copy kept elsewhere.

use sm3::{Digest, Sm3};

/// The `prev_hash` of the first row.
pub const GENESIS: [u8; 32] = [0; 32];

/// SM3 over `prev_hash`, then each field as a 4-byte big-endian length and its UTF-8 bytes.
/// The lengths make the encoding unambiguous: moving text from one field into the next
/// changes the hash.
pub fn chain_hash(prev_hash: &[u8; 32], fields: &[&str]) -> [u8; 32] {
    let mut hasher = Sm3::new();
    hasher.update(prev_hash);
    for field in fields {
        let len = u32::try_from(field.len()).expect("an audit field is far below 4 GiB");
        hasher.update(len.to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

/// Walks rows of (stored prev hash, fields, stored hash) in order from `start` (the hash
/// before the first row, [`GENESIS`] for a whole log). Returns the number of rows on
/// success, or the index of the first row whose links do not hold.
pub fn verify_chain<'a>(
    rows: impl IntoIterator<Item = (&'a [u8; 32], Vec<&'a str>, &'a [u8; 32])>,
    start: [u8; 32],
) -> Result<usize, usize> {
    let mut expected_prev = start;
    let mut count = 0;
    for (index, (prev, fields, hash)) in rows.into_iter().enumerate() {
        if *prev != expected_prev || chain_hash(prev, &fields) != *hash {
            return Err(index);
        }
        expected_prev = *hash;
        count += 1;
    }
    Ok(count)
}

/// Lower-case hexadecimal.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Parses hexadecimal of either case; `None` for an odd length or a non-hex character.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let nibble = |c: u8| char::from(c).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
        .collect()
}

/// Parses a stored 64-character hash.
pub fn hash_from_hex(s: &str) -> Option<[u8; 32]> {
    from_hex(s)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_known_answer() {
        let digest: [u8; 32] = Sm3::digest(b"abc").into();
        assert_eq!(
            to_hex(&digest),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn hex_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex("ABcd"), Some(vec![0xab, 0xcd]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("+1"), None);
        assert_eq!(hash_from_hex(&to_hex(&[7; 32])), Some([7; 32]));
        assert_eq!(hash_from_hex("00"), None);
    }

    #[test]
    fn field_boundaries_matter() {
        assert_ne!(
            chain_hash(&GENESIS, &["ab", "c"]),
            chain_hash(&GENESIS, &["a", "bc"])
        );
        assert_ne!(
            chain_hash(&GENESIS, &["abc"]),
            chain_hash(&GENESIS, &["abc", ""])
        );
        assert_ne!(chain_hash(&GENESIS, &["x"]), chain_hash(&[1; 32], &["x"]));
    }

    /// A stored row: prev hash, fields, hash.
    type Row = ([u8; 32], Vec<String>, [u8; 32]);

    fn build_chain(n: usize) -> Vec<Row> {
        let mut prev = GENESIS;
        (0..n)
            .map(|i| {
                let fields = vec![
                    format!("{}", 1_700_000_000_000_i64 + i as i64),
                    "user:42".to_owned(),
                    format!("view person {i}"),
                ];
                let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
                let hash = chain_hash(&prev, &refs);
                let row = (prev, fields, hash);
                prev = hash;
                row
            })
            .collect()
    }

    fn verify(rows: &[Row]) -> Result<usize, usize> {
        verify_chain(
            rows.iter()
                .map(|(p, f, h)| (p, f.iter().map(String::as_str).collect(), h)),
            GENESIS,
        )
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&build_chain(10)), Ok(10));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn verification_can_resume_from_a_checkpoint() {
        let rows = build_chain(10);
        let tail = &rows[4..];
        let checkpoint = rows[3].2;
        let result = verify_chain(
            tail.iter()
                .map(|(p, f, h)| (p, f.iter().map(String::as_str).collect(), h)),
            checkpoint,
        );
        assert_eq!(result, Ok(6));
    }

    #[test]
    fn tampering_is_reported_at_the_right_row() {
        for k in 0..10 {
            let mut edited = build_chain(10);
            edited[k].1[2].push('!');
            assert_eq!(verify(&edited), Err(k), "edited field in row {k}");

            let mut rehashed = build_chain(10);
            rehashed[k].2[0] ^= 1;
            assert_eq!(verify(&rehashed), Err(k), "edited hash in row {k}");

            let mut relinked = build_chain(10);
            relinked[k].0[31] ^= 1;
            assert_eq!(verify(&relinked), Err(k), "edited prev in row {k}");
        }
        for k in 0..9 {
            let mut deleted = build_chain(10);
            deleted.remove(k);
            assert_eq!(verify(&deleted), Err(k), "deleted row {k}");

            let mut swapped = build_chain(10);
            swapped.swap(k, k + 1);
            assert_eq!(verify(&swapped), Err(k), "swapped rows {k} and {}", k + 1);
        }
        // Rewriting one row consistently still breaks the next row's link.
        let mut rows = build_chain(10);
        rows[5].1[1] = "user:7".to_owned();
        let refs: Vec<&str> = rows[5].1.iter().map(String::as_str).collect();
        rows[5].2 = chain_hash(&rows[5].0, &refs);
        assert_eq!(verify(&rows), Err(6));
    }
}
