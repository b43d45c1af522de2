//! 统一社会信用代码 (GB 32100-2015): a newtype that can only hold a valid code.
//!
//! Layout of the 18 characters: registration authority (1), organization type (2), the
//! 6-digit administrative division of the registering office (3–8), the 9-character
//! organization code (9–17) and a check character (18) over the 31-letter alphabet
//! `0-9 A-H J-N P-R T-U W-Y` (I, O, S, V and Z are never used, to avoid misreading).

use std::fmt;
use std::str::FromStr;

/// The code's alphabet; a character's value is its index here.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the first 17 characters: 3^i mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const LEN: usize = 18;

/// Why a string is not a valid credit code. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码不能为空")]
    Empty,
    #[error("统一社会信用代码应为18位，实际为{0}位")]
    Length(usize),
    #[error(
        "统一社会信用代码第{position}位“{found}”无效：只能是数字或除 I、O、S、V、Z 以外的大写字母"
    )]
    BadChar { position: usize, found: char },
    #[error("统一社会信用代码第3至8位应为行政区划码（6位数字），第{position}位“{found}”不是数字")]
    BadDivision { position: usize, found: char },
    #[error("统一社会信用代码校验位错误，应为 {expected}")]
    BadCheck { expected: char },
}

/// The value of an alphabet character, if it is one.
fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|i| i as u32)
}

/// The check character for the first 17 characters (already known to be in the alphabet).
fn check_char(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value(c).unwrap_or(0) * w)
        .sum();
    // 31 - (sum mod 31), where a result of 31 stands for 0.
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

/// A valid unified social credit code, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscc(String);

