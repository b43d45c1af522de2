//! Staff roles and the default rights each carries.

use crate::region::Level;

/// A staff role. Citizens have no account and no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    GridWorker,
    GridLeader,
    Operator,
    DeptHandler,
    DeptHead,
    Leader,
    Admin,
    Auditor,
}

impl Role {
    const ALL: [Role; 8] = [
        Role::GridWorker,
        Role::GridLeader,
        Role::Operator,
        Role::DeptHandler,
        Role::DeptHead,
        Role::Leader,
        Role::Admin,
        Role::Auditor,
    ];

    /// Every role, in a fixed order for menus and tests.
    pub fn all() -> &'static [Role] {
        &Self::ALL
    }

    /// Stable machine name for storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GridWorker => "grid_worker",
            Role::GridLeader => "grid_leader",
            Role::Operator => "operator",
            Role::DeptHandler => "dept_handler",
            Role::DeptHead => "dept_head",
            Role::Leader => "leader",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Inverse of [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese name shown on screen.
    pub fn label(self) -> &'static str {
        match self {
            Role::GridWorker => "网格员",
            Role::GridLeader => "网格长",
            Role::Operator => "指挥中心",
            Role::DeptHandler => "部门经办人",
            Role::DeptHead => "部门负责人",
            Role::Leader => "领导",
            Role::Admin => "管理员",
            Role::Auditor => "审计员",
        }
    }

    /// Whether the role belongs to a department (scoped by department, not only region).
    pub fn is_department(self) -> bool {
        matches!(self, Role::DeptHandler | Role::DeptHead)
    }

    /// Administrators must use a second factor.
    pub fn requires_totp(self) -> bool {
        self == Role::Admin
    }

    /// Leaders and auditors only read.
    pub fn can_write(self) -> bool {
        !matches!(self, Role::Leader | Role::Auditor)
    }

    /// Whether the role sees full ID numbers and phones by default: those who work with
    /// residents directly. Every unmasked view is audited regardless.
    pub fn can_unmask(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Operator | Role::GridWorker | Role::GridLeader
        )
    }

    /// Auditors and administrators read the audit log.
    pub fn can_read_audit(self) -> bool {
        matches!(self, Role::Auditor | Role::Admin)
    }

    /// Auditors review the log, not residents' data (separation of duties).
    pub fn can_read_base_data(self) -> bool {
        self != Role::Auditor
    }

    /// Drawing and renaming grids is for the command center and system staff.
    pub fn can_manage_grids(self) -> bool {
        matches!(self, Role::Admin | Role::Operator)
    }
}

/// The command-center level an operator works at, from the length of their region scope:
/// community, street, county or city. `None` for any other scope.
pub fn operator_level(scope: &str) -> Option<Level> {
    if !scope.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Level::from_code_len(scope.len()).filter(|l| {
        matches!(
            l,
            Level::City | Level::County | Level::Street | Level::Community
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(Role::all().len(), 8);
        for &role in Role::all() {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
        assert_eq!(Role::GridWorker.as_str(), "grid_worker");
        assert_eq!(Role::DeptHandler.label(), "部门经办人");
        assert_eq!(Role::Operator.label(), "指挥中心");
    }

    #[test]
    fn rights() {
        let names = |pred: fn(Role) -> bool| -> Vec<&str> {
            Role::all()
                .iter()
                .filter(|r| pred(**r))
                .map(|r| r.as_str())
                .collect()
        };
        assert_eq!(names(Role::is_department), ["dept_handler", "dept_head"]);
        assert_eq!(names(Role::requires_totp), ["admin"]);
        assert_eq!(
            names(Role::can_write),
            [
                "grid_worker",
                "grid_leader",
                "operator",
                "dept_handler",
                "dept_head",
                "admin"
            ]
        );
        assert_eq!(
            names(Role::can_unmask),
            ["grid_worker", "grid_leader", "operator", "admin"]
        );
        assert_eq!(names(Role::can_read_audit), ["admin", "auditor"]);
        assert!(!Role::Auditor.can_read_base_data());
        assert_eq!(names(Role::can_read_base_data).len(), 7);
    }

    #[test]
    fn operator_levels() {
        assert_eq!(operator_level("4302"), Some(Level::City));
        assert_eq!(operator_level("430211"), Some(Level::County));
        assert_eq!(operator_level("430211001"), Some(Level::Street));
        assert_eq!(operator_level("430211001001"), Some(Level::Community));
        assert_eq!(operator_level("43"), None);
        assert_eq!(operator_level("430211001001001"), None);
        assert_eq!(operator_level("43021"), None);
        assert_eq!(operator_level("4302ab"), None);
        assert_eq!(operator_level(""), None);
    }
}
