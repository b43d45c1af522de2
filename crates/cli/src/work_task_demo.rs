//! `wangge gen`'s work tasks (五问工作法): the district assigns this quarter's tasks to a
//! few departments and streets, and each part is taken to a state of its own — waiting,
//! planned, submitted, sent back, checked off — through the store's own steps, so the
//! board at `/work-tasks` shows every column. Deterministic; written once per district.
use wangge_domain::date::Date;
use wangge_domain::role::Role;
use wangge_domain::work_task::Quarter;
use wangge_store::work_task_steps::{MilestoneIn, StepIn};
use wangge_store::work_tasks::{NewWorkTask, UnitRef, current_quarter};
use wangge_store::{Scope, Store, StoreError};
use wangge_synth::District;

/// (title, points, day of the quarter it is due).
const TASKS: [(&str, i64, i64); 6] = [
    ("背街小巷环境卫生整治", 10, 20),
    ("矛盾纠纷排查化解“清零”行动", 15, 35),
    ("消防安全隐患排查整治", 10, 50),
    ("特殊人群走访帮扶", 10, 65),
    ("创建全国文明城市迎检", 20, 80),
    ("网格员业务培训与考核", 5, 88),
];

/// Units per task.
const UNITS_PER_TASK: usize = 3;

fn scope(role: Role, region: &str, department_id: Option<i64>, name: &str) -> Scope {
    Scope {
        role,
        region: region.into(),
        department_id,
        display_name: name.into(),
        ..Scope::system()
    }
}

/// Writes the quarter's tasks unless the district has some; answers how many parts.
pub async fn write_work_tasks(store: &Store, district: &District) -> Result<u64, StoreError> {
    let county = &district.county.code;
    let leader = scope(Role::Leader, county, None, "区委督查室");
    if !store.work_tasks(&leader, None).await?.is_empty() {
        return Ok(0);
    }
    let departments = store.departments().await?;
    // The first departments and every street, in turn.
    let mut units: Vec<(UnitRef, Scope)> = departments
        .iter()
        .take(6)
        .map(|d| {
            let unit = UnitRef {
                kind: "department".into(),
                code: d.code.clone(),
            };
            (
                unit,
                scope(Role::DeptHead, county, Some(d.id), &d.short_name),
            )
        })
        .collect();
    units.extend(district.streets.iter().map(|s| {
        let unit = UnitRef {
            kind: "region".into(),
            code: s.code.clone(),
        };
        (unit, scope(Role::Operator, &s.code, None, &s.name))
    }));
    if units.is_empty() {
        return Ok(0);
    }
    let quarter = current_quarter(store.now_ms());
    let mut parts = 0;
    for (i, (title, points, day)) in TASKS.into_iter().enumerate() {
        let chosen: Vec<&(UnitRef, Scope)> = (0..UNITS_PER_TASK)
            .map(|j| &units[(i * UNITS_PER_TASK + j) % units.len()])
            .collect();
        let due = due_date(quarter, day);
        let new = NewWorkTask {
            title: title.into(),
            description: format!("按“周日志、月调度、季预安”要求，{due}前完成并网上销号。"),
            quarter: quarter.to_string(),
            points,
            due_date: due.to_string(),
            region: None,
            units: chosen.iter().map(|(u, _)| u.clone()).collect(),
        };
        let task = store.create_work_task(&leader, new, "cli").await?;
        for (j, part) in task.assignments.iter().flatten().enumerate() {
            let Some((_, unit)) = chosen.iter().find(|(u, _)| u.code == part.unit_code) else {
                continue;
            };
            let steps = steps_for((i + j) % 5, due, points);
            for (by_leader, input) in steps {
                let who = if by_leader { &leader } else { unit };
                store
                    .work_task_step(who, task.id, part.id, input, "cli")
                    .await?;
            }
            parts += 1;
        }
    }
    Ok(parts)
}

/// `day` days into the quarter, within it.
fn due_date(q: Quarter, day: i64) -> Date {
    q.first_day().add_days(day).min(q.last_day())
}

/// The steps that take a part to state `n` (0 waiting … 4 checked off), each marked
/// whether the assigner takes it.
fn steps_for(n: usize, due: Date, points: i64) -> Vec<(bool, StepIn)> {
    let plan = StepIn::Plan {
        plan: "摸底排查、建立台账、限期整改、复查销号，责任落实到人。".into(),
        milestones: vec![MilestoneIn {
            date: due.add_days(-7).to_string(),
            text: "完成摸底排查".into(),
        }],
        planned_finish: due.to_string(),
    };
    let submit = || StepIn::Submit {
        evidence: "已按路线图完成，台账和现场照片见附件。".into(),
        photos: Vec::new(),
    };
    let mut steps = Vec::new();
    if n >= 1 {
        steps.push((false, plan));
    }
    if n >= 2 {
        steps.push((false, submit()));
    }
    if n == 3 {
        let reason = "佐证材料不全，请补充整改前后照片".into();
        steps.push((true, StepIn::SendBack { reason }));
    }
    if n == 4 {
        let score = (points as f64 * 0.9 * 10.0).round() / 10.0;
        let comment = "按期完成，成效明显".into();
        steps.push((true, StepIn::CheckOff { score, comment }));
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_its_steps() {
        let due = Date::parse("2026-11-30").unwrap();
        let kinds = |n| -> Vec<&str> {
            steps_for(n, due, 10)
                .iter()
                .map(|(_, s)| s.step().as_str())
                .collect()
        };
        assert!(kinds(0).is_empty());
        assert_eq!(kinds(2), ["plan", "submit"]);
        assert_eq!(kinds(3), ["plan", "submit", "send-back"]);
        assert_eq!(kinds(4), ["plan", "submit", "check-off"]);
        let q = Quarter::parse("2026Q4").unwrap();
        assert_eq!(due_date(q, 88).to_string(), "2026-12-28");
        assert_eq!(due_date(q, 120), q.last_day());
    }
}
