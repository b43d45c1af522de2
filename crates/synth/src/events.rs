//! A deterministic history of events (事件) for a generated district over the past days:
//! for each event its grid and a point inside it, the catalog item, a Chinese description,
//! who reported it and when, and every later step of the closed loop with its time — each
//! accepted by `wangge_domain::case::step`, so only legal histories are planned.
//!
//! Pure: event `n` depends only on the config, the district, the catalog, the calendar and
//! `n`, so callers plan events on several threads in any order and stream them in batches.
//! Events are numbered in the order they were reported. Deadlines, warnings and overdue
//! flags are not planned here: the store works them out from the steps' times, as it does
//! for live events.

mod fate;
mod story;
mod texts;
mod timeline;

use wangge_domain::case::Action;
use wangge_domain::catalog::CatalogItem;
use wangge_domain::date::Date;
use wangge_domain::worktime::WorkCalendar;

use crate::district::District;
use crate::geometry::Point;
use crate::places;
use crate::rng::{Rng, key_of};
use crate::scatter::scatter;
use fate::Kind;
use timeline::Timeline;

/// Events a grid reports in the history by default (about 9,000 for Shifeng's 232 grids).
pub const EVENTS_PER_GRID: u64 = 40;
/// Days of history before the generation's "now".
pub const HISTORY_DAYS: u32 = 90;

/// Salts of the history's random streams (apart from those of `rng::salt`).
const SALT_TIME: u64 = 0x6576_7469;
const SALT_BASE: u64 = 0x6576_6261;
const SALT_KIND: u64 = 0x6576_6b69;
const SALT_FATE: u64 = 0x6576_6661;
const SALT_GRID: u64 = 0x6576_6772;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HistoryConfig {
    pub seed: u64,
    /// Number of events.
    pub events: u64,
    /// The generation's "now" (UTC ms): every step is before it.
    pub now_ms: i64,
    pub days: u32,
}

/// Where a report came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Patrol,
    Citizen,
    Hotline,
    Department,
    Video,
}

impl Source {
    /// The store's machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Patrol => "patrol",
            Source::Citizen => "citizen",
            Source::Hotline => "hotline",
            Source::Department => "department",
            Source::Video => "video",
        }
    }
}

/// Shares of the sources: grid workers' patrols find most problems.
const SOURCES: [(Source, f64); 5] = [
    (Source::Patrol, 0.70),
    (Source::Citizen, 0.20),
    (Source::Hotline, 0.06),
    (Source::Department, 0.02),
    (Source::Video, 0.02),
];

/// Who takes a step; the store puts names and accounts on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// The full-time grid worker of the event's grid.
    GridWorker,
    /// The command center of the level that owns the case.
    Center,
    /// A leader ordering supervision.
    Leader,
    /// A member of a department: its head when reporting, a handler otherwise.
    Department { code: String, name: String },
    /// A citizen, who has no account.
    Citizen(String),
    /// The 12345 hotline desk of the command center.
    Hotline,
    /// The video patrol desk of the command center.
    Video,
}

/// A step of the loop after the report.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedStep {
    pub at: i64,
    pub who: Who,
    pub action: Action,
    /// The reason, result or note the action takes (may be empty where optional).
    pub note: String,
    /// Dispatch: the lead department's code; claim: the claiming department's.
    pub department: Option<String>,
    /// Dispatch: `None` for the catalog's co-departments, or the list given.
    pub co_departments: Option<Vec<String>>,
    /// Suspend: when to look again.
    pub review_date: Option<Date>,
    /// Merge: the number of the event this one duplicates.
    pub duplicate_of: Option<u64>,
    /// Rate: 1 to 5.
    pub score: Option<u8>,
    /// Request an extension: working days asked for.
    pub days: Option<i32>,
}

