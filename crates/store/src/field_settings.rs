//! The admin's settings of field work: the visit rules, the daily patrol minutes, how long
//! tracks are kept, and the day visit obligations count from.
use serde::Serialize;
use wangge_domain::date::{Date, local_date};
use wangge_domain::patrol::DailyRule;
use wangge_domain::role::Role;
use wangge_domain::visits::RuleSet;

use crate::audit::AuditEntry;
use crate::{Scope, Store, StoreError};

const RULES_KEY: &str = "visit_rules";
const DAILY_KEY: &str = "patrol_daily_minutes";
const KEEP_KEY: &str = "track_keep_days";
const SINCE_KEY: &str = "visits_since";

/// Tracks are personal whereabouts: kept half a year unless the admin says otherwise.
pub const DEFAULT_KEEP_DAYS: u32 = 180;
const MAX_KEEP_DAYS: u32 = 3 * 366;

/// The settings as they stand.
#[derive(Debug, Clone)]
pub struct FieldSettings {
    pub rules: RuleSet,
    pub daily: DailyRule,
    pub keep_days: u32,
    /// Households owe visits from this day: field work began (older periods are not
    /// counted as missed).
    pub visits_since: Date,
}

/// The settings as text, for the form and the API.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct FieldSettingsText {
    /// One rule per line (`key=…; name=…; target=…; interval=…; grace=…`).
    pub visit_rules: String,
    pub patrol_daily_minutes: u32,
    pub track_keep_days: u32,
    /// `YYYY-MM-DD`.
    pub visits_since: String,
}

impl FieldSettings {
    pub fn to_text(&self) -> FieldSettingsText {
        FieldSettingsText {
            visit_rules: self.rules.to_string(),
            patrol_daily_minutes: self.daily.min_minutes(),
            track_keep_days: self.keep_days,
            visits_since: self.visits_since.to_string(),
        }
    }
}

impl Store {
    /// The field-work settings; what was never saved has its default (the seeds' rules,
    /// 120 minutes, 180 days, visits counted from the first of this month).
    pub async fn field_settings(&self) -> Result<FieldSettings, StoreError> {
        let rules = match self.setting(RULES_KEY).await? {
            Some(text) => RuleSet::parse(&text).unwrap_or_else(|_| RuleSet::defaults()),
            None => RuleSet::defaults(),
        };
        let number = |v: Option<String>| v.and_then(|v| v.trim().parse::<u32>().ok());
        let daily = number(self.setting(DAILY_KEY).await?)
            .and_then(|m| DailyRule::new(m).ok())
            .unwrap_or_default();
        let keep_days = number(self.setting(KEEP_KEY).await?).unwrap_or(DEFAULT_KEEP_DAYS);
        let visits_since = match self.setting(SINCE_KEY).await? {
            Some(d) => Date::parse(d.trim()),
            None => None,
        }
        .unwrap_or_else(|| {
            let today = local_date(self.now_ms());
            Date { day: 1, ..today }
        });
        Ok(FieldSettings {
            rules,
            daily,
            keep_days,
            visits_since,
        })
    }

    /// Saves the settings (admins only, audited); every field is checked first and nothing
    /// is saved when one is wrong.
    pub async fn set_field_settings(
        &self,
        scope: &Scope,
        text: &FieldSettingsText,
        client: &str,
    ) -> Result<FieldSettings, StoreError> {
        if scope.role != Role::Admin {
            return Err(StoreError::Forbidden(
                "只有管理员可以修改走访与巡查规则".into(),
            ));
        }
        let rules = RuleSet::parse(&text.visit_rules).map_err(|errors| {
            let list: Vec<String> = errors
                .iter()
                .map(|e| {
                    let field = e
                        .field_label()
                        .map(|f| format!("（{f}）"))
                        .unwrap_or_default();
                    if e.line > 0 {
                        format!("第{}行{field}：{}", e.line, e.message)
                    } else {
                        format!("{field}{}", e.message)
                    }
                })
                .collect();
            StoreError::invalid("visit_rules", list.join("；"))
        })?;
        let daily = DailyRule::new(text.patrol_daily_minutes)
            .map_err(|e| StoreError::invalid("patrol_daily_minutes", e.to_string()))?;
        if !(1..=MAX_KEEP_DAYS).contains(&text.track_keep_days) {
            return Err(StoreError::invalid(
                "track_keep_days",
                format!("轨迹保存天数应为 1 到 {MAX_KEEP_DAYS}"),
            ));
        }
        let since = Date::parse(text.visits_since.trim())
            .ok_or_else(|| StoreError::invalid("visits_since", "走访起算日应写作 YYYY-MM-DD"))?;
        let settings = FieldSettings {
            rules,
            daily,
            keep_days: text.track_keep_days,
            visits_since: since,
        };
        let saved = settings.to_text();
        self.put_setting(RULES_KEY, &saved.visit_rules).await?;
        self.put_setting(DAILY_KEY, &saved.patrol_daily_minutes.to_string())
            .await?;
        self.put_setting(KEEP_KEY, &saved.track_keep_days.to_string())
            .await?;
        self.put_setting(SINCE_KEY, &saved.visits_since).await?;
        self.audit(AuditEntry {
            account: &scope.username,
            action: "field_settings.update",
            outcome: "ok",
            object: &format!(
                "{} 条走访规则；每日巡查 {} 分钟；轨迹保存 {} 天；走访起算 {}",
                settings.rules.len(),
                saved.patrol_daily_minutes,
                saved.track_keep_days,
                saved.visits_since
            ),
            client,
        })
        .await?;
        Ok(settings)
    }

    /// Sets the day visits count from (the demo generator backdates it).
    pub async fn set_visits_since(&self, day: Date) -> Result<(), StoreError> {
        self.put_setting(SINCE_KEY, &day.to_string()).await
    }
}
