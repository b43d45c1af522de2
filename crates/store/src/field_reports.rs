//! What grid workers report about their own work: the key-event daily report (每日必报),
//! who fell short of the daily patrol rule or did not report, and the weekly work log
//! (周日志) drafted from the week's records.
use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use wangge_domain::date::{Date, local_date, local_midnight_ms};
use wangge_domain::patrol::tally_by_area;
use wangge_domain::period::{Period, PeriodKind};
use wangge_domain::region::Level;
use wangge_domain::role::Role;
use wangge_domain::visits::Horizon;
use wangge_domain::work_log::{WeekFacts, draft};

use crate::entity::{daily_report, event, grid, patrol, patrol_day, visit, work_log};
use crate::{Scope, Store, StoreError};

/// A daily report as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct DailyReportView {
    pub account_id: i64,
    pub reporter: String,
    pub grid_code: String,
    pub day: String,
    pub nothing: bool,
    pub content: String,
    pub created_at: i64,
}

/// One grid's day: its worker's patrol minutes against the rule, and the daily report.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerDay {
    /// The grid's full-time worker (网格员).
    pub name: String,
    pub grid_code: String,
    pub grid_name: String,
    pub patrol_minutes: u32,
    pub required_minutes: u32,
    pub patrol_met: bool,
    pub reported: bool,
}

/// A street's or community's workers on a day, and how many fell short.
#[derive(Debug, Clone, Serialize)]
pub struct AreaDay {
    pub code: String,
    pub name: String,
    pub workers: u32,
    pub short_of_patrol: u32,
    pub not_reported: u32,
}

/// The workers of a region on a day, and who fell short.
#[derive(Debug, Clone, Serialize)]
pub struct DayBoard {
    pub region: String,
    pub day: String,
    pub working_day: bool,
    pub required_minutes: u32,
    /// The region's streets or communities (one level down), when they are above grids.
    pub areas: Vec<AreaDay>,
    /// Every grid's worker, those who fell short first.
    pub workers: Vec<WorkerDay>,
    pub short_of_patrol: usize,
    pub not_reported: usize,
}

/// A work log, saved or drafted.
#[derive(Debug, Clone, Serialize)]
pub struct WorkLogView {
    pub week: String,
    pub week_label: String,
    pub text: String,
    pub saved: bool,
    pub submitted_at: Option<i64>,
}

fn report_view(r: daily_report::Model) -> DailyReportView {
    DailyReportView {
        account_id: r.account_id,
        reporter: r.reporter,
        grid_code: r.grid_code,
        day: Date::from_days_since_epoch(r.day.into()).to_string(),
        nothing: r.nothing,
        content: r.content,
        created_at: r.created_at,
    }
}

fn day_number(d: Date) -> i32 {
    d.days_since_epoch() as i32
}

/// A week as typed (`2026-W49`), or the week of `today`.
pub fn parse_week(week: Option<&str>, today: Date) -> Result<Period, StoreError> {
    match week.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(Period::containing(PeriodKind::Week, today)),
        Some(w) => Period::parse(w)
            .filter(|p| p.kind == PeriodKind::Week)
            .ok_or_else(|| StoreError::invalid("week", format!("周“{w}”应写作如 2026-W49"))),
    }
}

