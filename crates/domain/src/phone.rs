//! Mainland China mobile numbers: a newtype holding 11 digits that start with 13–19.

use std::fmt;
use std::str::FromStr;

/// Why a string is not a mainland mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("手机号不能为空")]
    Empty,
    #[error("手机号应为11位且以13–19开头")]
    Invalid,
}

/// A normalised mobile number (11 digits, no country code or separators).
///
/// `Debug` masks the middle four digits so numbers stay out of logs.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts the ways people type a number: spaces and dashes anywhere, and a leading
    /// `+86` or `86` country code.
    pub fn parse(s: &str) -> Result<Phone, PhoneError> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.is_empty() {
            return Err(PhoneError::Empty);
        }
        // A mobile number starts with 1, so a leading 86 can only be a country code.
        let national = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("86"))
            .unwrap_or(&compact);
        let b = national.as_bytes();
        let valid = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !valid {
            return Err(PhoneError::Invalid);
        }
        Ok(Phone(national.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****1234`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl FromStr for Phone {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Phone, PhoneError> {
        Phone::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for input in [
            "13812341234",
            " 138 1234 1234 ",
            "138-1234-1234",
            "+86 138 1234 1234",
            "+8613812341234",
            "8613812341234",
            "86-138-1234-1234",
        ] {
            assert_eq!(
                Phone::parse(input).unwrap().as_str(),
                "13812341234",
                "{input}"
            );
        }
        assert!(Phone::parse("19912345678").is_ok());
    }

    #[test]
    fn rejects_non_mobile_numbers() {
        for input in [
            "12812341234",
            "10086",
            "1381234123",
            "138123412345",
            "1381234123a",
            "02112345678",
            "+85213812341234",
            "１3812341234",
        ] {
            assert_eq!(Phone::parse(input), Err(PhoneError::Invalid), "{input}");
        }
        assert_eq!(Phone::parse(" - "), Err(PhoneError::Empty));
        assert_eq!(
            PhoneError::Invalid.to_string(),
            "手机号应为11位且以13–19开头"
        );
    }

    #[test]
    fn masks_in_debug() {
        let phone = Phone::parse("13812341234").unwrap();
        assert_eq!(phone.masked(), "138****1234");
        assert_eq!(format!("{phone:?}"), "Phone(138****1234)");
        assert_eq!(phone.to_string(), "13812341234");
    }
}