impl PlannedStep {
    pub fn new(action: Action, who: Who) -> PlannedStep {
        PlannedStep {
            at: 0,
            who,
            action,
            note: String::new(),
            department: None,
            co_departments: None,
            review_date: None,
            duplicate_of: None,
            score: None,
            days: None,
        }
    }

    fn note(mut self, note: &str) -> PlannedStep {
        self.note = note.to_owned();
        self
    }
}

/// One event of the history.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedEvent {
    /// Position in report order, `0..events`.
    pub index: u64,
    pub grid_code: String,
    pub item_code: String,
    pub description: String,
    pub address: String,
    /// WGS84, inside the grid.
    pub point: [f64; 2],
    pub urgent: bool,
    pub source: Source,
    pub reporter: Who,
    pub created_at: i64,
    /// In time order, all before the config's `now_ms`.
    pub steps: Vec<PlannedStep>,
    /// The comment given with the rating, if any.
    pub rating_comment: Option<String>,
}

/// A grid as the history needs it.
struct Site {
    code: String,
    ring: Vec<Point>,
    community: String,
    street: String,
    roads: Vec<String>,
    village: bool,
}

/// A department as the history needs it.
struct Dept {
    code: String,
    short_name: String,
    head: String,
    handlers: Vec<String>,
}

/// The plan of a whole history; [`History::event`] gives each event.
pub struct History {
    cfg: HistoryConfig,
    timeline: Timeline,
    sites: Vec<Site>,
    /// Cumulative activity of the grids: some grids report more than others.
    site_weights: Vec<f64>,
    /// Catalog items whose lead department exists, with their cumulative weights.
    items: Vec<CatalogItem>,
    item_weights: Vec<f64>,
    /// The same for the items a grid worker can settle on the spot.
    settle_weights: Vec<f64>,
    depts: Vec<Dept>,
    calendar: WorkCalendar,
}

/// Facts of an event that its duplicates share.
struct Base {
    site: usize,
    item: usize,
    point: Point,
    urgent: bool,
    place: String,
    detail: String,
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |sum, w| {
            *sum += w;
            Some(*sum)
        })
        .collect()
}

/// An index drawn by cumulative weights (non-empty).
fn draw(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let target = rng.unit() * total;
    cumulative
        .partition_point(|&c| c <= target)
        .min(cumulative.len() - 1)
}

impl History {
    /// Plans `cfg.events` events over the district's grids from the catalog's items that a
    /// department of the district leads; none when there are no grids or no such items.
    pub fn new(
        cfg: HistoryConfig,
        district: &District,
        catalog: &[CatalogItem],
        calendar: &WorkCalendar,
    ) -> History {
        let name_of = |code: &str, regions: &[crate::Region]| {
            regions
                .iter()
                .find(|r| r.code == code)
                .map_or_else(String::new, |r| r.name.clone())
        };
        let sites: Vec<Site> = district
            .grids
            .iter()
            .map(|g| {
                let community = name_of(&g.community, &district.communities);
                let street = name_of(g.code.get(..9).unwrap_or(""), &district.streets);
                Site {
                    code: g.code.clone(),
                    ring: g.ring.clone(),
                    village: community.ends_with('村'),
                    community,
                    street: format!("{}{street}", district.county.name),
                    roads: places::roads(cfg.seed, key_of(&g.community), 5),
                }
            })
            .collect();
        let site_weights = cumulative(
            (0..sites.len()).map(|i| Rng::stream(cfg.seed, SALT_GRID, i as u64).between(0.4, 1.6)),
        );
        let depts: Vec<Dept> = district
            .departments
            .iter()
            .map(|d| Dept {
                code: d.code.clone(),
                short_name: d.short_name.clone(),
                head: d
                    .people
                    .first()
                    .map_or_else(String::new, |p| p.name.clone()),
                handlers: d.people.iter().skip(1).map(|p| p.name.clone()).collect(),
            })
            .collect();
        let items: Vec<CatalogItem> = catalog
            .iter()
            .filter(|i| depts.iter().any(|d| d.code == i.lead))
            .cloned()
            .collect();
        // A category's share is spread over its items by how common each is.
        let weights: Vec<f64> = items
            .iter()
            .map(|i| {
                let in_category: f64 = items
                    .iter()
                    .filter(|o| o.category == i.category)
                    .map(|o| texts::item_weight(&o.name))
                    .sum();
                texts::category(&i.category).weight * texts::item_weight(&i.name) / in_category
            })
            .collect();
        let item_weights = cumulative(weights.iter().copied());
        // Only some items can be settled on the spot (a stall moved on, not a street light).
        let settle_weights = cumulative(items.iter().zip(&weights).map(|(i, w)| {
            let settles = texts::fitting(texts::category(&i.category).settles, &i.name);
            if settles.is_empty() { 0.0 } else { *w }
        }));
        let cfg = if sites.is_empty() || items.is_empty() {
            HistoryConfig { events: 0, ..cfg }
        } else {
            cfg
        };
        History {
            timeline: Timeline::new(cfg.now_ms, cfg.days, calendar),
            cfg,
            sites,
            site_weights,
            items,
            item_weights,
            settle_weights,
            depts,
            calendar: calendar.clone(),
        }
    }

