//! The engine with a moved clock: month ends, leap Februaries, the half-year boundary, ISO
//! weeks across a year end, grace, moves between grids, arrivals, ordering, coverage, and
//! random histories.

use super::periods::{Clock, Obligation, Outcome, Rolling, Span};
use super::*;
use crate::population::TagKind;

const G1: &str = "370102001001001";
const G2: &str = "370102001001002";
const G3: &str = "370102001002001";
const COMMUNITY: &str = "370102001001";

fn d(y: i32, m: u8, dd: u8) -> Date {
    Date::new(y, m, dd).unwrap()
}

/// Every household, monthly, three days' grace.
const MONTHLY: &str = "key=m; name=每月必访; target=all; interval=monthly; grace=3";

fn rules(text: &str) -> RuleSet {
    RuleSet::parse(text).unwrap()
}

/// A household and what it borrows, owned for a test.
#[derive(Clone)]
struct Home {
    id: i64,
    building: &'static str,
    room: &'static str,
    tags: Vec<Tag>,
    memberships: Vec<Membership<'static>>,
    visits: Vec<Date>,
}

/// A household in `grid` since 2025-01-01.
fn home(id: i64, grid: &'static str, visits: &[Date]) -> Home {
    Home {
        id,
        building: "3701020010010010001",
        room: "101",
        tags: Vec::new(),
        memberships: vec![Membership {
            grid,
            from: d(2025, 1, 1),
            until: None,
        }],
        visits: visits.to_vec(),
    }
}

impl Home {
    fn tagged(mut self, kind: TagKind, since: Date) -> Home {
        self.tags.push(Tag { kind, since });
        self
    }

    fn at(mut self, building: &'static str, room: &'static str) -> Home {
        self.building = building;
        self.room = room;
        self
    }

    /// Moves to `grid` on `day`.
    fn moved(mut self, grid: &'static str, day: Date) -> Home {
        self.memberships.last_mut().unwrap().until = Some(day);
        self.memberships.push(Membership {
            grid,
            from: day,
            until: None,
        });
        self
    }

    fn living(mut self, from: Date, until: Option<Date>) -> Home {
        self.memberships = vec![Membership {
            grid: self.memberships[0].grid,
            from,
            until,
        }];
        self
    }

    fn subject(&self) -> Subject<'_> {
        Subject {
            id: self.id,
            building: self.building,
            room: self.room,
            tags: &self.tags,
            memberships: &self.memberships,
            visits: &self.visits,
        }
    }
}

/// The open period of the only rule.
fn due_on(rules: &RuleSet, home: &Home, today: Date) -> Due {
    let all = due(rules, &home.subject(), today);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0]
}

/// The open period of rule `rule`.
fn due_under_rule(rules: &RuleSet, rule: usize, home: &Home, today: Date) -> Due {
    let all = due(rules, &home.subject(), today);
    all.into_iter().find(|x| x.rule == rule).unwrap()
}

fn subjects(homes: &[Home]) -> Vec<Subject<'_>> {
    homes.iter().map(Home::subject).collect()
}

/// What `due` says of one rule, in a line: the period's first day, its due-by date, whether
/// it is done, open or in its grace, and the missed run before it.
fn describe(due: Due) -> String {
    let state = if due.done {
        "done"
    } else if due.in_grace {
        "in grace"
    } else {
        "open"
    };
    let mut line = format!("{} by {} {state}", due.from, due.due_by);
    if due.missed > 0 {
        line += &format!(", missed {}, overdue {}", due.missed, due.overdue_days);
    }
    line
}

/// Moves the clock over the days of `table`, checking what rule `rule` says on each.
fn check_days(rules: &RuleSet, rule: usize, home: &Home, table: &[(&str, &str)]) {
    for &(today, expected) in table {
        let due = due_under_rule(rules, rule, home, Date::parse(today).unwrap());
        assert_eq!(describe(due), expected, "on {today}");
    }
}

