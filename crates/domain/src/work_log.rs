//! The weekly work log (周日志) a grid worker or leader submits: drafted from what the
//! week's records already say, so the worker only adds what records cannot.

/// What the records say about one person's week.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekFacts {
    /// `2026年第49周（12月1日—12月7日）`.
    pub week_label: String,
    /// The grids the log covers: 1 for a worker, a leader's grids otherwise (0 is taken
    /// as 1).
    pub grids: u32,
    pub patrols: u32,
    pub patrol_minutes: u32,
    pub patrol_km: f64,
    /// Days meeting the daily patrol rule, and the working days of the week so far (for a
    /// leader: grid-days).
    pub patrol_days_met: u32,
    pub working_days: u32,
    pub visits: u32,
    /// Visits that found something, with their text (`address：finding`).
    pub findings: Vec<String>,
    pub events_reported: u32,
    pub events_settled: u32,
    pub daily_reports: u32,
    /// Visits still overdue at the end of the week.
    pub overdue_visits: u32,
}

/// The draft: one line a kind of work, then the findings, then a line for the worker's
/// own notes.
pub fn draft(f: &WeekFacts) -> String {
    let patrol_days = if f.grids > 1 {
        format!(
            "{}个网格共{}个网格工作日中{}个达到每日巡查要求",
            f.grids, f.working_days, f.patrol_days_met
        )
    } else {
        format!(
            "{}个工作日中{}天达到每日巡查要求",
            f.working_days, f.patrol_days_met
        )
    };
    let mut lines = vec![
        format!("{}工作日志", f.week_label),
        format!(
            "一、巡查：{}次，共{}分钟，约{:.1}公里；{patrol_days}。",
            f.patrols, f.patrol_minutes, f.patrol_km
        ),
        format!(
            "二、走访：{}户次，其中发现情况{}处；目前逾期未访{}户。",
            f.visits,
            f.findings.len(),
            f.overdue_visits
        ),
        format!(
            "三、事件：上报{}件，其中就地化解{}件。",
            f.events_reported, f.events_settled
        ),
        if f.grids > 1 {
            format!(
                "四、每日必报：{}个网格工作日中报送{}个。",
                f.working_days, f.daily_reports
            )
        } else {
            format!(
                "四、每日必报：{}个工作日中报送{}天。",
                f.working_days, f.daily_reports
            )
        },
    ];
    if !f.findings.is_empty() {
        lines.push("走访发现：".into());
        lines.extend(f.findings.iter().map(|x| format!("- {x}")));
    }
    lines.push("五、其他工作和下周计划：".into());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_names_every_kind_of_work_and_each_finding() {
        let f = WeekFacts {
            week_label: "2026年第49周".into(),
            grids: 1,
            patrols: 5,
            patrol_minutes: 610,
            patrol_km: 23.46,
            patrol_days_met: 4,
            working_days: 5,
            visits: 31,
            findings: vec!["幸福里3-201：楼道堆物".into()],
            events_reported: 6,
            events_settled: 2,
            daily_reports: 5,
            overdue_visits: 3,
        };
        let text = draft(&f);
        assert!(text.starts_with("2026年第49周工作日志"));
        assert!(text.contains("巡查：5次，共610分钟，约23.5公里；5个工作日中4天"));
        assert!(text.contains("走访：31户次，其中发现情况1处；目前逾期未访3户"));
        assert!(text.contains("上报6件，其中就地化解2件"));
        assert!(text.contains("- 幸福里3-201：楼道堆物"));
        assert!(text.ends_with("五、其他工作和下周计划："));
    }

    #[test]
    fn a_leaders_draft_counts_grid_days() {
        let f = WeekFacts {
            grids: 12,
            working_days: 60,
            patrol_days_met: 45,
            daily_reports: 58,
            ..WeekFacts::default()
        };
        let text = draft(&f);
        assert!(
            text.contains("12个网格共60个网格工作日中45个达到每日巡查要求"),
            "{text}"
        );
        assert!(text.contains("60个网格工作日中报送58个"), "{text}");
    }

    #[test]
    fn an_empty_week_still_drafts_every_line() {
        let text = draft(&WeekFacts::default());
        assert!(text.contains("巡查：0次"));
        assert!(!text.contains("走访发现"));
    }
}
