//! `wangge gen`'s field work of the last 60 days: each grid's worker patrols on working
//! days, files the daily report and visits households as the rules ask — each grid with a
//! diligence of its own, so some fall short and the lists and the assessment have
//! something to show. Patrols are written as their figures (time, distance, share inside
//! the grid) without positions: a generated track would be invented whereabouts.
use std::collections::{HashMap, HashSet};

use wangge_domain::date::{Date, local_date, local_midnight_ms};
use wangge_domain::ids::compose_id;
use wangge_domain::visits::{Subject, Window};
use wangge_store::entity::{daily_report, patrol, patrol_day, visit};
use wangge_store::field_history::FieldHistory;
use wangge_store::{Store, StoreError};
use wangge_synth::District;

use crate::progress::Progress;

/// Days of history.
pub const DAYS: i64 = 60;

const FINDINGS: [&str; 6] = [
    "楼道堆放杂物，存在消防隐患",
    "老人反映腿脚不便，需要助餐服务",
    "邻里因噪音发生口角，已初步调解",
    "屋顶漏水，住户申请维修",
    "租户变更，需更新流动人口信息",
    "电动车在楼道充电，已劝导",
];

const DAILY: [&str; 4] = [
    "巡查发现路灯损坏一处，已上报",
    "走访独居老人，情况稳定",
    "调解邻里纠纷一起，已化解",
    "发现占道经营，已劝离",
];

