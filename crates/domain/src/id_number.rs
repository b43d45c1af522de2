//! GB 11643 citizen identity numbers: a newtype that can only hold a valid number.
//!
//! Layout of the 18 characters: 6-digit county code, 8-digit birth date `YYYYMMDD`, 3-digit
//! sequence (its last digit odd for men), and an ISO 7064 MOD 11-2 check character.

use std::fmt;
use std::str::FromStr;

use crate::date::Date;

/// Weights of the first 17 digits in the MOD 11-2 checksum (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of the weighted sum mod 11.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";
/// The earliest birth date accepted; nobody alive was born earlier.
const EARLIEST_BIRTH: Date = Date {
    year: 1900,
    month: 1,
    day: 1,
};

/// Why a string is not a valid identity number. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("身份证号不能为空")]
    Empty,
    #[error("身份证号应为18位（或15位旧号），实际为{0}位")]
    Length(usize),
    #[error("身份证号第{position}位“{found}”无效：前17位只能是数字，末位只能是数字或X")]
    BadChar { position: usize, found: char },
    #[error("身份证号中的出生日期无效")]
    BadDate,
    #[error("身份证号校验位错误，应为 {expected}")]
    BadCheckDigit { expected: char },
}

/// Sex as encoded in the 17th digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// The Chinese label shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// Stable machine name (`male` / `female`) for storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// Inverse of [`Sex::as_str`].
    pub fn parse(s: &str) -> Option<Sex> {
        match s {
            "male" => Some(Sex::Male),
            "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// The check character (`b'0'..=b'9'` or `b'X'`) for the first 17 ASCII digits.
pub fn check_digit(first17: &[u8]) -> Result<u8, IdNumberError> {
    if first17.len() != 17 {
        return Err(IdNumberError::Length(first17.len()));
    }
    let mut sum = 0u32;
    for (i, (&c, w)) in first17.iter().zip(WEIGHTS).enumerate() {
        if !c.is_ascii_digit() {
            return Err(IdNumberError::BadChar {
                position: i + 1,
                found: char::from(c),
            });
        }
        sum += u32::from(c - b'0') * w;
    }
    Ok(CHECK_CHARS[(sum % 11) as usize])
}

/// A valid 18-character identity number (an `X` check character is always upper case).
///
/// `Debug` prints the masked form so a number never leaks into logs by accident; use
/// `Display` or [`IdNumber::as_str`] where the full number is really needed.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdNumber(String);

impl IdNumber {
    /// Validates and normalises a number: surrounding whitespace is trimmed, a lower-case
    /// `x` accepted, and a 15-digit pre-1999 number upgraded to 18 digits.
    pub fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let mut chars: Vec<char> = s.chars().collect();
        match chars.len() {
            18 => {}
            15 => return Self::parse_legacy(&chars),
            n => return Err(IdNumberError::Length(n)),
        }
        if chars[17] == 'x' {
            chars[17] = 'X';
        }
        let bytes = ascii_digits(&chars[..17])?;
        let last = chars[17];
        if !(last.is_ascii_digit() || last == 'X') {
            return Err(IdNumberError::BadChar {
                position: 18,
                found: last,
            });
        }
        birth_date_of(&bytes)?;
        let expected = check_digit(&bytes)?;
        if last != char::from(expected) {
            return Err(IdNumberError::BadCheckDigit {
                expected: char::from(expected),
            });
        }
        Ok(IdNumber(chars.into_iter().collect()))
    }

    /// A 15-digit number has a 2-digit year of the 1900s and no check character.
    fn parse_legacy(chars: &[char]) -> Result<IdNumber, IdNumberError> {
        let digits = ascii_digits(chars)?;
        let mut first17 = Vec::with_capacity(18);
        first17.extend_from_slice(&digits[..6]);
        first17.extend_from_slice(b"19");
        first17.extend_from_slice(&digits[6..]);
        birth_date_of(&first17)?;
        let check = check_digit(&first17)?;
        first17.push(check);
        // Every byte is an ASCII digit or 'X', so this conversion cannot fail.
        Ok(IdNumber(first17.into_iter().map(char::from).collect()))
    }

    /// The full 18-character number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Date of birth (characters 7–14).
    pub fn birth_date(&self) -> Date {
        birth_date_of(self.0.as_bytes()).expect("validated at parse")
    }

    /// Sex from the 17th digit: odd is male.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit county code of first registration.
    pub fn county_code(&self) -> &str {
        &self.0[..6]
    }

    /// Age in completed years on `today` (0 if `today` is before the birth date).
    /// Someone born on 29 February completes a year on 1 March in common years.
    pub fn age_on(&self, today: Date) -> u32 {
        let birth = self.birth_date();
        let mut years = today.year - birth.year;
        if (today.month, today.day) < (birth.month, birth.day) {
            years -= 1;
        }
        u32::try_from(years).unwrap_or(0)
    }

    /// `110105********002X`: county code and last four characters only.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

/// Checks that every char is an ASCII digit, reporting the first that is not (1-based).
fn ascii_digits(chars: &[char]) -> Result<Vec<u8>, IdNumberError> {
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c.is_ascii_digit() {
                Ok(c as u8)
            } else {
                Err(IdNumberError::BadChar {
                    position: i + 1,
                    found: c,
                })
            }
        })
        .collect()
}

