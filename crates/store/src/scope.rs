//! The caller's scope: a region code prefix and, for department roles, a department. Every
//! repository function takes one and confines its query to it.
use wangge_domain::region::prefix_range;
use wangge_domain::role::Role;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub account_id: i64,
    pub username: String,
    /// The name shown in trails (张三), so steps need not look the account up.
    pub display_name: String,
    pub role: Role,
    /// Region code prefix; "" means everything.
    pub region: String,
    pub department_id: Option<i64>,
}

impl Scope {
    /// A scope for command-line tools run by the system operator on the server itself.
    pub fn system() -> Scope {
        Scope {
            account_id: 0,
            username: "system".into(),
            display_name: "系统".into(),
            role: Role::Admin,
            region: String::new(),
            department_id: None,
        }
    }

    pub fn covers(&self, code: &str) -> bool {
        code.starts_with(&self.region)
    }

    /// The requested region, or the scope's own when none is asked for; a region outside
    /// the scope answers NotFound, like a guessed id.
    pub fn narrow(&self, requested: Option<&str>) -> Result<String, StoreError> {
        match requested.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(self.region.clone()),
            Some(r) if r.bytes().all(|b| b.is_ascii_digit()) && self.covers(r) => Ok(r.to_string()),
            Some(r) if !r.bytes().all(|b| b.is_ascii_digit()) => Err(StoreError::invalid(
                "region",
                format!("区划代码“{r}”只能包含数字"),
            )),
            Some(_) => Err(StoreError::NotFound),
        }
    }

    /// Half-open range of codes under `prefix`, for an indexed range query.
    pub fn range_of(prefix: &str) -> (String, String) {
        prefix_range(prefix)
    }

    /// The county shard the scope lies in, when it lies in one.
    pub fn county(&self) -> Option<i32> {
        county_of(&self.region)
    }
}

/// The 6-digit county of a code of county level or below.
pub fn county_of(code: &str) -> Option<i32> {
    code.get(..6).and_then(|c| c.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(region: &str) -> Scope {
        Scope {
            account_id: 1,
            username: "u".into(),
            display_name: "u".into(),
            role: Role::Operator,
            region: region.into(),
            department_id: None,
        }
    }

    #[test]
    fn narrows_within_scope_only() {
        let s = scope("430204001");
        assert_eq!(s.narrow(None).unwrap(), "430204001");
        assert_eq!(s.narrow(Some("430204001002")).unwrap(), "430204001002");
        assert!(matches!(
            s.narrow(Some("430204002")),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(s.narrow(Some("4302")), Err(StoreError::NotFound)));
        assert!(matches!(
            s.narrow(Some("43x")),
            Err(StoreError::Invalid { .. })
        ));
        assert_eq!(s.county(), Some(430204));
        assert_eq!(scope("4302").county(), None);
    }
}
