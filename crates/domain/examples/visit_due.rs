//! Times the visit-rule engine over a Liaocheng-sized city of synthetic households:
//! `cargo run --release -p wangge-domain --example visit_due [households]` (default
//! 2,500,000 over 8,930 grids, with the default rules, as of 2026-11-20).

use std::time::Instant;

use wangge_domain::date::Date;
use wangge_domain::population::TagKind;
use wangge_domain::region::Level;
use wangge_domain::visits::{
    Agenda, Horizon, Interval, Membership, RuleSet, Subject, Tag, Window, coverage_by_grid,
    roll_up, worker_list,
};

const GRIDS: usize = 8_930;
const PER_BUILDING: usize = 24;

/// xorshift64*: repeatable, no dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) % n.max(1)
    }
}

fn days(from: Date, to: Date) -> i64 {
    to.days_since_epoch() - from.days_since_epoch()
}

/// Household `h`'s visits: in each period of `interval` from `from` to `today`, one on a
/// random day with chance `care` in 100.
fn visit(
    rng: &mut Rng,
    out: &mut Vec<Date>,
    interval: Interval,
    from: Date,
    today: Date,
    care: u64,
) {
    let mut period = Window::of(interval, from);
    while period.from <= today {
        let first = period.from.max(from);
        let last = period.to.add_days(-1).min(today);
        if rng.below(100) < care && first <= last {
            out.push(first.add_days(rng.below(days(first, last) as u64 + 1) as i64));
        }
        period = Window::of(interval, period.to);
    }
}