#[test]
fn monthly_across_month_ends_with_grace() {
    let r = rules(MONTHLY);
    let h = home(1, G1, &[d(2025, 12, 5), d(2026, 1, 31)]);
    check_days(
        &r,
        0,
        &h,
        &[
            // Visited on 31 January: January is done.
            ("2026-01-31", "2026-01-01 by 2026-02-03 done"),
            // The clock moves into February: a new month is open, nothing is overdue.
            ("2026-02-01", "2026-02-01 by 2026-03-03 open"),
            ("2026-02-28", "2026-02-01 by 2026-03-03 open"),
            // 1 to 3 March: February is over but its grace runs to 3 March.
            ("2026-03-01", "2026-02-01 by 2026-03-03 in grace"),
            ("2026-03-03", "2026-02-01 by 2026-03-03 in grace"),
            // 4 March: February is missed; March is open, one day overdue.
            (
                "2026-03-04",
                "2026-03-01 by 2026-04-03 open, missed 1, overdue 1",
            ),
            // Two months missed: overdue since February's due-by date.
            (
                "2026-04-10",
                "2026-04-01 by 2026-05-03 open, missed 2, overdue 38",
            ),
        ],
    );
    let done = due_on(&r, &h, d(2026, 1, 31));
    assert_eq!(
        (done.to, done.last_visit),
        (d(2026, 2, 1), Some(d(2026, 1, 31)))
    );
    assert_eq!(due_on(&r, &h, d(2026, 2, 1)).days_left(d(2026, 2, 28)), 3);
}

#[test]
fn leap_and_common_februaries() {
    let r = rules(MONTHLY);
    let h = home(1, G1, &[d(2024, 1, 9), d(2024, 2, 29)]).living(d(2024, 1, 1), None);
    check_days(
        &r,
        0,
        &h,
        &[
            ("2024-02-29", "2024-02-01 by 2024-03-03 done"),
            ("2024-03-01", "2024-03-01 by 2024-04-03 open"),
        ],
    );
    assert_eq!(due_on(&r, &h, d(2024, 2, 29)).to, d(2024, 3, 1));
    let common = home(2, G1, &[d(2026, 1, 9)]);
    check_days(
        &r,
        0,
        &common,
        &[("2026-02-28", "2026-02-01 by 2026-03-03 open")],
    );
    assert_eq!(due_on(&r, &common, d(2026, 2, 28)).to, d(2026, 3, 1));
}

#[test]
fn a_grace_visit_makes_up_the_month_before_when_its_own_month_has_another() {
    let r = rules(MONTHLY);
    let mut h = home(1, G1, &[d(2025, 12, 15), d(2026, 2, 2)]);
    let jan = Window::month(d(2026, 1, 1));
    let feb = Window::month(d(2026, 2, 1));
    let tally = |h: &Home, window, today| {
        coverage(&r, &subjects(std::slice::from_ref(h)), G1, window, today).total
    };
    check_days(
        &r,
        0,
        &h,
        &[
            // The 2 February visit serves February; January may be made up until the 3rd.
            ("2026-02-02", "2026-01-01 by 2026-02-03 in grace"),
            ("2026-02-04", "2026-02-01 by 2026-03-03 done"),
        ],
    );
    assert_eq!((tally(&h, jan, d(2026, 2, 10)).missed), 1);
    assert_eq!((tally(&h, feb, d(2026, 3, 10)).on_time), 1);
    // A second visit the same day does not serve two months.
    h.visits.push(d(2026, 2, 2));
    assert_eq!((tally(&h, jan, d(2026, 2, 10)).missed), 1);
    // A later February visit does: the 2 February one makes up January, late.
    h.visits.push(d(2026, 2, 20));
    check_days(
        &r,
        0,
        &h,
        &[("2026-02-20", "2026-02-01 by 2026-03-03 done")],
    );
    assert_eq!(tally(&h, jan, d(2026, 2, 20)).late, 1);
    assert_eq!(tally(&h, feb, d(2026, 3, 10)).on_time, 1);
    // A visit after the grace (5 February) makes up nothing.
    let after = home(2, G1, &[d(2025, 12, 15), d(2026, 2, 5), d(2026, 2, 20)]);
    assert_eq!(tally(&after, jan, d(2026, 2, 20)).missed, 1);
}

