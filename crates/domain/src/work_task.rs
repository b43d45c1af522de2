//! Work-task assessment (五问工作法, 季预安、网上销号): leaders assign tasks of a quarter to
//! units (departments, streets, communities); each unit plans its part (预安), applies for
//! check-off with evidence (销号申请) and is checked off with a score or sent back. Here are
//! the quarter, the steps an assignment may take, and the scoring rule.
//!
//! # Scoring rule
//!
//! Each assignment carries the task's points (分值, 1–100). When the assigner checks it off,
//! they give a score from 0 to the points (one decimal at most). What the assignment earns
//! for its quarter:
//!
//! - checked off by the end of its due date (Shanghai time): the score;
//! - checked off later, but within the quarter: the score × [`LATE_FACTOR`] (0.8, a fifth
//!   deducted for lateness);
//! - not checked off by the end of the quarter (or checked off only after it): 0.
//!
//! A unit's quarter score = Σ earned / Σ points of all its assignments of the quarter × 100,
//! rounded to two decimals; `None` when it has no assignment. During the quarter it is the
//! score so far: assignments not yet checked off count 0 and raise it once checked off.
//! Sending back (退回) costs nothing by itself: the assigner's score judges the result.

use std::fmt;

use crate::date::{Date, local_midnight_ms};
use crate::role::Role;

/// What a late check-off keeps of its score.
pub const LATE_FACTOR: f64 = 0.8;
/// Most points one task may carry.
pub const MAX_POINTS: u32 = 100;

/// A quarter of a year, written `2026Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub q: u8,
}

impl Quarter {
    /// Parses `2026Q4` (also `2026q4`); `None` for anything else.
    pub fn parse(s: &str) -> Option<Quarter> {
        let s = s.trim();
        let (year, q) = s.split_once(['Q', 'q'])?;
        if year.len() != 4 || q.len() != 1 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let q: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
        Some(Quarter {
            year: year.parse().ok()?,
            q,
        })
    }

    /// The quarter a date falls in.
    pub fn of(date: Date) -> Quarter {
        Quarter {
            year: date.year,
            q: (date.month - 1) / 3 + 1,
        }
    }

    pub fn first_day(self) -> Date {
        Date {
            year: self.year,
            month: (self.q - 1) * 3 + 1,
            day: 1,
        }
    }

    pub fn last_day(self) -> Date {
        self.next().first_day().add_days(-1)
    }

    pub fn contains(self, date: Date) -> bool {
        Quarter::of(date) == self
    }

    /// The instant the quarter ends: 00:00 Shanghai time on the next quarter's first day.
    pub fn end_ms(self) -> i64 {
        local_midnight_ms(self.next().first_day())
    }

    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// `2026年第四季度`.
    pub fn label(self) -> String {
        let n = ["一", "二", "三", "四"][usize::from(self.q - 1)];
        format!("{}年第{n}季度", self.year)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

/// Who a task is assigned to: a department (by its code) or a street or community (by its
/// region code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    Department,
    Region,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Department => "department",
            UnitKind::Region => "region",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        match s.trim() {
            "department" => Some(UnitKind::Department),
            "region" => Some(UnitKind::Region),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Department => "部门",
            UnitKind::Region => "街道社区",
        }
    }
}

/// Where an assignment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 已交办, 待预安: waiting for the unit's plan.
    Assigned,
    /// 已预安: planned (again after a send-back).
    Planned,
    /// 待销号: the unit applied for check-off with its evidence.
    Submitted,
    /// 已销号: checked off with a score.
    CheckedOff,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Assigned,
        Status::Planned,
        Status::Submitted,
        Status::CheckedOff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Assigned => "assigned",
            Status::Planned => "planned",
            Status::Submitted => "submitted",
            Status::CheckedOff => "checked_off",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Assigned => "待预安",
            Status::Planned => "已预安",
            Status::Submitted => "待销号",
            Status::CheckedOff => "已销号",
        }
    }
}