fn main() {
    let households: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(2_500_000);
    let today = Date::new(2026, 11, 20).expect("a date");
    let start = Date::new(2025, 1, 1).expect("a date");
    let rules = RuleSet::defaults();

    let clock = Instant::now();
    let grids: Vec<String> = (0..GRIDS)
        .map(|g| {
            format!(
                "371502{:03}{:03}{:03}",
                g / 450 + 1,
                g / 5 % 90 + 1,
                g % 5 + 1
            )
        })
        .collect();
    let buildings: Vec<String> = (0..households.div_ceil(PER_BUILDING))
        .map(|b| {
            format!(
                "{}{:04}",
                grids[b * PER_BUILDING * GRIDS / households],
                b % 10_000
            )
        })
        .collect();
    let rooms: Vec<String> = (0..PER_BUILDING)
        .map(|r| format!("{}-{}{:02}", r / 12 + 1, r % 12 / 2 + 1, r % 2 + 1))
        .collect();
    let key_tags = [
        TagKind::CommunityCorrection,
        TagKind::ReleasedPrisoner,
        TagKind::DrugUser,
        TagKind::SevereMentalDisorder,
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut tags = Vec::new();
    let mut memberships = Vec::new();
    let mut visits = Vec::new();
    // Per household: where its tags, memberships and visits start.
    let mut starts = Vec::with_capacity(households + 1);
    for h in 0..households {
        starts.push((tags.len(), memberships.len(), visits.len()));
        let grid = h * GRIDS / households;
        // Most households came with the first import; the rest arrived since.
        let arrived = if rng.below(10) < 7 {
            start
        } else {
            start.add_days(rng.below(days(start, today) as u64) as i64)
        };
        let care = match rng.below(100) {
            0..3 => 0,
            3..20 => 60,
            _ => 95,
        };
        // A tag, and the visits its rule asks for.
        let tagged = match rng.below(1000) {
            0..30 => Some((TagKind::LivingAlone, Some(Interval::Weekly))),
            30..45 => Some((key_tags[rng.below(4) as usize], Some(Interval::Monthly))),
            45..245 => Some((TagKind::Elderly, None)),
            _ => None,
        };
        let first = visits.len();
        let mut add = |interval| visit(&mut rng, &mut visits, interval, arrived, today, care);
        add(Interval::HalfYear);
        if let Some((kind, interval)) = tagged {
            tags.push(Tag {
                kind,
                since: arrived,
            });
            if let Some(interval) = interval {
                add(interval);
            }
        }
        visits[first..].sort_unstable();
        if rng.below(100) < 5 && arrived < today {
            let moved = arrived.add_days(1 + rng.below(days(arrived, today) as u64) as i64);
            memberships.push((grid, arrived, Some(moved)));
            memberships.push(((grid + 1) % GRIDS, moved, None));
        } else {
            memberships.push((grid, arrived, None));
        }
    }
    starts.push((tags.len(), memberships.len(), visits.len()));
    let memberships: Vec<Membership<'_>> = memberships
        .into_iter()
        .map(|(g, from, until)| Membership {
            grid: &grids[g],
            from,
            until,
        })
        .collect();
    let subjects: Vec<Subject<'_>> = starts
        .windows(2)
        .enumerate()
        .map(|(h, w)| Subject {
            id: h as i64,
            building: &buildings[h / PER_BUILDING],
            room: &rooms[h % PER_BUILDING],
            tags: &tags[w[0].0..w[1].0],
            memberships: &memberships[w[0].1..w[1].1],
            visits: &visits[w[0].2..w[1].2],
        })
        .collect();
    println!(
        "{households} households over {GRIDS} grids, {} visits, {} tags; made in {:.1} s",
        visits.len(),
        tags.len(),
        clock.elapsed().as_secs_f64()
    );

    // Every open period of every household, one thread.
    let agenda = Agenda::new(&rules, today);
    let count = |part: &[Subject<'_>]| {
        let (mut open, mut overdue) = (0u64, 0u64);
        for s in part {
            for d in agenda.due(s) {
                open += u64::from(!d.done);
                overdue += u64::from(d.overdue_days > 0);
            }
        }
        (open, overdue)
    };
    let clock = Instant::now();
    let (open, overdue) = count(&subjects);
    let one = clock.elapsed().as_secs_f64();
    println!("due, 1 thread: {one:.2} s — {open} open periods, {overdue} overdue");

    // The same over two threads, half each.
    let clock = Instant::now();
    let (a, b) = subjects.split_at(subjects.len() / 2);
    let (ra, rb) = std::thread::scope(|scope| {
        let left = scope.spawn(|| count(a));
        let right = count(b);
        (left.join().expect("a thread"), right)
    });
    assert_eq!((ra.0 + rb.0, ra.1 + rb.1), (open, overdue));
    println!("due, 2 threads: {:.2} s", clock.elapsed().as_secs_f64());

    // The whole county's list for this week, merged per household and sorted.
    let clock = Instant::now();
    let list = worker_list(&rules, &subjects, "371502", today, Horizon::ThisWeek);
    println!(
        "worker_list (county, this week): {:.2} s — {} households listed",
        clock.elapsed().as_secs_f64(),
        list.len()
    );
    let grid = grids[GRIDS / 2].as_str();
    let mine: Vec<Subject<'_>> = subjects
        .iter()
        .filter(|s| s.grid_at(today) == Some(grid))
        .copied()
        .collect();
    let clock = Instant::now();
    let list = worker_list(&rules, &mine, grid, today, Horizon::ThisWeek);
    println!(
        "worker_list (one grid of {}): {:.3} ms — {} listed",
        mine.len(),
        clock.elapsed().as_secs_f64() * 1e3,
        list.len()
    );

    for (label, window) in [
        ("month", Window::month(today)),
        ("half year", Window::half_year(today)),
    ] {
        let clock = Instant::now();
        let by_grid = coverage_by_grid(&rules, &subjects, window, today);
        let streets = roll_up(&by_grid, Level::Street);
        let total = roll_up(&by_grid, Level::County);
        let c = &total["371502"];
        println!(
            "coverage by grid, {label}: {:.2} s — {} grids, {} streets; due {}, on time {}, \
             late {}, missed {}, pending {}; never visited {}",
            clock.elapsed().as_secs_f64(),
            by_grid.len(),
            streets.len(),
            c.total.due,
            c.total.on_time,
            c.total.late,
            c.total.missed,
            c.total.pending,
            c.never_visited
        );
    }
}