#[test]
fn half_year_boundary() {
    let r = RuleSet::defaults();
    let half = r.position("household_half_year").unwrap();
    let visited = home(1, G1, &[d(2025, 8, 1), d(2026, 6, 30)]);
    check_days(
        &r,
        half,
        &visited,
        &[
            ("2026-06-30", "2026-01-01 by 2026-07-07 done"),
            ("2026-07-01", "2026-07-01 by 2027-01-07 open"),
        ],
    );
    // No visit in January–June: the first week of July is its grace.
    let mut late = home(2, G1, &[d(2025, 8, 1)]);
    check_days(
        &r,
        half,
        &late,
        &[
            ("2026-07-01", "2026-01-01 by 2026-07-07 in grace"),
            (
                "2026-07-08",
                "2026-07-01 by 2027-01-07 open, missed 1, overdue 1",
            ),
        ],
    );
    // A visit on 5 July serves July–December; the first half may still be made up.
    late.visits.push(d(2026, 7, 5));
    check_days(
        &r,
        half,
        &late,
        &[
            ("2026-07-05", "2026-01-01 by 2026-07-07 in grace"),
            ("2026-07-08", "2026-07-01 by 2027-01-07 done"),
        ],
    );
    let h1_window = Window::half_year(d(2026, 3, 1));
    assert_eq!(h1_window.to, d(2026, 7, 1));
    let both = [visited, late.clone()];
    let c = coverage(&r, &subjects(&both), "", h1_window, d(2026, 7, 8));
    assert_eq!(c.by_rule[half].due, 2);
    assert_eq!((c.by_rule[half].on_time, c.by_rule[half].missed), (1, 1));
    // Another visit in the second half turns the 5 July one into the first half's, late.
    late.visits.push(d(2026, 9, 1));
    let both = [both[0].clone(), late];
    let c = coverage(&r, &subjects(&both), "", h1_window, d(2026, 9, 1));
    assert_eq!((c.by_rule[half].on_time, c.by_rule[half].late), (1, 1));
}

#[test]
fn iso_week_across_the_year_end() {
    let r = RuleSet::defaults();
    let weekly = r.position("living_alone_weekly").unwrap();
    let since = d(2026, 12, 1);
    // Visited Monday 28 December: that week runs to Sunday 3 January.
    let h = home(1, G1, &[d(2026, 12, 21), d(2026, 12, 28)]).tagged(TagKind::LivingAlone, since);
    check_days(
        &r,
        weekly,
        &h,
        &[
            ("2027-01-03", "2026-12-28 by 2027-01-04 done"),
            ("2027-01-04", "2027-01-04 by 2027-01-11 open"),
        ],
    );
    assert_eq!(
        due_under_rule(&r, weekly, &h, d(2027, 1, 3)).to,
        d(2027, 1, 4)
    );
    // Last visited the week before: Monday 4 January is the missed week's grace day.
    let gap = home(2, G1, &[d(2026, 12, 21)]).tagged(TagKind::LivingAlone, since);
    check_days(
        &r,
        weekly,
        &gap,
        &[
            ("2027-01-04", "2026-12-28 by 2027-01-04 in grace"),
            (
                "2027-01-05",
                "2027-01-04 by 2027-01-11 open, missed 1, overdue 1",
            ),
        ],
    );
    // A household without the tag owes no weekly visit.
    let untagged = due(&r, &home(3, G1, &[]).subject(), d(2027, 1, 5));
    assert!(untagged.iter().all(|x| x.rule != weekly));
}