/// A step of an assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// 预安: the unit writes (or revises) its plan.
    Plan,
    /// 申请销号: the unit hands in its evidence.
    Submit,
    /// 销号: the assigner accepts it with a score.
    CheckOff,
    /// 退回: the assigner sends it back to the unit with a reason.
    SendBack,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Plan, Step::Submit, Step::CheckOff, Step::SendBack];

    /// The machine name, also the last segment of the step's URL.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Plan => "plan",
            Step::Submit => "submit",
            Step::CheckOff => "check-off",
            Step::SendBack => "send-back",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Plan => "预安",
            Step::Submit => "申请销号",
            Step::CheckOff => "销号",
            Step::SendBack => "退回",
        }
    }

    /// Whether the assigner takes this step (otherwise the unit does).
    pub fn by_assigner(self) -> bool {
        matches!(self, Step::CheckOff | Step::SendBack)
    }

    /// The status after this step from `from`; `None` when the step does not apply there.
    pub fn next(self, from: Status) -> Option<Status> {
        match (self, from) {
            (Step::Plan, Status::Assigned | Status::Planned) => Some(Status::Planned),
            (Step::Submit, Status::Planned) => Some(Status::Submitted),
            (Step::CheckOff, Status::Submitted) => Some(Status::CheckedOff),
            (Step::SendBack, Status::Submitted) => Some(Status::Planned),
            _ => None,
        }
    }
}

/// The steps open at `status` to a caller who acts for the unit and/or for the assigner.
pub fn available(status: Status, for_unit: bool, for_assigner: bool) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| {
            if s.by_assigner() {
                for_assigner
            } else {
                for_unit
            }
        })
        .filter(|s| s.next(status).is_some())
        .collect()
}

/// Roles that assign tasks and check them off, within their region.
pub fn may_assign(role: Role) -> bool {
    matches!(role, Role::Leader | Role::Admin | Role::Operator)
}

/// Roles that act for a street or community their scope is exactly.
pub fn may_act_for_region(role: Role) -> bool {
    matches!(role, Role::Operator | Role::GridLeader)
}

/// The instant a due date ends: 00:00 Shanghai time on the next day.
pub fn due_end_ms(due: Date) -> i64 {
    local_midnight_ms(due.add_days(1))
}

/// A score as typed (`8.5`) in tenths of a point, checked against the task's points.
pub fn parse_score(value: f64, points: u32) -> Result<u32, String> {
    let tenths = value * 10.0;
    if !value.is_finite() || (tenths - tenths.round()).abs() > 1e-6 {
        return Err("得分最多保留一位小数".into());
    }
    if value < 0.0 || tenths.round() > f64::from(points * 10) {
        return Err(format!("得分应在0到{points}分之间（本任务分值{points}分）"));
    }
    Ok(tenths.round() as u32)
}

/// Tenths of a point as a number (`85` → 8.5).
pub fn tenths_value(tenths: u32) -> f64 {
    f64::from(tenths) / 10.0
}

/// Most milestones one plan may list.
pub const MAX_MILESTONES: usize = 20;

/// A milestone of a unit's roadmap (路线图): by when, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub date: Date,
    pub text: String,
}

impl Milestone {
    /// A milestone as typed, or a Chinese sentence saying what is wrong with it.
    pub fn parse(date: &str, text: &str) -> Result<Milestone, String> {
        let (date, text) = (date.trim(), text.trim());
        let date = Date::parse(date)
            .ok_or_else(|| format!("节点日期“{date}”应为 YYYY-MM-DD 格式的有效日期"))?;
        if text.is_empty() {
            return Err(format!("节点 {date} 缺少内容"));
        }
        if text.chars().count() > 200 || text.contains(['\n', '\t']) {
            return Err(format!("节点 {date} 的内容应为一行、不超过200个字"));
        }
        Ok(Milestone {
            date,
            text: text.to_string(),
        })
    }

    /// Milestones as stored: one a line, the date and the text separated by a tab.
    pub fn join(list: &[Milestone]) -> String {
        let lines: Vec<String> = list
            .iter()
            .map(|m| format!("{}\t{}", m.date, m.text))
            .collect();
        lines.join("\n")
    }

