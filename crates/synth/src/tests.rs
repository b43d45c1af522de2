//! Whole-generator invariants: tiling, people, identity numbers, shares, determinism, speed.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use wangge_domain::date::Date;
use wangge_domain::id_number::{IdNumber, Sex};

use crate::geometry::{boundary_distance, contains, is_simple, signed_area};
use crate::grid_people::age_on;
use crate::household::years;
use crate::{Config, Duty, GridPeople, Relation, Residence, Tag, district, grid_people};

fn today() -> Date {
    Date::new(2025, 6, 30).unwrap()
}

/// A vertex by its exact bits, and a directed edge as a pair of vertices.
type VertexKey = (u64, u64);
type EdgeKey = (VertexKey, VertexKey);

fn key(p: [f64; 2]) -> VertexKey {
    (p[0].to_bits(), p[1].to_bits())
}

/// Grids tile the district: simple counter-clockwise rings, every edge shared with exactly
/// one other grid (in the opposite direction) or on the boundary, areas adding up.
fn check_tiling(cfg: &Config) {
    let d = district(cfg);
    assert_eq!(d.grids.len() as u32, cfg.grids);
    let mut directed: HashMap<EdgeKey, usize> = HashMap::new();
    let mut sum = 0.0;
    for g in &d.grids {
        assert_eq!(g.ring.first(), g.ring.last());
        assert!(is_simple(&g.ring), "{} not simple", g.code);
        let area = signed_area(&g.ring);
        assert!(area > 0.0, "{} not counter-clockwise", g.code);
        sum += area;
        assert!(contains(&g.ring, g.center) && boundary_distance(&g.ring, g.center) > 0.0);
        for w in g.ring.windows(2) {
            let previous = directed.insert((key(w[0]), key(w[1])), g.index as usize);
            assert!(
                previous.is_none(),
                "edge used twice in one direction: overlap at {}",
                g.code
            );
        }
    }
    let mut boundary = 0;
    for (&(a, b), &owner) in &directed {
        match directed.get(&(b, a)) {
            Some(&other) => assert_ne!(other, owner),
            None => boundary += 1,
        }
    }
    let outline = d.outline();
    assert_eq!(
        outline.len(),
        boundary + 1,
        "the boundary is one simple loop"
    );
    let outer = signed_area(&outline);
    assert!(((sum - outer) / outer).abs() < 1e-9, "{sum} vs {outer}");
    // Cells of 0.3–0.6 km² on average (1° lng ≈ 98.4 km, 1° lat ≈ 111.2 km here); a
    // handful of cells is all jittered boundary and may stray.
    let km2 = outer * 98.4 * 111.2 / f64::from(cfg.grids);
    assert!(
        cfg.grids < 20 || (0.3..0.6).contains(&km2),
        "{km2} km² per grid"
    );
}

#[test]
fn grids_tile_the_district() {
    for grids in [1, 4, 57, 232, 1_000] {
        check_tiling(&Config::new(5, grids, today()));
    }
    check_tiling(&Config::shifeng(99, today()));
}

#[test]
fn default_extent_is_shifeng() {
    let d = district(&Config::shifeng(1, today()));
    for g in &d.grids {
        for p in &g.ring {
            assert!(
                (113.09..113.26).contains(&p[0]) && (27.83..27.96).contains(&p[1]),
                "{p:?}"
            );
        }
    }
}

#[test]
fn communities_and_streets_are_contiguous() {
    let d = district(&Config::shifeng(3, today()));
    // Two grids touch when they share a vertex pair (an edge).
    let mut edge_owner: HashMap<EdgeKey, usize> = HashMap::new();
    for (i, g) in d.grids.iter().enumerate() {
        for w in g.ring.windows(2) {
            edge_owner.insert((key(w[0]), key(w[1])), i);
        }
    }
    let neighbours = |i: usize| -> Vec<usize> {
        d.grids[i]
            .ring
            .windows(2)
            .filter_map(|w| edge_owner.get(&(key(w[1]), key(w[0]))).copied())
            .collect()
    };
    for prefix_len in [12, 9] {
        let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, g) in d.grids.iter().enumerate() {
            groups.entry(&g.code[..prefix_len]).or_default().push(i);
        }
        for (code, members) in groups {
            let set: HashSet<usize> = members.iter().copied().collect();
            let mut seen = HashSet::from([members[0]]);
            let mut stack = vec![members[0]];
            while let Some(i) = stack.pop() {
                for n in neighbours(i) {
                    if set.contains(&n) && seen.insert(n) {
                        stack.push(n);
                    }
                }
            }
            assert_eq!(seen.len(), set.len(), "{code} is not contiguous");
        }
    }
}