/// Reads the `YYYYMMDD` at bytes 6..14 (already known to be digits).
fn birth_date_of(bytes: &[u8]) -> Result<Date, IdNumberError> {
    let num = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'))
    };
    let date = Date::new(num(6..10) as i32, num(10..12) as u8, num(12..14) as u8)
        .ok_or(IdNumberError::BadDate)?;
    if date < EARLIEST_BIRTH {
        return Err(IdNumberError::BadDate);
    }
    Ok(date)
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl FromStr for IdNumber {
    type Err = IdNumberError;

    fn from_str(s: &str) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn check_digit_matches_hand_computed_sums() {
        // 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167;
        // 167 mod 11 = 2 → 'X'.
        assert_eq!(check_digit(b"11010519491231002"), Ok(b'X'));
        // Weighted sum 195; 195 mod 11 = 8 → '4'.
        assert_eq!(check_digit(b"44052418800101001"), Ok(b'4'));
        // Weighted sum 222; 222 mod 11 = 2 → 'X'.
        assert_eq!(check_digit(b"11010119900307803"), Ok(b'X'));
        // All zeros: sum 0 → '1'.
        assert_eq!(check_digit(b"00000000000000000"), Ok(b'1'));
        assert_eq!(
            check_digit(b"1101051949123100"),
            Err(IdNumberError::Length(16))
        );
        assert_eq!(
            check_digit(b"1101051949123100A"),
            Err(IdNumberError::BadChar {
                position: 17,
                found: 'A'
            })
        );
    }

    #[test]
    fn valid_numbers_parse() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sex().label(), "女");
        assert_eq!(id.county_code(), "110105");

        let id = IdNumber::parse("  11010119900307803x\n").unwrap();
        assert_eq!(id.as_str(), "11010119900307803X");
        assert_eq!(id.birth_date(), date(1990, 3, 7));
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.to_string(), "11010119900307803X");
        assert_eq!("11010119900307803X".parse::<IdNumber>(), Ok(id));
    }

    #[test]
    fn checksum_valid_but_born_before_1900_is_rejected() {
        // The standard's own example has a correct check digit but an 1880 birth date.
        assert_eq!(
            IdNumber::parse("440524188001010014"),
            Err(IdNumberError::BadDate)
        );
    }

    #[test]
    fn invalid_numbers_are_rejected() {
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::BadCheckDigit { expected: 'X' })
        );
        // 1999-02-30 does not exist.
        let mut bad_date = b"11010519990230002".to_vec();
        bad_date.push(check_digit(&bad_date).unwrap());
        let bad_date = String::from_utf8(bad_date).unwrap();
        assert_eq!(IdNumber::parse(&bad_date), Err(IdNumberError::BadDate));
        assert_eq!(
            IdNumber::parse("1101051949123100AX"),
            Err(IdNumberError::BadChar {
                position: 17,
                found: 'A'
            })
        );
        assert_eq!(
            IdNumber::parse("11010519491231002Y"),
            Err(IdNumberError::BadChar {
                position: 18,
                found: 'Y'
            })
        );
        assert_eq!(
            IdNumber::parse("１1010519491231002X"),
            Err(IdNumberError::BadChar {
                position: 1,
                found: '１'
            })
        );
        assert_eq!(
            IdNumber::parse("1101051949"),
            Err(IdNumberError::Length(10))
        );
        assert_eq!(IdNumber::parse("   "), Err(IdNumberError::Empty));
    }

    #[test]
    fn error_messages_are_chinese_and_name_the_problem() {
        assert_eq!(
            IdNumber::parse("123").unwrap_err().to_string(),
            "身份证号应为18位（或15位旧号），实际为3位"
        );
        assert_eq!(
            IdNumber::parse("110105194912310021")
                .unwrap_err()
                .to_string(),
            "身份证号校验位错误，应为 X"
        );
        assert_eq!(
            IdNumberError::BadDate.to_string(),
            "身份证号中的出生日期无效"
        );
    }

    #[test]
    fn legacy_fifteen_digit_numbers_are_upgraded() {
        let id = IdNumber::parse("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            IdNumber::parse("110105490230002"),
            Err(IdNumberError::BadDate)
        );
        assert!(matches!(
            IdNumber::parse("11010549123100A"),
            Err(IdNumberError::BadChar { position: 15, .. })
        ));
    }

    #[test]
    fn age_and_masking() {
        let id = IdNumber::parse("11010119900307803X").unwrap();
        assert_eq!(id.age_on(date(2026, 3, 6)), 35);
        assert_eq!(id.age_on(date(2026, 3, 7)), 36);
        assert_eq!(id.age_on(date(1990, 3, 7)), 0);
        assert_eq!(id.age_on(date(1980, 1, 1)), 0);
        assert_eq!(id.masked(), "110101********803X");
        assert_eq!(format!("{id:?}"), "IdNumber(110101********803X)");
        assert!(!format!("{id:?}").contains("19900307"));
        let other = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(other.masked(), "110105********002X");
    }

    #[test]
    fn sex_round_trips() {
        for sex in [Sex::Male, Sex::Female] {
            assert_eq!(Sex::parse(sex.as_str()), Some(sex));
        }
        assert_eq!(Sex::Male.label(), "男");
    }

    /// xorshift64: deterministic pseudo-random inputs for the property tests.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn property_appended_check_digit_parses_and_any_single_change_fails() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let first = date(1900, 1, 1).days_since_epoch();
        let last = date(2099, 12, 31).days_since_epoch();
        for _ in 0..500 {
            let area = next(&mut state) % 1_000_000;
            let birth = Date::from_days_since_epoch(
                first + (next(&mut state) % (last - first + 1) as u64) as i64,
            );
            let seq = next(&mut state) % 1000;
            let prefix = format!(
                "{area:06}{:04}{:02}{:02}{seq:03}",
                birth.year, birth.month, birth.day
            );
            let check = check_digit(prefix.as_bytes()).unwrap();
            let full = format!("{prefix}{}", char::from(check));
            let id = IdNumber::parse(&full).unwrap();
            assert_eq!(id.birth_date(), birth);
            assert_eq!(id.sex() == Sex::Male, seq % 2 == 1);

            // MOD 11-2 catches every single-character substitution.
            let alphabet = b"0123456789X";
            for pos in 0..18 {
                for &replacement in if pos == 17 {
                    &alphabet[..]
                } else {
                    &alphabet[..10]
                } {
                    let mut changed = full.clone().into_bytes();
                    if changed[pos] == replacement {
                        continue;
                    }
                    changed[pos] = replacement;
                    let changed = String::from_utf8(changed).unwrap();
                    assert!(
                        IdNumber::parse(&changed).is_err(),
                        "{changed} should be invalid"
                    );
                }
            }
        }
    }
}