#[test]
fn daily_and_rolling_rules() {
    let daily = rules("key=d; name=每日必访; target=key_person; interval=daily");
    let h = home(1, G1, &[d(2026, 3, 1), d(2026, 3, 2)]).tagged(TagKind::DrugUser, d(2026, 3, 1));
    check_days(
        &daily,
        0,
        &h,
        &[
            ("2026-03-02", "2026-03-02 by 2026-03-02 done"),
            ("2026-03-03", "2026-03-03 by 2026-03-03 open"),
            (
                "2026-03-05",
                "2026-03-05 by 2026-03-05 open, missed 2, overdue 2",
            ),
        ],
    );

    let rolling = rules("key=r; name=每10天; target=all; interval=every_10_days; grace=2");
    let mut h = home(2, G1, &[d(2026, 3, 1)]);
    check_days(
        &rolling,
        0,
        &h,
        &[
            // Visited today: the next ten days start tomorrow.
            ("2026-03-01", "2026-03-02 by 2026-03-13 open"),
            ("2026-03-12", "2026-03-02 by 2026-03-13 in grace"),
            (
                "2026-03-14",
                "2026-03-12 by 2026-03-23 open, missed 1, overdue 1",
            ),
        ],
    );
    assert_eq!(due_on(&rolling, &h, d(2026, 3, 1)).to, d(2026, 3, 12));
    // A visit in the grace counts, late, and the next ten days run from it.
    h.visits.push(d(2026, 3, 13));
    check_days(
        &rolling,
        0,
        &h,
        &[("2026-03-14", "2026-03-14 by 2026-03-25 open")],
    );
    let march = Window::month(d(2026, 3, 1));
    let c = coverage(&rolling, &subjects(&[h]), G1, march, d(2026, 4, 30));
    // Ten-day windows from the arrival (1 January 2025) that end in March: 25 February to
    // 6 March (visited 1 March), 2–11 March (13 March, late), 14–23 March (missed); the
    // next, from 24 March, ends in April.
    assert_eq!(
        (c.total.due, c.total.on_time, c.total.late, c.total.missed),
        (3, 1, 1, 1)
    );
}

#[test]
fn a_household_that_moves_grid_mid_month() {
    let r = rules(
        "key=kp; name=重点人员每月必访; target=key_person; interval=monthly\n\
         key=alone; name=独居老人每周必访; target=living_alone; interval=weekly",
    );
    let since = d(2026, 2, 1);
    let visits = [
        d(2026, 2, 10),
        d(2026, 3, 2),
        d(2026, 3, 9),
        d(2026, 3, 16),
        d(2026, 3, 23),
    ];
    let moved = home(1, G1, &visits)
        .tagged(TagKind::DrugUser, since)
        .tagged(TagKind::LivingAlone, since)
        .moved(G2, d(2026, 3, 15));
    let s = moved.subject();
    assert_eq!(s.grid_at(d(2026, 3, 14)), Some(G1));
    assert_eq!(s.grid_at(d(2026, 3, 15)), Some(G2));
    // The visits made while it was in G1 still count after the move.
    assert!(due(&r, &s, d(2026, 3, 20)).iter().all(|x| x.done));
    // Monday 30 March: this week's visit is due, to G2's worker.
    let today = d(2026, 3, 30);
    let homes = [moved.clone()];
    let list = worker_list(&r, &subjects(&homes), G2, today, Horizon::ThisWeek);
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].grid, list[0].due.rule), (G2, 1));
    assert_eq!(list[0].rules.iter().collect::<Vec<_>>(), [1]);
    assert!(worker_list(&r, &subjects(&homes), G1, today, Horizon::ThisWeek).is_empty());

    // Coverage of March: weeks count for the grid of their Sunday, the month for G2.
    let by_grid = coverage_by_grid(&r, &subjects(&homes), Window::month(today), d(2026, 4, 10));
    let (g1, g2) = (&by_grid[G1], &by_grid[G2]);
    // G1: the week to 1 March (missed) and to 8 March; G2: to 15, 22, 29 March.
    assert_eq!((g1.by_rule[1].due, g1.by_rule[1].missed), (2, 1));
    assert_eq!((g2.by_rule[1].due, g2.by_rule[1].on_time), (3, 3));
    assert_eq!((g1.by_rule[0].due, g2.by_rule[0].on_time), (0, 1));
    assert_eq!((g1.households, g2.households), (0, 1));

    // Unvisited since January: overdue in G1 the day before the move, in G2 from it.
    let behind = home(2, G1, &[d(2026, 1, 20)])
        .tagged(TagKind::CommunityCorrection, d(2026, 1, 1))
        .moved(G2, d(2026, 3, 15));
    let homes = [behind];
    let list = |grid, day| worker_list(&r, &subjects(&homes), grid, day, Horizon::Today);
    assert_eq!(list(G1, d(2026, 3, 14)).len(), 1);
    assert_eq!(list(G1, d(2026, 3, 14))[0].due.overdue_days, 14);
    assert!(list(G2, d(2026, 3, 14)).is_empty());
    assert!(list(G1, d(2026, 3, 15)).is_empty());
    assert_eq!(list(G2, d(2026, 3, 15))[0].grid, G2);
}

