//! The working-time calendar deadlines count on: the working periods of a day (a setting)
//! and the days that break the weekly rule (official days off, make-up working days), kept
//! in the database so admins edit them per year. The first start writes the announced
//! defaults.
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use wangge_domain::date::Date;
use wangge_domain::worktime::{DEFAULT_PERIODS, WorkCalendar};

use crate::audit::AuditEntry;
use crate::entity::{calendar_day, setting};
use crate::{Scope, Store, StoreError};

const PERIODS_KEY: &str = "work_periods";

/// A day that breaks the weekly rule, as listed for admins.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SpecialDay {
    pub date: String,
    /// `off` or `work`.
    pub kind: String,
    pub note: String,
}

/// Writes the official 2026 calendar and the default working hours when none is stored.
pub(crate) async fn seed(db: &impl ConnectionTrait) -> Result<(), StoreError> {
    if calendar_day::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    let Some(official) = WorkCalendar::official(2026) else {
        return Ok(());
    };
    let rows = official
        .days_off()
        .iter()
        .map(|d| (d, "off", "法定节假日"))
        .chain(
            official
                .make_up_days()
                .iter()
                .map(|d| (d, "work", "调休上班")),
        )
        .map(|(d, kind, note)| calendar_day::ActiveModel {
            date: Set(d.to_string()),
            kind: Set(kind.into()),
            note: Set(note.into()),
        });
    calendar_day::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(calendar_day::Column::Date)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn format_periods(periods: &[(u16, u16)]) -> String {
    periods
        .iter()
        .map(|(a, b)| format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60))
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses `08:30-12:00,13:30-17:30` into minutes after midnight.
pub fn parse_periods(text: &str) -> Result<Vec<(u16, u16)>, StoreError> {
    let bad = || {
        StoreError::invalid(
            "periods",
            format!("工作时段“{text}”格式应为 08:30-12:00,13:30-17:30"),
        )
    };
    let minute = |hm: &str| -> Option<u16> {
        let (h, m) = hm.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
    };
    text.split([',', '，'])
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (a, b) = p.split_once('-').ok_or_else(bad)?;
            Ok((minute(a).ok_or_else(bad)?, minute(b).ok_or_else(bad)?))
        })
        .collect()
}

impl Store {
    /// The calendar as stored now.
    pub async fn work_calendar(&self) -> Result<WorkCalendar, StoreError> {
        let db = self.connection();
        let periods = match setting::Entity::find_by_id(PERIODS_KEY).one(db).await? {
            Some(s) => parse_periods(&s.value)?,
            None => DEFAULT_PERIODS.to_vec(),
        };
        let (mut off, mut work) = (Vec::new(), Vec::new());
        for day in calendar_day::Entity::find().all(db).await? {
            let Some(date) = Date::parse(&day.date) else {
                continue;
            };
            if day.kind == "off" {
                off.push(date);
            } else {
                work.push(date);
            }
        }
        WorkCalendar::new(periods, off, work)
            .map_err(|e| StoreError::invalid("calendar", e.to_string()))
    }

    /// The days that break the weekly rule, in date order.
    pub async fn special_days(&self) -> Result<Vec<SpecialDay>, StoreError> {
        Ok(calendar_day::Entity::find()
            .order_by_asc(calendar_day::Column::Date)
            .all(self.connection())
            .await?
            .into_iter()
            .map(|d| SpecialDay {
                date: d.date,
                kind: d.kind,
                note: d.note,
            })
            .collect())
    }

    /// The working periods as text (`08:30-12:00,13:30-17:30`).
    pub async fn work_periods_text(&self) -> Result<String, StoreError> {
        Ok(format_periods(self.work_calendar().await?.periods()))
    }

    /// Marks a day as a day off (`off`), a make-up working day (`work`), or back to the
    /// weekly rule (`normal`). Admins only; audited.
    pub async fn set_calendar_day(
        &self,
        scope: &Scope,
        date: &str,
        kind: &str,
        note: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        self.admin_only(scope)?;
        let day = Date::parse(date.trim())
            .ok_or_else(|| StoreError::invalid("date", format!("日期“{date}”应为 YYYY-MM-DD")))?;
        let db = self.connection();
        match kind {
            "normal" => {
                calendar_day::Entity::delete_by_id(day.to_string())
                    .exec(db)
                    .await?;
            }
            "off" | "work" => {
                let model = calendar_day::ActiveModel {
                    date: Set(day.to_string()),
                    kind: Set(kind.into()),
                    note: Set(note.trim().chars().take(40).collect()),
                };
                calendar_day::Entity::insert(model)
                    .on_conflict(
                        OnConflict::column(calendar_day::Column::Date)
                            .update_columns([
                                calendar_day::Column::Kind,
                                calendar_day::Column::Note,
                            ])
                            .to_owned(),
                    )
                    .exec_without_returning(db)
                    .await?;
            }
            _ => {
                return Err(StoreError::invalid(
                    "kind",
                    "类型应为 off（放假）、work（调休上班）或 normal（按周末规则）",
                ));
            }
        }
        self.audit(AuditEntry {
            account: &scope.username,
            action: "calendar.day",
            object: &format!("{day} {kind}"),
            outcome: "ok",
            client,
        })
        .await
    }

    /// Replaces the working periods of a day (`08:30-12:00,13:30-17:30`). Admins only.
    pub async fn set_work_periods(
        &self,
        scope: &Scope,
        text: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        self.admin_only(scope)?;
        let periods = parse_periods(text)?;
        WorkCalendar::new(periods.clone(), [], [])
            .map_err(|e| StoreError::invalid("periods", e.to_string()))?;
        let value = format_periods(&periods);
        self.put_setting(PERIODS_KEY, &value).await?;
        self.audit(AuditEntry {
            account: &scope.username,
            action: "calendar.periods",
            object: &value,
            outcome: "ok",
            client,
        })
        .await
    }

    pub(crate) fn admin_only(&self, scope: &Scope) -> Result<(), StoreError> {
        if scope.role != wangge_domain::role::Role::Admin {
            return Err(StoreError::Forbidden("只有管理员可以修改此项设置".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_round_trip() {
        let p = parse_periods("08:30-12:00, 13:30-17:30").unwrap();
        assert_eq!(p, vec![(510, 720), (810, 1050)]);
        assert_eq!(format_periods(&p), "08:30-12:00,13:30-17:30");
        assert!(parse_periods("8-12").is_err());
        assert!(parse_periods("25:00-26:00").is_err());
    }
}