    /// Number of events planned.
    pub fn len(&self) -> u64 {
        self.cfg.events
    }

    pub fn is_empty(&self) -> bool {
        self.cfg.events == 0
    }

    /// When event `n` was reported: increasing with `n`, cheap, without planning the event.
    pub fn created_at(&self, n: u64) -> i64 {
        let jitter = Rng::stream(self.cfg.seed, SALT_TIME, n).unit();
        let at = self
            .timeline
            .at((n as f64 + jitter) / self.cfg.events.max(1) as f64);
        // Whole seconds, as people read them.
        at - at.rem_euclid(1000)
    }

    /// Event `n` (`n < len()`), with its steps up to the config's "now".
    pub fn event(&self, n: u64) -> PlannedEvent {
        let kind = self.kind(n);
        let mut rng = Rng::stream(self.cfg.seed, SALT_FATE, n);
        let duplicate_of = match kind {
            Kind::Merged => self.original_of(n, &mut rng),
            _ => None,
        };
        let kind = match kind {
            Kind::Merged if duplicate_of.is_none() => Kind::Loop,
            Kind::Settled if self.settle_weights.last().is_none_or(|&w| w <= 0.0) => Kind::Loop,
            k => k,
        };
        // A duplicate is the same problem at the same place, reported again.
        let base = self.base(duplicate_of.unwrap_or(n), kind == Kind::Settled);
        let source = match kind {
            // Settling on the spot is the grid worker's own report.
            Kind::Settled => Source::Patrol,
            Kind::Merged | Kind::Declined if rng.chance(0.6) => {
                rng.pick(&[Source::Citizen, Source::Citizen, Source::Hotline])
            }
            _ => {
                let r = rng.unit();
                let mut acc = 0.0;
                SOURCES
                    .iter()
                    .find(|(_, share)| {
                        acc += share;
                        r < acc
                    })
                    .map_or(Source::Patrol, |&(s, _)| s)
            }
        };
        let item = &self.items[base.item];
        let reporter = match source {
            Source::Patrol => Who::GridWorker,
            Source::Citizen => {
                let mut name = crate::names::surname(&mut rng).to_owned();
                name.push_str(if rng.chance(0.5) { "先生" } else { "女士" });
                Who::Citizen(name)
            }
            Source::Hotline => Who::Hotline,
            Source::Video => Who::Video,
            Source::Department => Who::Department {
                code: item.lead.clone(),
                name: self
                    .dept(&item.lead)
                    .map_or_else(String::new, |d| d.head.clone()),
            },
        };
        let site = &self.sites[base.site];
        let (what, place, detail) = (&item.name, &base.place, &base.detail);
        let description = match source {
            Source::Patrol => format!("巡查发现{place}{what}，{detail}。"),
            Source::Citizen => format!("群众反映{place}{what}，{detail}，希望尽快处理。"),
            Source::Hotline => format!("12345热线转办：市民来电反映{place}{what}，{detail}。"),
            Source::Department => format!(
                "{}日常检查发现{place}{what}，{detail}。",
                self.dept(&item.lead).map_or("", |d| d.short_name.as_str())
            ),
            Source::Video => format!("视频监控发现{place}{what}，{detail}。"),
        };
        let created_at = self.created_at(n);
        let plot = fate::plot(
            fate::Setting {
                history: self,
                item,
                urgent: base.urgent,
                reporter: &reporter,
                reported_at: created_at,
                index: n,
                duplicate_of,
            },
            &mut rng,
            kind,
        );
        PlannedEvent {
            index: n,
            grid_code: site.code.clone(),
            item_code: item.code.clone(),
            description,
            address: format!("{}{place}", site.street),
            point: base.point,
            urgent: base.urgent,
            source,
            reporter,
            created_at,
            steps: plot.steps,
            rating_comment: plot.comment,
        }
    }