/// Counts of persons with each property, over many grids.
#[derive(Default)]
struct Shares {
    persons: usize,
    counts: HashMap<&'static str, usize>,
}

impl Shares {
    fn add(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    fn assert(&self, what: &str, expected: f64, tolerance: f64) {
        let share = *self.counts.get(what).unwrap_or(&0) as f64 / self.persons as f64;
        println!("{what:>24}: {share:.4} (expected {expected})");
        assert!(
            (share - expected).abs() <= tolerance,
            "{what}: {share:.4}, expected {expected}±{tolerance}"
        );
    }
}

/// Checks one grid's people in detail and adds them to the shares.
fn check_grid(cfg: &Config, plan: &crate::GridPlan, people: &GridPeople, shares: &mut Shares) {
    let GridPeople {
        buildings,
        households,
        persons,
        staff,
    } = people;
    // Buildings: codes, points inside and apart.
    let mut points = HashSet::new();
    for (i, b) in buildings.iter().enumerate() {
        assert_eq!(b.code, format!("{}{:04}", plan.code, i + 1));
        assert!(contains(&plan.ring, b.point) && boundary_distance(&plan.ring, b.point) > 1e-6);
        assert!(points.insert(key(b.point)));
        assert!(
            b.address.starts_with("石峰区") && b.address.ends_with(&b.name),
            "{}",
            b.address
        );
    }
    // Households partition the persons, head first.
    let mut next = 0;
    let mut rooms = HashSet::new();
    for (h_index, h) in households.iter().enumerate() {
        assert_eq!(h.first_person, next);
        assert!((1..=6).contains(&h.person_count));
        next += h.person_count;
        assert!(h.building < buildings.len());
        assert!(
            rooms.insert((h.building, h.room.clone())),
            "two households in one room"
        );
        assert!(
            h.address.starts_with(&buildings[h.building].address) && h.address.ends_with(&h.room)
        );
        let members = &persons[h.first_person..next];
        assert_eq!(members[0].relation, Relation::Head);
        assert!(members[1..].iter().all(|p| p.relation != Relation::Head));
        assert!(
            members
                .iter()
                .all(|p| p.household == h_index && p.residence == members[0].residence)
        );
        let head = &members[0];
        let head_age = age_on(head.birth, cfg.today);
        assert!((25..=85).contains(&head_age), "head aged {head_age}");
        let days = |p: &crate::Person| p.birth.days_since_epoch();
        for p in members {
            // Generation gaps, allowing the few days the identity allocator may move a birth.
            let slack = i64::from(cfg.grids / 500 + 2) * 2;
            let gap = match p.relation {
                Relation::Child => Some(days(p) - days(head)),
                Relation::Parent => Some(days(head) - days(p)),
                _ => None,
            };
            if let Some(gap) = gap {
                assert!(
                    gap >= years(20) - slack && gap <= years(40) + slack,
                    "{:?} gap {gap}",
                    p.relation
                );
            }
            if p.relation == Relation::Spouse {
                assert_ne!(p.sex_male, head.sex_male);
            }
        }
    }
    assert_eq!(next, persons.len());
    // Persons: identity numbers agree with birth, sex and residence; phones are mobiles.
    let home = &plan.code[..6];
    for p in persons {
        let id = IdNumber::parse(&p.id_number).unwrap_or_else(|e| panic!("{}: {e}", p.id_number));
        assert_eq!(id.as_str(), p.id_number);
        assert_eq!(id.birth_date(), p.birth);
        assert_eq!(id.sex() == Sex::Male, p.sex_male);
        assert_eq!(
            id.county_code() == home,
            p.residence == Residence::Registered
        );
        assert!(p.birth < cfg.today);
        let age = age_on(p.birth, cfg.today);
        assert!(age <= 100);
        if let Some(phone) = &p.phone {
            assert!(phone.len() == 11 && phone.starts_with('1') && age >= 12);
        }
        let n = p.name.chars().count();
        assert!((2..=4).contains(&n), "{}", p.name);
        shares.persons += 1;
        if n == 2 {
            shares.add("two_char_name");
        }
        if age >= 60 {
            shares.add("aged_60");
        }
        shares.add(p.residence.as_str());
        for t in &p.tags {
            shares.add(t.as_str());
            match *t {
                Tag::LivingAlone | Tag::EmptyNest => assert!(age >= 60),
                Tag::LeftBehindChild => assert!(age < 16),
                Tag::Pregnant => assert!(!p.sex_male && (20..=40).contains(&age)),
                Tag::Disabled { grade } => assert!((1..=4).contains(&grade)),
                Tag::SevereMentalDisorder { risk } => assert!(risk <= 5),
                Tag::Veteran if p.sex_male && age >= 40 => shares.add("veteran_men_40"),
                _ => {}
            }
        }
        let h = &households[p.household];
        if p.tags.contains(&Tag::LivingAlone) {
            assert_eq!(h.person_count, 1);
        }
        if p.tags.contains(&Tag::EmptyNest) {
            assert_eq!(h.person_count, 2);
            assert!(
                persons[h.first_person..h.first_person + 2]
                    .iter()
                    .all(|q| age_on(q.birth, cfg.today) >= 60)
            );
        }
    }
    // Staff: the 1+3, a leader and an AB backup.
    for duty in [
        Duty::GridLeader,
        Duty::FullTimeWorker,
        Duty::AbBackup,
        Duty::GridPolice,
        Duty::UrbanManager,
        Duty::Cleaner,
    ] {
        assert_eq!(
            staff.iter().filter(|s| s.duty == duty).count(),
            1,
            "{duty:?}"
        );
    }
}

#[test]
fn fifty_grids_hold_plausible_people() {
    let cfg = Config::shifeng(2025, today());
    let d = district(&cfg);
    let mut shares = Shares::default();
    let mut ids = HashSet::new();
    let mut households = 0;
    let mut sizes = Vec::new();
    let mut leaders: HashMap<&str, String> = HashMap::new();
    for plan in d.grids.iter().take(50) {
        let people = grid_people(&cfg, plan);
        check_grid(&cfg, plan, &people, &mut shares);
        for p in &people.persons {
            assert!(ids.insert(p.id_number.clone()), "duplicate {}", p.id_number);
        }
        households += people.households.len();
        sizes.push(people.persons.len());
        let leader = people
            .staff
            .iter()
            .find(|s| s.duty == Duty::GridLeader)
            .unwrap();
        let known = leaders
            .entry(&plan.community)
            .or_insert_with(|| leader.name.clone());
        assert_eq!(*known, leader.name, "one leader per community");
    }
    let persons = shares.persons;
    let mean = persons as f64 / 50.0;
    assert!(
        (1_100.0..1_300.0).contains(&mean),
        "{mean} persons per grid"
    );
    let per_household = persons as f64 / households as f64;
    assert!((2.8..3.2).contains(&per_household), "{per_household}");
    assert!(
        sizes.iter().any(|&s| s < 1_100) && sizes.iter().any(|&s| s > 1_300),
        "{sizes:?}"
    );

    shares.assert("two_char_name", 0.30, 0.03);
    shares.assert("aged_60", 0.18, 0.02);
    shares.assert("floating", 0.10, 0.02);
    shares.assert("resident", 0.05, 0.015);
    shares.assert("living_alone", 0.03, 0.007);
    shares.assert("empty_nest", 0.04, 0.008);
    shares.assert("disabled", 0.06, 0.01);
    shares.assert("low_income", 0.02, 0.007);
    shares.assert("destitute", 0.003, 0.0015);
    shares.assert("left_behind_child", 0.01, 0.004);
    shares.assert("veteran", 0.015, 0.004);
    shares.assert("pregnant", 0.008, 0.003);
    shares.assert("community_correction", 0.0005, 0.0004);
    shares.assert("released_prisoner", 0.001, 0.0006);
    shares.assert("drug_user", 0.0005, 0.0004);
    shares.assert("severe_mental_disorder", 0.003, 0.0012);
    let veterans = shares.counts["veteran"] as f64;
    assert!(
        shares.counts["veteran_men_40"] as f64 / veterans > 0.7,
        "mostly men 40+"
    );
}

#[test]
fn some_grids_break_the_sizing_rule() {
    let cfg = Config::shifeng(8, today());
    let d = district(&cfg);
    let sizes: Vec<usize> = d
        .grids
        .iter()
        .map(|g| grid_people(&cfg, g).persons.len())
        .collect();
    let over = sizes.iter().filter(|&&s| s > 1_500).count();
    let under = sizes.iter().filter(|&&s| s < 900).count();
    assert!((2..=25).contains(&over), "{over} grids over 1,500");
    assert!(under >= 1, "no grid clearly under the rule");
    let total: usize = sizes.iter().sum();
    assert!((250_000..310_000).contains(&total), "{total}");
}

#[test]
fn identity_numbers_are_unique_across_hundreds_of_grids() {
    // A whole district of 300 grids, every grid generated.
    let cfg = Config::new(77, 300, today());
    let d = district(&cfg);
    let mut ids = HashSet::new();
    for plan in &d.grids {
        for p in grid_people(&cfg, plan).persons {
            assert!(ids.insert(p.id_number), "duplicate identity number");
        }
    }
    assert!(ids.len() > 300_000);
    // A city-size run (8,930 grids, about 700 persons each): 120 grids spread over it.
    let cfg = Config::new(78, 8_930, today());
    let d = district(&cfg);
    let mut ids = HashSet::new();
    let mut persons = 0;
    for plan in d.grids.iter().step_by(75) {
        let people = grid_people(&cfg, plan);
        persons += people.persons.len();
        for p in people.persons {
            assert!(ids.insert(p.id_number), "duplicate identity number");
        }
    }
    assert_eq!(ids.len(), persons);
    let mean = persons as f64 / 120.0;
    assert!(
        (600.0..800.0).contains(&mean),
        "{mean} persons per grid at city scale"
    );
}

#[test]
fn same_seed_same_district_other_seed_other_district() {
    let cfg = Config::shifeng(1, today());
    let (a, b) = (district(&cfg), district(&cfg));
    assert_eq!(a, b);
    let other = district(&Config::shifeng(2, today()));
    assert_ne!(a.grids[0].ring, other.grids[0].ring);
    assert_ne!(a.communities, other.communities);
    for i in [0, 17, 231] {
        let first = grid_people(&cfg, &a.grids[i]);
        assert_eq!(first, grid_people(&cfg, &b.grids[i]));
        let changed = grid_people(&Config::shifeng(2, today()), &a.grids[i]);
        assert_ne!(first.persons, changed.persons);
    }
    // Order does not matter: a grid generated after others equals one generated alone.
    let _ = grid_people(&cfg, &a.grids[5]);
    assert_eq!(
        grid_people(&cfg, &a.grids[3]),
        grid_people(&cfg, &b.grids[3])
    );
}

/// Prints the generation speed; tests never assert on wall-clock time.
/// Run with `cargo test -p wangge-synth --release -- --nocapture speed`.
#[test]
fn speed_of_one_hundred_grids() {
    let cfg = Config::shifeng(4, today());
    let d = district(&cfg);
    let start = Instant::now();
    let persons: usize = d
        .grids
        .iter()
        .take(100)
        .map(|g| grid_people(&cfg, g).persons.len())
        .sum();
    let elapsed = start.elapsed();
    println!(
        "grid_people: 100 grids, {persons} persons in {:.1} ms ({:.3} ms per 1,000 persons)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / persons as f64
    );
    let start = Instant::now();
    let big = district(&Config::new(4, 8_930, today()));
    println!(
        "district: 8,930 grids in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(big.grids.len(), 8_930);
}