    /// Inverse of [`Milestone::join`]; lines that do not read are left out.
    pub fn split(stored: &str) -> Vec<Milestone> {
        stored
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter_map(|(d, t)| Milestone::parse(d, t).ok())
            .collect()
    }
}

/// What scoring needs of one assignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub points: u32,
    pub due: Date,
    pub quarter: Quarter,
    /// The score given at check-off, in tenths of a point.
    pub score_tenths: Option<u32>,
    pub checked_off_at: Option<i64>,
}

impl Scored {
    /// Points earned toward the quarter, by the rule in the module's documentation.
    pub fn earned(&self) -> f64 {
        match (self.score_tenths, self.checked_off_at) {
            (Some(score), Some(at)) if at < self.quarter.end_ms() => {
                let score = tenths_value(score);
                if at < due_end_ms(self.due) {
                    score
                } else {
                    score * LATE_FACTOR
                }
            }
            _ => 0.0,
        }
    }

    /// Late (逾期) at `now`: checked off after its due date, or still open after it.
    pub fn is_late(&self, now_ms: i64) -> bool {
        self.checked_off_at.unwrap_or(now_ms) >= due_end_ms(self.due)
    }
}

/// A unit's quarter score out of 100 over its assignments; `None` with no assignment.
pub fn quarter_score(items: &[Scored]) -> Option<f64> {
    let points: u32 = items.iter().map(|i| i.points).sum();
    if points == 0 {
        return None;
    }
    let earned: f64 = items.iter().map(Scored::earned).sum();
    Some(round2(earned / f64::from(points) * 100.0))
}