/// A number in [0, 1) from a seed and two keys (SplitMix64), so a rerun writes the same.
fn roll(seed: u64, a: u64, b: u64) -> f64 {
    let mut z =
        seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_mul(0xD1B5_4A32_D192_ED2D);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn key(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Ids made at the moments their records were made, as a live system would have made
/// them: ids follow time, which the visit ledger relies on to read new visits by id.
#[derive(Default)]
struct PastIds(HashSet<i64>);

impl PastIds {
    fn at(&mut self, unix_ms: i64) -> i64 {
        let mut id = compose_id(unix_ms, 0);
        while !self.0.insert(id) {
            id += 1;
        }
        id
    }
}

/// Writes 60 days of field work unless the county has some; answers the rows written.
pub async fn write_field_history(
    store: &Store,
    district: &District,
    seed: u64,
) -> Result<u64, StoreError> {
    let county: i32 = district.county.code.parse().unwrap_or(0);
    if store.has_field_history(county).await? {
        return Ok(0);
    }
    let now = store.now_ms();
    let today = local_date(now);
    let first = today.add_days(-DAYS);
    // Households owe visits from the first day of the history.
    store.set_visits_since(first).await?;
    let rules = store.field_settings().await?.rules;
    let calendar = store.work_calendar().await?;
    let workers: HashMap<String, (i64, String)> = store
        .grid_workers(&district.county.code)
        .await?
        .into_iter()
        .map(|(g, id, name)| (g, (id, name)))
        .collect();
    let mut progress = Progress::new("生成巡查走访记录", district.streets.len() as u64);
    let mut written = 0u64;
    let mut ids = PastIds::default();
    // Street by street, so memory stays bounded at Liaocheng scale.
    for street in &district.streets {
        let homes = store.households_for_visits(&street.code).await?;
        let mut h = FieldHistory::default();
        for g in district
            .grids
            .iter()
            .filter(|g| g.code.starts_with(&street.code))
        {
            let Some((worker, name)) = workers.get(&g.code) else {
                continue;
            };
            // From 0.55 (a grid that falls short) to 1.0.
            let diligence = 0.55 + 0.45 * roll(seed, key(&g.code), 1).sqrt();
            let mut d = first;
            while d <= today {
                let n = d.days_since_epoch() as u64;
                let working = calendar.is_working_day(d);
                if working && d < today && roll(seed, key(&g.code), n * 7 + 2) < diligence.max(0.8)
                {
                    let minutes = (150.0 * diligence
                        + 60.0 * (roll(seed, key(&g.code), n * 7 + 3) - 0.5))
                        .max(10.0);
                    let ms = (minutes * 60_000.0) as i64;
                    let start = local_midnight_ms(d)
                        + 9 * 3_600_000
                        + (roll(seed, key(&g.code), n * 7 + 4) * 3_600_000.0) as i64;
                    let id = ids.at(start);
                    h.patrols.push(patrol::Model {
                        county,
                        id,
                        account_id: *worker,
                        grid_code: g.code.clone(),
                        started_at: start,
                        stopped_at: Some(start + ms + 300_000),
                        points: 0,
                        distance_m: minutes * 45.0,
                        patrol_ms: ms,
                        inside_ms: (ms as f64 * (0.8 + 0.2 * diligence)) as i64,
                        notes: "演示数据：只有巡查统计，没有轨迹点".into(),
                        updated_at: start + ms,
                    });
                    h.days.push(patrol_day::Model {
                        county,
                        patrol_id: id,
                        day: n as i32,
                        account_id: *worker,
                        grid_code: g.code.clone(),
                        ms,
                    });
                }
                let filed_at = local_midnight_ms(d) + 17 * 3_600_000;
                if working && filed_at <= now && roll(seed, key(&g.code), n * 7 + 5) < diligence {
                    let says = roll(seed, key(&g.code), n * 7 + 6);
                    h.reports.push(daily_report::Model {
                        county,
                        account_id: *worker,
                        day: n as i32,
                        grid_code: g.code.clone(),
                        reporter: name.clone(),
                        nothing: says >= 0.2,
                        content: if says < 0.2 {
                            DAILY[(says * 20.0) as usize % DAILY.len()].to_string()
                        } else {
                            String::new()
                        },
                        created_at: filed_at,
                    });
                }
                d = d.add_days(1);
            }
        }
        homes.with_subjects(first, |subjects| {
            for (i, s) in subjects.iter().enumerate() {
                let grid = &homes.grids[i];
                let Some((worker, name)) = workers.get(grid.as_str()) else {
                    continue;
                };
                let diligence = 0.55 + 0.45 * roll(seed, key(grid), 1).sqrt();
                for day in visit_days(&rules, s, first, today, seed, diligence) {
                    let n = day.days_since_epoch();
                    let found = roll(seed, s.id as u64, n as u64 * 3 + 1);
                    let at = local_midnight_ms(day)
                        + 10 * 3_600_000
                        + (found * 6.0 * 3_600_000.0) as i64;
                    if at > now {
                        continue; // later today: not happened yet
                    }
                    let id = ids.at(at);
                    h.visits.push(visit::Model {
                        county,
                        id,
                        household_id: s.id,
                        grid_code: grid.clone(),
                        account_id: *worker,
                        visitor: name.clone(),
                        day: n as i32,
                        at_ms: at,
                        lng: None,
                        lat: None,
                        accuracy_m: None,
                        distance_m: None,
                        met: "户主".into(),
                        finding: if found < 0.08 {
                            FINDINGS[(found * 100.0) as usize % FINDINGS.len()].into()
                        } else {
                            String::new()
                        },
                        follow_up: String::new(),
                        event_id: None,
                        created_at: at,
                    });
                }
            }
        });
        written += h.len() as u64;
        store.write_field_history(&h).await?;
        progress.advance(1, &street.name);
    }
    progress.finish(&format!("{written} 条"));
    Ok(written)
}

/// The days a household is visited: for each rule that applies, each period from `first`
/// gets a visit on a random day with probability `diligence` (one visit serves every rule
/// whose period holds it).
fn visit_days(
    rules: &wangge_domain::visits::RuleSet,
    s: &Subject<'_>,
    first: Date,
    today: Date,
    seed: u64,
    diligence: f64,
) -> Vec<Date> {
    let mut days: Vec<Date> = Vec::new();
    for (r, rule) in rules.rules().iter().enumerate() {
        let applies = match rule.target().tags() {
            None => true,
            Some(set) => s.tags.iter().any(|t| set.contains(t.kind)),
        };
        if !applies {
            continue;
        }
        let mut period = Window::of(rule.interval(), first);
        while period.from <= today {
            let from = period.from.max(first);
            let to = period.to.min(today.add_days(1));
            let k = period.from.days_since_epoch() as u64 * 64 + r as u64;
            if roll(seed, s.id as u64, k) < diligence && !days.iter().any(|d| *d >= from && *d < to)
            {
                let span = (to.days_since_epoch() - from.days_since_epoch()).max(1);
                let offset = (roll(seed, s.id as u64, k + 1) * span as f64) as i64;
                days.push(from.add_days(offset.min(span - 1)));
            }
            period = Window::of(rule.interval(), period.to);
        }
    }
    days.sort();
    days.dedup();
    days
}