#[test]
fn arrivals_departures_and_new_tags() {
    let r = rules(MONTHLY);
    // Arrives 20 March: owes March.
    let arrived = home(1, G1, &[]).living(d(2026, 3, 20), None);
    assert!(due(&r, &arrived.subject(), d(2026, 3, 19)).is_empty());
    check_days(
        &r,
        0,
        &arrived,
        &[
            ("2026-03-25", "2026-03-01 by 2026-04-03 open"),
            (
                "2026-04-04",
                "2026-04-01 by 2026-05-03 open, missed 1, overdue 1",
            ),
        ],
    );
    // Leaves 10 March: owes February, not March.
    let left = home(2, G1, &[]).living(d(2026, 2, 1), Some(d(2026, 3, 10)));
    assert!(due(&r, &left.subject(), d(2026, 3, 20)).is_empty());
    let homes = [arrived, left];
    let month = |day| {
        coverage(
            &r,
            &subjects(&homes),
            G1,
            Window::month(day),
            d(2026, 4, 10),
        )
    };
    let (march, feb) = (month(d(2026, 3, 1)), month(d(2026, 2, 1)));
    assert_eq!((march.total.due, march.total.missed), (1, 1));
    assert_eq!((feb.total.due, feb.total.missed), (1, 1));
    // Tagged a key person on 10 March: owes from March, not before.
    let kp = rules("key=kp; name=重点人员每月必访; target=key_person; interval=monthly; grace=3");
    let tagged = home(3, G1, &[]).tagged(TagKind::ReleasedPrisoner, d(2026, 3, 10));
    assert!(due(&kp, &tagged.subject(), d(2026, 3, 9)).is_empty());
    let expected = "2026-04-01 by 2026-05-03 open, missed 1, overdue 2";
    check_days(&kp, 0, &tagged, &[("2026-04-05", expected)]);
}

#[test]
fn a_workers_list_is_ordered_by_overdue_then_deadline_then_building() {
    let r = rules(
        "key=m; name=每月必访; target=all; interval=monthly\n\
         key=alone; name=独居老人每周必访; target=living_alone; interval=weekly",
    );
    let b0 = "3701020010010010000";
    let b1 = "3701020010010010001";
    let b2 = "3701020010010010002";
    let homes = [
        home(1, G1, &[d(2026, 1, 10)]).at(b2, "101"),
        home(2, G1, &[d(2026, 2, 10)]).at(b2, "201"),
        home(3, G1, &[d(2026, 3, 5)])
            .at(b1, "102")
            .tagged(TagKind::LivingAlone, d(2026, 4, 27)),
        home(4, G1, &[d(2026, 3, 5)]).at(b1, "101"),
        home(5, G1, &[d(2026, 3, 5)]).at(b0, "301"),
        home(6, G1, &[d(2026, 4, 3)]).at(b0, "101"),
        home(7, G2, &[d(2026, 3, 5)]).at(b0, "101"),
    ];
    // Monday 27 April: the week runs to 3 May, April's visits are due by 30 April.
    let today = d(2026, 4, 27);
    let list = worker_list(&r, &subjects(&homes), G1, today, Horizon::ThisWeek);
    let order: Vec<i64> = list.iter().map(|i| homes[i.subject].id).collect();
    assert_eq!(order, [1, 2, 5, 4, 3]);
    let overdue: Vec<u32> = list.iter().map(|i| i.due.overdue_days).collect();
    assert_eq!(overdue, [58, 27, 0, 0, 0]);
    // Household 3 owes both rules this week; April (30th) is sooner than the week (3 May).
    let three = &list[4];
    assert_eq!(three.rules.iter().collect::<Vec<_>>(), [0, 1]);
    assert_eq!((three.due.rule, three.due.due_by), (0, d(2026, 4, 30)));
    // Today only: the overdue.
    let urgent = worker_list(&r, &subjects(&homes), G1, today, Horizon::Today);
    assert_eq!(urgent.len(), 2);
    // The community sees its other grid too.
    let all = worker_list(&r, &subjects(&homes), COMMUNITY, today, Horizon::ThisWeek);
    assert_eq!(all.len(), 6);
    assert_eq!(Horizon::ThisWeek.last_day(d(2026, 3, 20)), d(2026, 3, 22));
    assert_eq!(Horizon::ThisWeek.last_day(d(2026, 3, 22)), d(2026, 3, 22));
}