impl Uscc {
    /// Validates a code typed by a person: surrounding whitespace is trimmed and letters are
    /// upper-cased before checking.
    pub fn parse(s: &str) -> Result<Uscc, UsccError> {
        let code = s.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err(UsccError::Empty);
        }
        let count = code.chars().count();
        if count != LEN {
            return Err(UsccError::Length(count));
        }
        if let Some((i, c)) = code
            .chars()
            .enumerate()
            .find(|&(_, c)| !c.is_ascii() || value(c as u8).is_none())
        {
            return Err(UsccError::BadChar {
                position: i + 1,
                found: c,
            });
        }
        let bytes = code.as_bytes();
        if let Some(i) = (2..8).find(|&i| !bytes[i].is_ascii_digit()) {
            return Err(UsccError::BadDivision {
                position: i + 1,
                found: char::from(bytes[i]),
            });
        }
        let expected = check_char(&bytes[..17]);
        if bytes[17] != expected {
            return Err(UsccError::BadCheck {
                expected: char::from(expected),
            });
        }
        Ok(Uscc(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The registration authority character (1 机构编制, 5 民政, 9 市场监管…).
    pub fn authority(&self) -> char {
        char::from(self.0.as_bytes()[0])
    }

    /// The organization type character, whose meaning depends on the authority.
    pub fn org_type(&self) -> char {
        char::from(self.0.as_bytes()[1])
    }

    /// The 6-digit administrative division of the registering office, as an integer like
    /// the county shard key; an office above county level gives its city or province code
    /// (e.g. 350100).
    pub fn county_code(&self) -> u32 {
        self.0[2..8].parse().expect("digits checked at parse")
    }

    /// The 9-character organization code (characters 9–17).
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;

    fn from_str(s: &str) -> Result<Uscc, UsccError> {
        Uscc::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends the check character by the rule, independently of `parse`.
    fn with_check(first17: &str) -> String {
        let sum: u32 = first17
            .bytes()
            .enumerate()
            .map(|(i, c)| {
                let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
                v * 3u32.pow(i as u32) % 31
            })
            .sum();
        let check = (31 - sum % 31) % 31;
        format!("{first17}{}", char::from(ALPHABET[check as usize]))
    }

    #[test]
    fn weights_are_powers_of_three() {
        for (i, w) in WEIGHTS.into_iter().enumerate() {
            assert_eq!(w, 3u32.pow(i as u32) % 31);
        }
        assert_eq!(ALPHABET.len(), 31);
        for banned in *b"IOSVZ" {
            assert_eq!(value(banned), None);
        }
    }

    #[test]
    fn valid_codes() {
        // A code printed on a real business licence; its check character follows the rule.
        let code = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
        assert_eq!(code.authority(), '9');
        assert_eq!(code.org_type(), '1');
        assert_eq!(code.county_code(), 350_100);
        assert_eq!(code.org_code(), "M000100Y4");
        assert_eq!(with_check("91350100M000100Y4"), "91350100M000100Y43");

        // Own constructions across authorities, including a check of 0 (sum ≡ 0 mod 31).
        for first17 in [
            "91430211MA4L16JX0",
            "52430211MJJ000123",
            "12100000400000624",
            "Y1110101123456789",
        ] {
            let full = with_check(first17);
            let parsed: Uscc = full.parse().unwrap();
            assert_eq!(parsed.to_string(), full);
        }
        // Trimmed and upper-cased.
        let lower = format!(" {} ", with_check("91430211MA4L16JX0").to_lowercase());
        assert_eq!(
            Uscc::parse(&lower).unwrap().as_str(),
            with_check("91430211MA4L16JX0")
        );
        assert_eq!(
            Uscc::parse(&with_check("91430211MA4L16JX0"))
                .unwrap()
                .county_code(),
            430_211
        );
    }

    #[test]
    fn invalid_codes_name_the_fault() {
        assert_eq!(Uscc::parse("  "), Err(UsccError::Empty));
        assert_eq!(Uscc::parse("91350100M000100Y4"), Err(UsccError::Length(17)));
        assert_eq!(
            Uscc::parse("91350100M000100Y43").map(|c| c.to_string()),
            Ok("91350100M000100Y43".to_owned())
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y44"),
            Err(UsccError::BadCheck { expected: '3' })
        );
        assert_eq!(
            Uscc::parse("91350100M000100Y44").unwrap_err().to_string(),
            "统一社会信用代码校验位错误，应为 3"
        );
        assert_eq!(
            Uscc::parse("91350100O000100Y43"),
            Err(UsccError::BadChar {
                position: 9,
                found: 'O'
            })
        );
        assert_eq!(
            Uscc::parse("9135A100M000100Y43"),
            Err(UsccError::BadDivision {
                position: 5,
                found: 'A'
            })
        );
        assert!(matches!(
            Uscc::parse("91350100M000100Y4三"),
            Err(UsccError::BadChar { position: 18, .. })
        ));
        assert!(
            Uscc::parse("9135A100M000100Y43")
                .unwrap_err()
                .to_string()
                .contains("行政区划码")
        );
    }

    /// xorshift64: deterministic pseudo-random inputs for the property test.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn property_any_single_change_breaks_the_code() {
        let mut state = 0xdead_beef_cafe_f00d_u64;
        for _ in 0..300 {
            let mut first17 = String::new();
            for i in 0..17 {
                let pool: &[u8] = if (2..8).contains(&i) {
                    b"0123456789"
                } else {
                    ALPHABET
                };
                first17.push(char::from(
                    pool[(next(&mut state) % pool.len() as u64) as usize],
                ));
            }
            let code = with_check(&first17);
            assert!(Uscc::parse(&code).is_ok(), "{code}");
            // Every position, every other alphabet character: the weights are non-zero
            // modulo the prime 31, so any single substitution changes the checksum.
            for pos in 0..LEN {
                for &c in ALPHABET {
                    if code.as_bytes()[pos] == c {
                        continue;
                    }
                    let mut changed = code.clone().into_bytes();
                    changed[pos] = c;
                    let changed = String::from_utf8(changed).unwrap();
                    assert!(Uscc::parse(&changed).is_err(), "{code} → {changed}");
                }
            }
        }
    }
}