impl Store {
    /// Files (or corrects) the caller's daily report for today or yesterday; "nothing to
    /// report" needs no text, anything else does.
    pub async fn file_daily_report(
        &self,
        scope: &Scope,
        day: Option<&str>,
        nothing: bool,
        content: &str,
    ) -> Result<DailyReportView, StoreError> {
        let g = self.own_grid(scope).await?;
        let today = local_date(self.now_ms());
        let date = match day.map(str::trim).filter(|d| !d.is_empty()) {
            None => today,
            Some(d) => Date::parse(d)
                .ok_or_else(|| StoreError::invalid("day", format!("日期“{d}”应写作 YYYY-MM-DD")))?,
        };
        if date > today || date < today.add_days(-1) {
            return Err(StoreError::invalid(
                "day",
                "只能报送今天的，或补报昨天的每日必报",
            ));
        }
        let content = content.trim();
        if !nothing && content.is_empty() {
            return Err(StoreError::invalid(
                "content",
                "请填写今天的重点情况，或勾选“今日无重点情况”",
            ));
        }
        if content.chars().count() > 2000 {
            return Err(StoreError::invalid("content", "内容不能超过2000个字"));
        }
        let row = daily_report::Model {
            county: g.county,
            account_id: scope.account_id,
            day: day_number(date),
            grid_code: g.code,
            reporter: scope.display_name.clone(),
            nothing,
            content: if nothing {
                String::new()
            } else {
                content.to_string()
            },
            created_at: self.now_ms(),
        };
        daily_report::Entity::insert(daily_report::ActiveModel::from(row.clone()))
            .on_conflict(
                OnConflict::columns([
                    daily_report::Column::County,
                    daily_report::Column::AccountId,
                    daily_report::Column::Day,
                ])
                .update_columns([
                    daily_report::Column::Nothing,
                    daily_report::Column::Content,
                    daily_report::Column::CreatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(self.connection())
            .await?;
        Ok(report_view(row))
    }

    /// The daily reports of a region on a day.
    pub async fn daily_reports(
        &self,
        scope: &Scope,
        region: Option<&str>,
        day: Date,
    ) -> Result<Vec<DailyReportView>, StoreError> {
        let region = scope.narrow(region)?;
        let (lo, hi) = Scope::range_of(&region);
        Ok(daily_report::Entity::find()
            .filter(daily_report::Column::GridCode.gte(lo))
            .filter(daily_report::Column::GridCode.lt(hi))
            .filter(daily_report::Column::Day.eq(day_number(day)))
            .order_by_asc(daily_report::Column::GridCode)
            .all(self.connection())
            .await?
            .into_iter()
            .map(report_view)
            .collect())
    }

    /// Every grid of a region on a day with its full-time worker: patrol minutes against
    /// the daily rule and whether a daily report came from the grid; grids short of either
    /// come first.
    pub async fn day_board(
        &self,
        scope: &Scope,
        region: Option<&str>,
        day: Date,
    ) -> Result<DayBoard, StoreError> {
        let region = scope.narrow(region)?;
        let (lo, hi) = Scope::range_of(&region);
        let db = self.connection();
        let settings = self.field_settings().await?;
        let calendar = self.work_calendar().await?;
        let n = day_number(day);
        let grids: Vec<(String, String)> = grid::Entity::find()
            .select_only()
            .column(grid::Column::Code)
            .column(grid::Column::Name)
            .filter(grid::Column::Code.gte(lo.clone()))
            .filter(grid::Column::Code.lt(hi.clone()))
            .order_by_asc(grid::Column::Code)
            .into_tuple()
            .all(db)
            .await?;
        let workers: HashMap<String, String> = self
            .grid_workers(&region)
            .await?
            .into_iter()
            .map(|(grid, _, name)| (grid, name))
            .collect();
        let mut minutes: HashMap<String, i64> = HashMap::new();
        let rows: Vec<(String, i64)> = patrol_day::Entity::find()
            .select_only()
            .column(patrol_day::Column::GridCode)
            .column(patrol_day::Column::Ms)
            .filter(patrol_day::Column::GridCode.gte(lo.clone()))
            .filter(patrol_day::Column::GridCode.lt(hi.clone()))
            .filter(patrol_day::Column::Day.eq(n))
            .into_tuple()
            .all(db)
            .await?;
        for (g, ms) in rows {
            *minutes.entry(g).or_default() += ms;
        }
        let reported: HashSet<String> = daily_report::Entity::find()
            .select_only()
            .column(daily_report::Column::GridCode)
            .filter(daily_report::Column::GridCode.gte(lo))
            .filter(daily_report::Column::GridCode.lt(hi))
            .filter(daily_report::Column::Day.eq(n))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let mut board: Vec<WorkerDay> = grids
            .into_iter()
            .map(|(code, name)| {
                let status = settings
                    .daily
                    .status(day, minutes.get(&code).copied().unwrap_or(0));
                WorkerDay {
                    name: workers.get(&code).cloned().unwrap_or_default(),
                    grid_name: name,
                    patrol_minutes: status.minutes,
                    required_minutes: status.required_minutes,
                    patrol_met: status.met,
                    reported: reported.contains(&code),
                    grid_code: code,
                }
            })
            .collect();
        board.sort_by(|a, b| {
            (a.patrol_met && a.reported, &a.grid_code)
                .cmp(&(b.patrol_met && b.reported, &b.grid_code))
        });
        let areas = match Level::from_code_len(region.len()).and_then(Level::child) {
            Some(child) if child < Level::Grid => {
                let names = self.names_under(&region).await?;
                let days = board
                    .iter()
                    .map(|w| (w.grid_code.as_str(), w.patrol_met, w.reported));
                tally_by_area(days, child.code_len())
                    .into_iter()
                    .map(|(code, t)| AreaDay {
                        name: names.get(code).cloned().unwrap_or_else(|| code.to_string()),
                        code: code.to_string(),
                        workers: t.workers,
                        short_of_patrol: t.short_of_patrol,
                        not_reported: t.not_reported,
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(DayBoard {
            region,
            day: day.to_string(),
            working_day: calendar.is_working_day(day),
            required_minutes: settings.daily.min_minutes(),
            areas,
            short_of_patrol: board.iter().filter(|w| !w.patrol_met).count(),
            not_reported: board.iter().filter(|w| !w.reported).count(),
            workers: board,
        })
    }

    /// The caller's work log of a week: as saved, or drafted from the week's patrols,
    /// visits, events and daily reports.
    pub async fn work_log(
        &self,
        scope: &Scope,
        week: Option<&str>,
    ) -> Result<WorkLogView, StoreError> {
        let today = local_date(self.now_ms());
        let p = parse_week(week, today)?;
        let key = p.to_string();
        let saved = work_log::Entity::find()
            .filter(work_log::Column::AccountId.eq(scope.account_id))
            .filter(work_log::Column::Week.eq(key.as_str()))
            .one(self.connection())
            .await?;
        if let Some(s) = saved {
            return Ok(WorkLogView {
                week: key,
                week_label: p.label(),
                text: s.text,
                saved: true,
                submitted_at: s.submitted_at,
            });
        }
        let facts = self.week_facts(scope, p, today).await?;
        Ok(WorkLogView {
            week: key,
            week_label: p.label(),
            text: draft(&facts),
            saved: false,
            submitted_at: None,
        })
    }

    /// Saves the caller's work log of a week, and submits it when asked; a submitted log
    /// is not changed again.
    pub async fn save_work_log(
        &self,
        scope: &Scope,
        week: &str,
        text: &str,
        submit: bool,
    ) -> Result<WorkLogView, StoreError> {
        if !matches!(scope.role, Role::GridWorker | Role::GridLeader) {
            return Err(StoreError::Forbidden("周日志由网格员和网格长填写".into()));
        }
        let today = local_date(self.now_ms());
        let p = parse_week(Some(week), today)?;
        if p.from > today {
            return Err(StoreError::invalid("week", "不能填写未来的周日志"));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::invalid("text", "周日志不能为空"));
        }
        if text.chars().count() > 5000 {
            return Err(StoreError::invalid("text", "周日志不能超过5000个字"));
        }
        let county = scope
            .county()
            .ok_or_else(|| StoreError::Forbidden("您的账号未分配到区县".into()))?;
        let key = p.to_string();
        let db = self.connection();
        let now = self.now_ms();
        let existing = work_log::Entity::find_by_id((county, scope.account_id, key.clone()))
            .one(db)
            .await?;
        let row = match existing {
            Some(e) if e.submitted_at.is_some() => {
                return Err(StoreError::Conflict(format!(
                    "{}的周日志已提交，不能再修改",
                    p.label()
                )));
            }
            Some(e) => {
                let mut m: work_log::ActiveModel = e.into();
                m.text = Set(text.to_string());
                m.submitted_at = Set(submit.then_some(now));
                m.updated_at = Set(now);
                m.update(db).await?
            }
            None => {
                work_log::ActiveModel::from(work_log::Model {
                    county,
                    account_id: scope.account_id,
                    week: key.clone(),
                    region: scope.region.clone(),
                    author: scope.display_name.clone(),
                    text: text.to_string(),
                    submitted_at: submit.then_some(now),
                    updated_at: now,
                })
                .insert(db)
                .await?
            }
        };
        Ok(WorkLogView {
            week: key,
            week_label: p.label(),
            text: row.text,
            saved: true,
            submitted_at: row.submitted_at,
        })
    }

    /// The week's records: the caller's own as a worker; a leader's are those of every
    /// grid in their region.
    async fn week_facts(
        &self,
        scope: &Scope,
        p: Period,
        today: Date,
    ) -> Result<WeekFacts, StoreError> {
        let db = self.connection();
        let (from, to) = (local_midnight_ms(p.from), local_midnight_ms(p.to));
        let (days_from, days_to) = (day_number(p.from), day_number(p.to));
        let leader = scope.role == Role::GridLeader;
        let (lo, hi) = Scope::range_of(&scope.region);
        let me = scope.account_id;
        // One condition per table: the caller's own rows, or the leader's grids'.
        macro_rules! mine {
            ($q:expr, $account:expr, $grid:expr) => {
                if leader {
                    $q.filter($grid.gte(lo.clone()))
                        .filter($grid.lt(hi.clone()))
                } else {
                    $q.filter($account.eq(me))
                }
            };
        }
        let patrols = mine!(
            patrol::Entity::find(),
            patrol::Column::AccountId,
            patrol::Column::GridCode
        )
        .filter(patrol::Column::StartedAt.gte(from))
        .filter(patrol::Column::StartedAt.lt(to))
        .all(db)
        .await?;
        let days: Vec<(String, i32, i64)> = mine!(
            patrol_day::Entity::find(),
            patrol_day::Column::AccountId,
            patrol_day::Column::GridCode
        )
        .select_only()
        .column(patrol_day::Column::GridCode)
        .column(patrol_day::Column::Day)
        .column(patrol_day::Column::Ms)
        .filter(patrol_day::Column::Day.gte(days_from))
        .filter(patrol_day::Column::Day.lt(days_to))
        .into_tuple()
        .all(db)
        .await?;
        let grids = if leader {
            grid::Entity::find()
                .filter(grid::Column::Code.gte(lo.clone()))
                .filter(grid::Column::Code.lt(hi.clone()))
                .count(db)
                .await? as u32
        } else {
            1
        };
        let settings = self.field_settings().await?;
        let calendar = self.work_calendar().await?;
        let last = p.to.min(today.add_days(1));
        let mut working_days = 0;
        let mut met = 0;
        let mut ms: HashMap<(String, i32), i64> = HashMap::new();
        for (g, d, m) in days {
            *ms.entry((g, d)).or_default() += m;
        }
        let mut d = p.from;
        while d < last {
            if calendar.is_working_day(d) {
                working_days += grids;
                met += ms
                    .iter()
                    .filter(|((_, n), m)| *n == day_number(d) && settings.daily.status(d, **m).met)
                    .count() as u32;
            }
            d = d.add_days(1);
        }
        let visits = mine!(
            visit::Entity::find(),
            visit::Column::AccountId,
            visit::Column::GridCode
        )
        .filter(visit::Column::Day.gte(days_from))
        .filter(visit::Column::Day.lt(days_to))
        .order_by_asc(visit::Column::AtMs)
        .all(db)
        .await?;
        let events: Vec<String> = mine!(
            event::Entity::find(),
            event::Column::ReporterAccount,
            event::Column::GridCode
        )
        .select_only()
        .column(event::Column::State)
        .filter(event::Column::CreatedAt.gte(from))
        .filter(event::Column::CreatedAt.lt(to))
        .into_tuple()
        .all(db)
        .await?;
        let reports = mine!(
            daily_report::Entity::find(),
            daily_report::Column::AccountId,
            daily_report::Column::GridCode
        )
        .filter(daily_report::Column::Day.gte(days_from))
        .filter(daily_report::Column::Day.lt(days_to))
        .count(db)
        .await?;
        let overdue = self.visit_plan(scope, None, Horizon::Today).await?.overdue;
        Ok(WeekFacts {
            week_label: p.label(),
            grids,
            patrols: patrols.len() as u32,
            patrol_minutes: (patrols.iter().map(|x| x.patrol_ms).sum::<i64>() / 60_000) as u32,
            patrol_km: patrols.iter().map(|x| x.distance_m).sum::<f64>() / 1000.0,
            patrol_days_met: met,
            working_days,
            visits: visits.len() as u32,
            findings: visits
                .iter()
                .filter(|v| !v.finding.is_empty())
                .take(50)
                .map(|v| {
                    let day = Date::from_days_since_epoch(v.day.into());
                    if leader {
                        format!("{day} {}：{}", v.visitor, v.finding)
                    } else {
                        format!("{day}：{}", v.finding)
                    }
                })
                .collect(),
            events_reported: events.len() as u32,
            events_settled: events.iter().filter(|s| *s == "settled").count() as u32,
            daily_reports: reports as u32,
            overdue_visits: overdue as u32,
        })
    }
}