/// Rounded to two decimals, as scores are shown and compared.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q4() -> Quarter {
        Quarter::parse("2026Q4").unwrap()
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// Shanghai wall-clock time as an instant.
    fn at(day: &str, hour: i64, minute: i64) -> i64 {
        local_midnight_ms(date(day)) + (hour * 60 + minute) * 60_000
    }

    fn scored(points: u32, due: &str, score: Option<u32>, done: Option<i64>) -> Scored {
        Scored {
            points,
            due: date(due),
            quarter: q4(),
            score_tenths: score,
            checked_off_at: done,
        }
    }

    #[test]
    fn quarters_parse_and_bound() {
        let q = q4();
        assert_eq!(q.to_string(), "2026Q4");
        assert_eq!(Quarter::parse("2026q4"), Some(q));
        for bad in [
            "2026Q5", "2026Q0", "26Q4", "2026-Q4", "2026Q", "Q4", "", "2026Q44",
        ] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        assert_eq!(q.first_day(), date("2026-10-01"));
        assert_eq!(q.last_day(), date("2026-12-31"));
        assert_eq!(
            Quarter::parse("2028Q1").unwrap().last_day(),
            date("2028-03-31")
        );
        assert_eq!(Quarter::of(date("2026-11-23")), q);
        assert!(q.contains(date("2026-12-31")) && !q.contains(date("2027-01-01")));
        assert_eq!(q.next().to_string(), "2027Q1");
        assert_eq!(q.next().previous(), q);
        assert_eq!(q.end_ms(), at("2027-01-01", 0, 0));
        assert_eq!(q.label(), "2026年第四季度");
    }

    #[test]
    fn steps_follow_the_loop() {
        use Status::*;
        assert_eq!(Step::Plan.next(Assigned), Some(Planned));
        assert_eq!(
            Step::Plan.next(Planned),
            Some(Planned),
            "a plan may be revised"
        );
        assert_eq!(Step::Plan.next(Submitted), None);
        assert_eq!(Step::Submit.next(Assigned), None, "plan first");
        assert_eq!(Step::Submit.next(Planned), Some(Submitted));
        assert_eq!(Step::CheckOff.next(Submitted), Some(CheckedOff));
        assert_eq!(Step::SendBack.next(Submitted), Some(Planned));
        assert_eq!(Step::CheckOff.next(Planned), None);
        for s in Step::ALL {
            assert_eq!(s.next(CheckedOff), None, "{s:?} after check-off");
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert_eq!(available(Planned, true, false), [Step::Plan, Step::Submit]);
        assert_eq!(
            available(Submitted, false, true),
            [Step::CheckOff, Step::SendBack]
        );
        assert!(available(Submitted, true, false).is_empty());
        assert!(available(CheckedOff, true, true).is_empty());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn roles() {
        let assigners: Vec<Role> = Role::all()
            .iter()
            .copied()
            .filter(|r| may_assign(*r))
            .collect();
        assert_eq!(assigners, [Role::Operator, Role::Leader, Role::Admin]);
        assert!(may_act_for_region(Role::GridLeader) && !may_act_for_region(Role::GridWorker));
    }

    #[test]
    fn milestones_round_trip() {
        let list = vec![
            Milestone::parse("2026-11-01", " 完成摸排 ").unwrap(),
            Milestone::parse("2026-12-01", "整改到位").unwrap(),
        ];
        assert_eq!(list[0].text, "完成摸排");
        assert_eq!(Milestone::split(&Milestone::join(&list)), list);
        assert!(
            Milestone::parse("2026-13-01", "x")
                .unwrap_err()
                .contains("2026-13-01")
        );
        assert!(
            Milestone::parse("2026-11-01", " ")
                .unwrap_err()
                .contains("缺少内容")
        );
        assert!(Milestone::split("").is_empty());
    }

    #[test]
    fn scores_are_checked_against_the_points() {
        assert_eq!(parse_score(8.5, 10), Ok(85));
        assert_eq!(parse_score(10.0, 10), Ok(100));
        assert_eq!(parse_score(0.0, 10), Ok(0));
        assert!(parse_score(10.5, 10).unwrap_err().contains("0到10分"));
        assert!(parse_score(-1.0, 10).is_err());
        assert!(parse_score(8.25, 10).unwrap_err().contains("一位小数"));
        assert!(parse_score(f64::NAN, 10).is_err());
    }

    #[test]
    fn late_check_off_keeps_four_fifths() {
        // Due 2026-11-30: on time until 23:59 that day, late from midnight.
        let on_time = scored(10, "2026-11-30", Some(85), Some(at("2026-11-30", 23, 59)));
        assert_eq!(on_time.earned(), 8.5);
        assert!(!on_time.is_late(at("2026-12-20", 0, 0)));
        let late = scored(10, "2026-11-30", Some(85), Some(at("2026-12-01", 0, 0)));
        assert!((late.earned() - 6.8).abs() < 1e-9, "8.5 × 0.8");
        assert!(late.is_late(at("2026-12-01", 0, 0)));
        // After the quarter: nothing.
        let after = scored(10, "2026-12-31", Some(100), Some(at("2027-01-01", 0, 0)));
        assert_eq!(after.earned(), 0.0);
        // Open: nothing, late once the due date has passed.
        let open = scored(10, "2026-11-30", None, None);
        assert_eq!(open.earned(), 0.0);
        assert!(!open.is_late(at("2026-11-30", 12, 0)));
        assert!(open.is_late(at("2026-12-01", 0, 0)));
    }

    #[test]
    fn quarter_score_by_hand() {
        // 10 points scored 9 on time (9), 20 points scored 15 late (12), 10 points never
        // checked off (0): (9 + 12 + 0) / 40 × 100 = 52.5.
        let items = [
            scored(10, "2026-11-30", Some(90), Some(at("2026-11-28", 10, 0))),
            scored(20, "2026-11-30", Some(150), Some(at("2026-12-05", 10, 0))),
            scored(10, "2026-12-15", None, None),
        ];
        assert_eq!(quarter_score(&items), Some(52.5));
        // One third: 10 / 30 × 100 = 33.33.
        let third = [
            scored(10, "2026-11-30", Some(100), Some(at("2026-11-01", 9, 0))),
            scored(20, "2026-11-30", None, None),
        ];
        assert_eq!(quarter_score(&third), Some(33.33));
        assert_eq!(quarter_score(&items[..1]), Some(90.0));
        assert_eq!(quarter_score(&[]), None);
    }
}
