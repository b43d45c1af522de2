//! Region, grid and building codes: each extends its parent's code, so a subtree is a prefix.
//!
//! Only the significant prefix is stored: province 2 digits, city 4, county 6 (GB/T 2260),
//! street 9, community 12 (statistical division code), grid 15 (community + 3) and
//! building 19 (grid + 4).

use std::fmt;
use std::str::FromStr;

/// A level of the region tree, from the top down (the derived order follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Province,
    City,
    County,
    Street,
    Community,
    Grid,
    Building,
}

impl Level {
    /// All levels, top down.
    pub const ALL: [Level; 7] = [
        Level::Province,
        Level::City,
        Level::County,
        Level::Street,
        Level::Community,
        Level::Grid,
        Level::Building,
    ];

    /// The level whose codes have `len` digits.
    pub fn from_code_len(len: usize) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code_len() == len)
    }

    /// Number of digits in a code of this level.
    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::City => 4,
            Level::County => 6,
            Level::Street => 9,
            Level::Community => 12,
            Level::Grid => 15,
            Level::Building => 19,
        }
    }

    /// The Chinese name shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            Level::Province => "省",
            Level::City => "市",
            Level::County => "区县",
            Level::Street => "街道",
            Level::Community => "社区",
            Level::Grid => "网格",
            Level::Building => "楼栋",
        }
    }

    /// The level below, if any.
    pub fn child(self) -> Option<Level> {
        let i = Level::ALL.iter().position(|&l| l == self)?;
        Level::ALL.get(i + 1).copied()
    }

    /// The level above, if any.
    pub fn parent(self) -> Option<Level> {
        let i = Level::ALL.iter().position(|&l| l == self)?;
        i.checked_sub(1).map(|p| Level::ALL[p])
    }

    /// Stable machine name for storage, URLs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::City => "city",
            Level::County => "county",
            Level::Street => "street",
            Level::Community => "community",
            Level::Grid => "grid",
            Level::Building => "building",
        }
    }

    /// Inverse of [`Level::as_str`].
    pub fn parse_str(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Why a string is not a region code, or a child code cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("区划代码不能为空")]
    Empty,
    #[error("区划代码只能包含数字，第{position}位“{found}”不是数字")]
    NotDigit { position: usize, found: char },
    #[error("区划代码长度应为2、4、6、9、12、15或19位，实际为{0}位")]
    BadLength(usize),
    #[error("楼栋以下没有下级区划代码")]
    NoChildLevel,
    #[error("下级序号应为1至{max}，实际为{seq}")]
    BadChildSeq { seq: u32, max: u32 },
}

/// A valid region, grid or building code (digits only, a length of one of the levels).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    /// Validates a code; surrounding whitespace is not accepted, so stored codes stay exact.
    pub fn parse(s: &str) -> Result<RegionCode, RegionCodeError> {
        if s.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigit {
                position: i + 1,
                found: c,
            });
        }
        if Level::from_code_len(s.len()).is_none() {
            return Err(RegionCodeError::BadLength(s.len()));
        }
        Ok(RegionCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> Level {
        Level::from_code_len(self.0.len()).expect("validated at parse")
    }

    /// The enclosing code one level up; `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let parent = self.level().parent()?;
        Some(RegionCode(self.0[..parent.code_len()].to_owned()))
    }

    /// The 6-digit county (the shard key) as an integer; `None` above county level.
    pub fn county(&self) -> Option<u32> {
        self.0.get(..6)?.parse().ok()
    }

    /// Whether this code lies in the subtree `prefix` (itself included).
    pub fn is_within(&self, prefix: &str) -> bool {
        self.0.starts_with(prefix)
    }

    /// The code of child number `seq` (1-based), zero-padded to the child level's width.
    pub fn child(&self, seq: u32) -> Result<RegionCode, RegionCodeError> {
        let child = self.level().child().ok_or(RegionCodeError::NoChildLevel)?;
        let width = child.code_len() - self.0.len();
        // A width is at most 4 digits, so the power cannot overflow.
        let max = 10u32.pow(width as u32) - 1;
        if seq == 0 || seq > max {
            return Err(RegionCodeError::BadChildSeq { seq, max });
        }
        Ok(RegionCode(format!("{}{seq:0width$}", self.0)))
    }

    /// The 12-digit statistical division code: zero-padded for levels down to community;
    /// for a grid or building, the code of the community that contains it.
    pub fn twelve_digit(&self) -> String {
        let mut code: String = self.0.chars().take(12).collect();
        while code.len() < 12 {
            code.push('0');
        }
        code
    }

    /// The half-open string range selecting this code's subtree; see [`prefix_range`].
    pub fn subtree_range(&self) -> (String, String) {
        prefix_range(&self.0)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;

    fn from_str(s: &str) -> Result<RegionCode, RegionCodeError> {
        RegionCode::parse(s)
    }
}