#[test]
fn coverage_of_a_grid_community_and_street() {
    let r = rules(MONTHLY);
    let homes = [
        home(1, G1, &[d(2026, 3, 5)]),
        home(2, G1, &[d(2026, 4, 2), d(2026, 4, 8)]),
        home(3, G1, &[]),
        home(4, G2, &[d(2026, 3, 31)]),
        home(5, G3, &[d(2026, 3, 1)]),
    ];
    let all = subjects(&homes);
    let march = Window::month(d(2026, 3, 15));
    let today = d(2026, 4, 10);
    let g1 = coverage(&r, &all, G1, march, today);
    assert_eq!(
        g1.total,
        Tally {
            due: 3,
            on_time: 1,
            late: 1,
            missed: 1,
            pending: 0
        }
    );
    assert_eq!((g1.households, g1.never_visited), (3, 1));
    assert_eq!(g1.total.on_time_share(), Some(1.0 / 3.0));
    assert_eq!(g1.total.done_share(), Some(2.0 / 3.0));
    let by_grid = coverage_by_grid(&r, &all, march, today);
    assert_eq!(by_grid[G1], g1);
    let communities = roll_up(&by_grid, crate::region::Level::Community);
    assert_eq!(communities.len(), 2);
    assert_eq!(
        communities[COMMUNITY],
        coverage(&r, &all, COMMUNITY, march, today)
    );
    assert_eq!(communities[COMMUNITY].total.on_time, 2);
    let streets = roll_up(&by_grid, crate::region::Level::Street);
    assert_eq!(streets["370102001"].total.due, 5);
    assert_eq!(streets["370102001"].total.on_time, 3);
    let never: Vec<i64> = never_visited(&all, G1, today).map(|s| s.id).collect();
    assert_eq!(never, [3]);
    // Without rules nothing is due, and the households are still counted.
    let bare = coverage(&RuleSet::default(), &all, G1, march, today);
    assert_eq!(
        (bare.total.due, bare.households, bare.never_visited),
        (0, 3, 1)
    );

    // The half year so far: January to April begun; April open for two of them.
    let half = coverage(&r, &all, G1, Window::half_year(today), today);
    assert_eq!(
        half.total,
        Tally {
            due: 12,
            on_time: 2,
            late: 1,
            missed: 7,
            pending: 2
        }
    );
    // Mid-month, March is pending for those not yet visited.
    let mid = coverage(&r, &all, G1, march, d(2026, 3, 20));
    assert_eq!((mid.total.on_time, mid.total.pending), (1, 2));
    assert_eq!(Tally::default().on_time_share(), None);
    assert!(Window::new(d(2026, 3, 2), d(2026, 3, 1)).is_none());
}

/// A small LCG, so the random histories repeat from run to run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn interval(&mut self) -> (Interval, u16) {
        let interval = match self.below(5) {
            0 => Interval::Daily,
            1 => Interval::Weekly,
            2 => Interval::Monthly,
            3 => Interval::HalfYear,
            _ => Interval::EveryDays(2 + self.below(40) as u16),
        };
        let grace = self.below(u64::from(interval.shortest_days())) as u16;
        (interval, grace)
    }
}

fn one_rule(interval: Interval, grace: u16) -> RuleSet {
    let rule = Rule::new("r", "规则", Target::AllHouseholds, interval, grace).unwrap();
    RuleSet::new(vec![rule]).unwrap()
}