    /// The grid, item, point and words of event `n`, shared with its duplicates; an item a
    /// grid worker can settle on the spot when `settled`.
    fn base(&self, n: u64, settled: bool) -> Base {
        let mut rng = Rng::stream(self.cfg.seed, SALT_BASE, n);
        let site = draw(&mut rng, &self.site_weights);
        let item = draw(
            &mut rng,
            if settled {
                &self.settle_weights
            } else {
                &self.item_weights
            },
        );
        let s = &self.sites[site];
        let point = scatter(&mut rng, &s.ring, 1)
            .first()
            .copied()
            .unwrap_or(s.ring[0]);
        let category = &self.items[item].category;
        // Hazards and public order are urgent more often (about 5 % overall).
        let urgent_share = match category.as_str() {
            "安全隐患" | "治安管理" | "水电气讯" => 0.15,
            _ => 0.03,
        };
        let urgent = rng.chance(urgent_share);
        let place = texts::place(&mut rng, &s.community, &s.roads, s.village);
        let details = texts::fitting(texts::category(category).details, &self.items[item].name);
        let phrase = rng.pick(&details);
        let detail = texts::fill(&mut rng, phrase);
        Base {
            site,
            item,
            point,
            urgent,
            place,
            detail,
        }
    }

    /// An earlier event that event `n` may duplicate: one reported shortly before that
    /// became a case of its own.
    fn original_of(&self, n: u64, rng: &mut Rng) -> Option<u64> {
        let random = (0..4).map(|_| u64::from(rng.range(1, 40)));
        random
            .chain(1..=40)
            .filter_map(|back| n.checked_sub(back))
            .find(|&m| matches!(self.kind(m), Kind::Loop | Kind::Suspended { .. }))
    }

    fn dept(&self, code: &str) -> Option<&Dept> {
        self.depts.iter().find(|d| d.code == code)
    }

    /// A handler of the department for event `n` (the same one all along the event).
    fn handler(&self, code: &str, n: u64) -> Who {
        let name = self
            .dept(code)
            .and_then(|d| {
                let i = (key_of(code) ^ n) % d.handlers.len().max(1) as u64;
                d.handlers.get(i as usize).or(Some(&d.head))
            })
            .cloned()
            .unwrap_or_default();
        Who::Department {
            code: code.to_owned(),
            name,
        }
    }

    /// The kind of story of event `n`, cheap to know without planning it (duplicates look
    /// back at their original's).
    fn kind(&self, n: u64) -> Kind {
        if let Some(k) = fate::forced(n, self.cfg.events) {
            return k;
        }
        fate::draw_kind(&mut Rng::stream(self.cfg.seed, SALT_KIND, n))
    }
}

#[cfg(test)]
mod tests;