/// Upper bound used when no digit string can bound the range (empty or all-9 prefix).
///
/// A letter, not `~` or `:`, because under ICU and glibc collations (PostgreSQL's usual
/// defaults) punctuation sorts *before* digits, whereas letters sort after them everywhere.
const UNBOUNDED: &str = "A";

/// The half-open range `[lo, hi)` such that, on a column holding only digit strings,
/// `code >= lo AND code < hi` selects exactly the codes starting with `prefix` — a range an
/// index can serve, unlike walking the tree.
///
/// `hi` is the smallest digit string above every extension of `prefix`: drop trailing 9s and
/// add one to the last remaining digit (`4301` → `4302`, `4309` → `431`). Anything in
/// between starts with `prefix`, and digits compare in the same order under every
/// collation, so the range is also exact on a PostgreSQL column that is not `COLLATE "C"`.
/// (Appending `:`, the ASCII character after `9`, works only with byte order.) An empty or
/// all-9 prefix has no digit successor, so `hi` is a letter, which sorts after all digits.
pub fn prefix_range(prefix: &str) -> (String, String) {
    let stem = prefix.trim_end_matches('9');
    let hi = match stem.chars().next_back() {
        None => UNBOUNDED.to_owned(),
        Some(last) => {
            // For a non-digit last character, the next code point is the byte-order successor.
            let next = char::from_u32(u32::from(last) + 1).unwrap_or(char::MAX);
            let mut hi = stem[..stem.len() - last.len_utf8()].to_owned();
            hi.push(next);
            hi
        }
    };
    (prefix.to_owned(), hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels() {
        for (i, level) in Level::ALL.into_iter().enumerate() {
            assert_eq!(Level::from_code_len(level.code_len()), Some(level));
            assert_eq!(Level::parse_str(level.as_str()), Some(level));
            assert_eq!(level.parent(), i.checked_sub(1).map(|p| Level::ALL[p]));
            assert_eq!(level.child(), Level::ALL.get(i + 1).copied());
        }
        assert_eq!(Level::from_code_len(5), None);
        assert_eq!(Level::parse_str("村"), None);
        assert_eq!(Level::County.label(), "区县");
        assert_eq!(Level::Building.label(), "楼栋");
        assert!(Level::Province < Level::Building);
    }

    #[test]
    fn parse_rejects_bad_codes_with_chinese_messages() {
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::Empty));
        assert_eq!(
            RegionCode::parse("4302a1"),
            Err(RegionCodeError::NotDigit {
                position: 5,
                found: 'a'
            })
        );
        assert_eq!(
            RegionCode::parse("43021"),
            Err(RegionCodeError::BadLength(5))
        );
        assert_eq!(
            RegionCode::parse("43021").unwrap_err().to_string(),
            "区划代码长度应为2、4、6、9、12、15或19位，实际为5位"
        );
        assert!(RegionCode::parse(" 430211").is_err());
        assert!(RegionCode::parse("４３").is_err());
    }

    #[test]
    fn tree_navigation() {
        let building = code("4302110010010010001");
        assert_eq!(building.level(), Level::Building);
        let mut chain = vec![building.to_string()];
        let mut current = building.clone();
        while let Some(parent) = current.parent() {
            chain.push(parent.to_string());
            current = parent;
        }
        assert_eq!(
            chain,
            [
                "4302110010010010001",
                "430211001001001",
                "430211001001",
                "430211001",
                "430211",
                "4302",
                "43"
            ]
        );
        assert_eq!(building.county(), Some(430_211));
        assert_eq!(code("430211").county(), Some(430_211));
        assert_eq!(code("4302").county(), None);
        assert!(building.is_within("430211"));
        assert!(building.is_within(""));
        assert!(!building.is_within("430212"));
    }

    #[test]
    fn children() {
        assert_eq!(code("43").child(2).unwrap().as_str(), "4302");
        assert_eq!(code("4302").child(11).unwrap().as_str(), "430211");
        assert_eq!(code("430211").child(1).unwrap().as_str(), "430211001");
        assert_eq!(
            code("430211001001").child(12).unwrap().as_str(),
            "430211001001012"
        );
        assert_eq!(
            code("430211001001012").child(7).unwrap().as_str(),
            "4302110010010120007"
        );
        assert_eq!(
            code("430211001").child(0),
            Err(RegionCodeError::BadChildSeq { seq: 0, max: 999 })
        );
        assert_eq!(
            code("430211001").child(1000),
            Err(RegionCodeError::BadChildSeq {
                seq: 1000,
                max: 999
            })
        );
        assert!(code("430211001001012").child(9999).is_ok());
        assert_eq!(
            code("4302110010010120007").child(1),
            Err(RegionCodeError::NoChildLevel)
        );
    }

    #[test]
    fn twelve_digit_form() {
        assert_eq!(code("43").twelve_digit(), "430000000000");
        assert_eq!(code("430211").twelve_digit(), "430211000000");
        assert_eq!(code("430211001002").twelve_digit(), "430211001002");
        assert_eq!(code("4302110010020030004").twelve_digit(), "430211001002");
    }

    #[test]
    fn prefix_range_examples() {
        assert_eq!(prefix_range("4301"), ("4301".into(), "4302".into()));
        assert_eq!(prefix_range("4309"), ("4309".into(), "431".into()));
        assert_eq!(prefix_range("4399"), ("4399".into(), "44".into()));
        assert_eq!(prefix_range("99"), ("99".into(), "A".into()));
        assert_eq!(prefix_range(""), ("".into(), "A".into()));
        assert_eq!(
            code("430211").subtree_range(),
            ("430211".into(), "430212".into())
        );
    }

    /// xorshift64: deterministic pseudo-random inputs for the property test.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// Digits drawn mostly from {0, 1, 9} so that carries and shared prefixes are common.
    fn random_digits(len: usize, state: &mut u64) -> String {
        (0..len)
            .map(|_| match next(state) % 5 {
                0 => '0',
                1 => '1',
                2 | 3 => '9',
                _ => char::from(b'0' + (next(state) % 10) as u8),
            })
            .collect()
    }

    #[test]
    fn property_prefix_range_selects_exactly_the_subtree() {
        let mut state = 0x1234_5678_9abc_def1_u64;
        let codes: Vec<String> = (0..400)
            .map(|_| {
                let len = Level::ALL[(next(&mut state) % 7) as usize].code_len();
                random_digits(len, &mut state)
            })
            .collect();
        for round in 0..300 {
            let prefix = if round % 2 == 0 {
                let source = &codes[(next(&mut state) % codes.len() as u64) as usize];
                source[..(next(&mut state) % (source.len() as u64 + 1)) as usize].to_owned()
            } else {
                let len = (next(&mut state) % 8) as usize;
                random_digits(len, &mut state)
            };
            let (lo, hi) = prefix_range(&prefix);
            for c in &codes {
                let in_range = c.as_str() >= lo.as_str() && c.as_str() < hi.as_str();
                assert_eq!(
                    in_range,
                    c.starts_with(&prefix),
                    "code {c}, prefix {prefix}"
                );
            }
        }
    }
}