#[test]
fn visited_in_every_period_is_never_overdue() {
    let mut rng = Lcg(0x5eed);
    for _ in 0..300 {
        let (interval, grace) = rng.interval();
        let r = one_rule(interval, grace);
        let arrived = d(2025, 1, 1).add_days(rng.below(400) as i64);
        let end = arrived.add_days(30 + rng.below(500) as i64);
        let (start, stop) = (walk_day(arrived), walk_day(end));
        let mut visits = Vec::new();
        if let Interval::EveryDays(n) = interval {
            // Each visit within n days of the one before (the first, of the arrival).
            let mut last = start - 1;
            while last < stop {
                last += 1 + rng.below(u64::from(n)) as i64;
                visits.push(walk_date(last));
            }
        } else {
            let mut span = interval.span_containing(start);
            while span.from <= stop {
                // One to three visits in each period, plus now and then a stray one.
                for _ in 0..1 + rng.below(3) {
                    let from = span.from.max(start);
                    visits.push(walk_date(from + rng.below((span.to - from) as u64) as i64));
                }
                span = interval.span_after(span);
            }
        }
        visits.sort();
        let h = home(1, G1, &visits).living(arrived, None);
        let mut today = arrived;
        while today <= end {
            let due = due_on(&r, &h, today);
            assert_eq!(
                (due.missed, due.overdue_days),
                (0, 0),
                "{interval:?} grace {grace}, {today}, visits {visits:?}"
            );
            today = today.add_days(1 + rng.below(6) as i64);
        }
        let c = coverage(&r, &subjects(&[h]), G1, Window::half_year(end), end);
        assert_eq!(c.total.missed, 0, "{interval:?} grace {grace}");
    }
}

/// A household with random sparse visits (some before its arrival, some on the same day)
/// that now and then moves, or leaves for a while and comes back.
fn random_home(rng: &mut Lcg) -> Home {
    let arrived = d(2025, 1, 1).add_days(rng.below(300) as i64);
    let mut visits: Vec<Date> = (0..rng.below(25))
        .map(|_| arrived.add_days(rng.below(700) as i64 - 60))
        .collect();
    visits.sort();
    let mut h = home(1, G1, &visits).living(arrived, None);
    match rng.below(3) {
        0 => h = h.moved(G2, arrived.add_days(1 + rng.below(400) as i64)),
        1 => {
            let away = arrived.add_days(1 + rng.below(300) as i64);
            let back = away.add_days(1 + rng.below(200) as i64);
            h.memberships[0].until = Some(away);
            h.memberships.push(Membership {
                grid: G2,
                from: back,
                until: None,
            });
        }
        _ => {}
    }
    h
}

/// Runs `check` on a random household at twenty random days from its arrival on.
fn on_random_days(rng: &mut Lcg, mut check: impl FnMut(&Home, Date, &mut Lcg)) {
    let h = random_home(rng);
    let arrived = h.memberships[0].from;
    for _ in 0..20 {
        let today = arrived.add_days(rng.below(720) as i64);
        check(&h, today, rng);
    }
}

#[test]
fn calendar_standings_agree_with_due_and_use_each_visit_day_once() {
    let mut rng = Lcg(42);
    for _ in 0..400 {
        let (interval, grace) = loop {
            let (interval, grace) = rng.interval();
            if !interval.is_rolling() {
                break (interval, grace);
            }
        };
        let r = one_rule(interval, grace);
        let rule = &r.rules()[0];
        on_random_days(&mut rng, |h, today, _| {
            let s = h.subject();
            let arrived = h.memberships[0].from;
            let seen = s.visits_until(today);
            let clock = Clock::new(rule, today);
            let ob = Obligation::new(&clock, rule, &s, seen).unwrap();
            // Every period from the arrival's to today's, forward.
            let now = interval.span_containing(clock.today);
            let mut standings: Vec<(Span, Option<Outcome>)> = Vec::new();
            let mut span = interval.span_containing(walk_day(arrived));
            while span.from <= now.from {
                let period = clock.period(span);
                standings.push((span, ob.owed(&period).then(|| ob.outcome(&period))));
                span = interval.span_after(span);
            }
            let served = standings
                .iter()
                .filter(|(_, o)| matches!(o, Some(Outcome::OnTime | Outcome::Late)))
                .count();
            let mut days = seen.to_vec();
            days.dedup();
            assert!(served <= days.len(), "{interval:?} {grace} {today} {h:?}");

            let Some(due) = Agenda::new(&r, today).due_under(0, &s, seen, true) else {
                assert!(s.grid_at(today).is_none());
                return;
            };
            let last = standings.len() - 1;
            let open = match standings.get(last.wrapping_sub(1)) {
                Some((_, Some(Outcome::Pending))) => last - 1,
                _ => last,
            };
            let done = open == last && standings[last].1 == Some(Outcome::OnTime);
            let run = standings[..open]
                .iter()
                .rev()
                .take_while(|(_, o)| *o == Some(Outcome::Missed))
                .count();
            let missed = if done { 0 } else { run };
            let overdue = match missed {
                0 => 0,
                n => clock.today - clock.due_by(standings[open - n].0),
            };
            assert_eq!(
                (
                    due.from,
                    due.done,
                    due.missed as usize,
                    i64::from(due.overdue_days)
                ),
                (walk_date(standings[open].0.from), done, missed, overdue),
                "{interval:?} grace {grace}, {today}, {h:?}"
            );
        });
    }
}

