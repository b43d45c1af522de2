//! Mainland mobile numbers with the prefixes of the three carriers.

use crate::rng::Rng;

/// Common mobile prefixes (China Mobile, Unicom, Telecom); repeats weight the busy ones.
const PREFIXES: &[&[u8; 3]] = &[
    b"134", b"135", b"136", b"137", b"138", b"139", b"138", b"139", b"150", b"151", b"152", b"157",
    b"158", b"159", b"182", b"183", b"184", b"187", b"188", b"147", b"130", b"131", b"132", b"155",
    b"156", b"185", b"186", b"176", b"133", b"153", b"180", b"181", b"189", b"177", b"199", b"173",
    b"198", b"166",
];

/// An 11-digit mobile number.
pub(crate) fn mobile(rng: &mut Rng) -> String {
    let mut digits = [0u8; 11];
    let prefix: &[u8; 3] = rng.pick(PREFIXES);
    digits[..3].copy_from_slice(prefix);
    // 8 decimal digits from one draw: below 10^8, then peel them off.
    let mut rest = rng.below(100_000_000);
    for d in digits[3..].iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    String::from_utf8(digits.to_vec()).expect("ASCII digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_valid_and_varied() {
        let mut rng = Rng::new(2);
        let numbers: Vec<String> = (0..1_000).map(|_| mobile(&mut rng)).collect();
        for n in &numbers {
            let b = n.as_bytes();
            assert_eq!(b.len(), 11);
            assert!(
                b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && b[1] >= b'3',
                "{n}"
            );
        }
        let distinct: std::collections::HashSet<_> = numbers.iter().collect();
        assert!(distinct.len() > 990);
    }
}