fn walk_day(d: Date) -> i64 {
    periods::day(d)
}

fn walk_date(d: i64) -> Date {
    periods::date(d)
}

/// A rolling walk's periods, from the short or the full walk.
fn rolling_walk(
    r: &RuleSet,
    h: &Home,
    today: Date,
    limit: Date,
    shortcut: bool,
) -> Vec<(Span, Outcome)> {
    let rule = &r.rules()[0];
    let s = h.subject();
    let clock = Clock::new(rule, today);
    let ob = Obligation::new(&clock, rule, &s, s.visits_until(today)).unwrap();
    let Interval::EveryDays(n) = rule.interval() else {
        unreachable!("a rolling rule")
    };
    let mut walk = Rolling::new(&ob, n, walk_day(limit), shortcut);
    let mut out = Vec::new();
    walk.run(i64::MAX, &mut |span, outcome| out.push((span, outcome)));
    out
}

#[test]
fn the_short_rolling_walk_agrees_with_the_full_walk() {
    let mut rng = Lcg(7);
    for _ in 0..400 {
        let n = 2 + rng.below(40) as u16;
        let grace = rng.below(u64::from(n)) as u16;
        let r = one_rule(Interval::EveryDays(n), grace);
        on_random_days(&mut rng, |h, today, rng| {
            let s = h.subject();
            let seen = s.visits_until(today);
            let agenda = Agenda::new(&r, today);
            let short = agenda.due_under(0, &s, seen, true);
            let full = agenda.due_under(0, &s, seen, false);
            assert_eq!(short, full, "every {n} grace {grace}, {today}, {h:?}");
            // The short walk from before a month gives that month's periods as the full.
            let window = Window::month(today.add_days(-(rng.below(90) as i64)));
            let in_window = |walk: Vec<(Span, Outcome)>| -> Vec<(Span, Outcome)> {
                walk.into_iter()
                    .filter(|(span, _)| {
                        (walk_day(window.from)..walk_day(window.to)).contains(&span.last())
                    })
                    .collect()
            };
            let limit = window.from.add_days(-i64::from(n));
            let full = in_window(rolling_walk(&r, h, today, limit, false));
            assert_eq!(
                in_window(rolling_walk(&r, h, today, limit, true)),
                full,
                "every {n} grace {grace}, {window:?} at {today}, {h:?}"
            );
            // Coverage agrees with the full walk on every period that has ended.
            let mut expected = Tally::default();
            for (_, outcome) in &full {
                expected.count(*outcome);
            }
            let got = coverage(&r, &subjects(std::slice::from_ref(h)), "", window, today).total;
            assert_eq!(got.due, got.on_time + got.late + got.missed + got.pending);
            let ended = Tally {
                due: got.due - got.pending,
                pending: 0,
                ..got
            };
            assert_eq!(
                ended, expected,
                "every {n} grace {grace}, {window:?} at {today}"
            );
        });
    }
}

impl std::fmt::Debug for Home {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} visits {:?}", self.memberships, self.visits)
    }
}
