//! Who lives together: household kinds, their members' relations, sexes and birth dates.
//!
//! Weights are chosen so that a household has about 3.0 members (1–6), about 18% of people
//! are 60 or older, about 3% live alone at 60+, and about 4% are elderly couples on their
//! own (empty nest). Birth dates are wanted dates: the identity-number allocator may move
//! them back by a few days, so age gaps keep a 60-day margin inside 20–40 years.

use wangge_domain::population::{Relation, Residence};

use crate::names;
use crate::rng::Rng;

/// The shape of a household; it decides some care tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// One person aged 60+.
    ElderAlone,
    YoungAlone,
    /// A couple, both 60+, without children at home.
    ElderCouple,
    Couple,
    SingleParent,
    /// Couple and children.
    Nuclear,
    /// Couple, children and the head's parents.
    WithParents,
    /// Elderly head, an adult child (with spouse) and grandchildren.
    ElderHead,
    /// Grandparents raising grandchildren whose parents work elsewhere.
    SkipGeneration,
    Siblings,
}

/// Household kinds with their share of households, in tenths of a percent.
const KINDS: &[(Kind, u32)] = &[
    (Kind::ElderAlone, 87),
    (Kind::YoungAlone, 50),
    (Kind::ElderCouple, 58),
    (Kind::Couple, 128),
    (Kind::SingleParent, 50),
    (Kind::Nuclear, 377),
    (Kind::WithParents, 130),
    (Kind::ElderHead, 80),
    (Kind::SkipGeneration, 20),
    (Kind::Siblings, 20),
];

impl Kind {
    /// Kinds with elderly members; they are less often floating population.
    fn is_elderly(self) -> bool {
        matches!(
            self,
            Kind::ElderAlone
                | Kind::ElderCouple
                | Kind::WithParents
                | Kind::ElderHead
                | Kind::SkipGeneration
        )
    }
}

/// A member as planned, before an identity number fixes the exact birth date.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    pub relation: Relation,
    pub male: bool,
    /// Wanted birth date in days since 1970-01-01.
    pub birth: i64,
    pub surname: &'static str,
}

/// Days in `n` years, on average.
pub(crate) const fn years(n: i64) -> i64 {
    n * 146_097 / 400
}

/// Keeps planned parent–child gaps this far inside 20–40 years.
const GAP_MARGIN: i64 = 60;
/// Calendar years differ from average years by a day or so; ages keep this many days
/// clear of a birthday boundary so "aged 60" really is 60 on `today`.
const AGE_SLACK: i64 = 2;

/// Latest birth date of someone at least `age` years old today.
fn born_by(today: i64, age: i64) -> i64 {
    today - years(age) - AGE_SLACK
}

struct Planner<'a> {
    rng: &'a mut Rng,
    today: i64,
    out: &'a mut Vec<Member>,
}

impl Planner<'_> {
    /// Born between `min` and `max` years ago (inclusive, by whole years of age).
    fn aged(&mut self, min: i64, max: i64) -> i64 {
        let lo = years(min) + AGE_SLACK;
        let hi = years(max + 1) - AGE_SLACK;
        self.today - lo - i64::from(self.rng.below((hi - lo + 1) as u32))
    }

    /// A birth date 20–40 years after both parents (born `a` and `b`), before today.
    fn child_of(&mut self, a: i64, b: i64) -> Option<i64> {
        let (older, younger) = (a.min(b), a.max(b));
        let lo = younger + years(20) + GAP_MARGIN;
        let hi = (older + years(40) - GAP_MARGIN).min(self.today - 1);
        (hi >= lo).then(|| lo + i64::from(self.rng.below((hi - lo + 1) as u32)))
    }

    /// A spouse's birth: a few years younger than a husband, or older than a wife, and an
    /// adult (`min_age` and over).
    fn spouse_of(&mut self, birth: i64, male_head: bool, min_age: i64) -> i64 {
        let diff = i64::from(self.rng.below(years(8) as u32)) - years(2);
        let b = if male_head {
            birth + diff
        } else {
            birth - diff
        };
        b.min(born_by(self.today, min_age))
    }

    fn push(&mut self, relation: Relation, male: bool, birth: i64, surname: &'static str) {
        self.out.push(Member {
            relation,
            male,
            birth,
            surname,
        });
    }

    fn head(&mut self, male_share: f64, min: i64, max: i64) -> (bool, i64, &'static str) {
        let male = self.rng.chance(male_share);
        let birth = self.aged(min, max);
        let surname = names::surname(self.rng);
        self.push(Relation::Head, male, birth, surname);
        (male, birth, surname)
    }

    /// Adds the head's spouse; returns their birth date and surname.
    fn spouse(&mut self, head_male: bool, head_birth: i64, min_age: i64) -> (i64, &'static str) {
        let birth = self.spouse_of(head_birth, head_male, min_age);
        let surname = names::surname(self.rng);
        self.push(Relation::Spouse, !head_male, birth, surname);
        (birth, surname)
    }

    /// Children of the head (and spouse); the father's surname most of the time.
    fn children(
        &mut self,
        n: u32,
        head: (bool, i64, &'static str),
        spouse: Option<(i64, &'static str)>,
    ) {
        let (head_male, head_birth, head_surname) = head;
        let other = spouse.map_or(head_birth, |s| s.0);
        for _ in 0..n {
            let Some(birth) = self.child_of(head_birth, other) else {
                return;
            };
            let (father, mother) = match spouse {
                Some((_, s)) if head_male => (head_surname, s),
                Some((_, s)) => (s, head_surname),
                None => (head_surname, head_surname),
            };
            let surname = if self.rng.chance(0.95) {
                father
            } else {
                mother
            };
            let male = self.rng.chance(0.52);
            self.push(Relation::Child, male, birth, surname);
        }
    }
}

/// Plans one household into `out` (cleared first) and returns its kind.
pub(crate) fn plan(rng: &mut Rng, today: i64, out: &mut Vec<Member>) -> Kind {
    out.clear();
    let total: u32 = KINDS.iter().map(|k| k.1).sum();
    let mut r = rng.below(total);
    let kind = KINDS
        .iter()
        .find(|k| {
            if r < k.1 {
                return true;
            }
            r -= k.1;
            false
        })
        .map_or(Kind::Nuclear, |k| k.0);
    let mut p = Planner { rng, today, out };
    match kind {
        Kind::ElderAlone => {
            p.head(0.38, 60, 85);
        }
        Kind::YoungAlone => {
            p.head(0.58, 25, 59);
        }
        Kind::ElderCouple => {
            let (male, birth, _) = p.head(0.8, 60, 85);
            p.spouse(male, birth, 60);
        }
        Kind::Couple => {
            let (male, birth, _) = p.head(0.7, 25, 59);
            p.spouse(male, birth, 20);
        }
        Kind::SingleParent => {
            let head = p.head(0.35, 28, 70);
            let n = p.rng.range(1, 2);
            p.children(n, head, None);
        }
        Kind::Nuclear => {
            let head = p.head(0.75, 25, 59);
            let spouse = p.spouse(head.0, head.1, 20);
            let n = match p.rng.below(100) {
                0..55 => 1,
                55..93 => 2,
                _ => 3,
            };
            p.children(n, head, Some(spouse));
        }
        Kind::WithParents => {
            let head = p.head(0.7, 28, 55);
            let spouse = p.rng.chance(0.9).then(|| p.spouse(head.0, head.1, 20));
            let n = match p.rng.below(100) {
                0..30 => 0,
                30..75 => 1,
                _ => 2,
            };
            p.children(n, head, spouse);
            // Both parents, or the one still living (more often the mother). Both are
            // 20–40 years older than the head; a mother is near her husband's age.
            let parents: &[bool] = match p.rng.below(100) {
                0..40 => &[true, false],
                40..79 => &[false],
                _ => &[true],
            };
            let (lo, hi) = (
                head.1 - years(40) + GAP_MARGIN,
                head.1 - years(20) - GAP_MARGIN,
            );
            let mut father = None;
            for &male in parents {
                let birth = match father {
                    Some(f) => (p.spouse_of(f, true, 0)).clamp(lo, hi),
                    None => lo + i64::from(p.rng.below((hi - lo + 1) as u32)),
                };
                let surname = if male { head.2 } else { names::surname(p.rng) };
                if male {
                    father = Some(birth);
                }
                p.push(Relation::Parent, male, birth, surname);
            }
        }
        Kind::ElderHead => {
            let head = p.head(0.75, 58, 80);
            let spouse = p.rng.chance(0.75).then(|| p.spouse(head.0, head.1, 55));
            let other = spouse.map_or(head.1, |s| s.0);
            // The adult child is at least 20, old enough to have children of their own.
            let lo = head.1.max(other) + years(20) + GAP_MARGIN;
            let hi = (head.1.min(other) + years(40) - GAP_MARGIN).min(born_by(today, 20));
            if hi >= lo {
                let child_birth = lo + i64::from(p.rng.below((hi - lo + 1) as u32));
                let son = p.rng.chance(0.7);
                let child_surname = if head.0 || spouse.is_none() {
                    head.2
                } else {
                    spouse.map_or(head.2, |s| s.1)
                };
                p.push(Relation::Child, son, child_birth, child_surname);
                let in_law = p.rng.chance(0.6).then(|| {
                    let birth = p.spouse_of(child_birth, son, 20);
                    let surname = names::surname(p.rng);
                    p.push(Relation::Other, !son, birth, surname);
                    (birth, surname)
                });
                let grandchild_surname = if son {
                    child_surname
                } else {
                    in_law.map_or(child_surname, |s| s.1)
                };
                for _ in 0..p.rng.range(1, 2) {
                    if let Some(birth) =
                        p.child_of(child_birth, in_law.map_or(child_birth, |s| s.0))
                    {
                        let male = p.rng.chance(0.52);
                        p.push(Relation::Grandchild, male, birth, grandchild_surname);
                    }
                }
            }
        }
        Kind::SkipGeneration => {
            let head = p.head(0.55, 57, 78);
            if p.rng.chance(0.7) {
                p.spouse(head.0, head.1, 52);
            }
            for _ in 0..p.rng.range(1, 2) {
                let birth = p.aged(0, 15);
                let male = p.rng.chance(0.52);
                p.push(Relation::Grandchild, male, birth, head.2);
            }
        }
        Kind::Siblings => {
            let head = p.head(0.5, 25, 50);
            let diff = i64::from(p.rng.below(years(16) as u32)) - years(8);
            let birth = (head.1 + diff).min(born_by(today, 18));
            let male = p.rng.chance(0.5);
            p.push(Relation::Sibling, male, birth, head.2);
        }
    }
    kind
}

/// Household registration: floating population and long-term residents registered
/// elsewhere are younger households more often (about 10% and 5% of persons overall).
pub(crate) fn residence(rng: &mut Rng, kind: Kind) -> Residence {
    let (floating, resident) = if kind.is_elderly() {
        (0.04, 0.03)
    } else {
        (0.14, 0.065)
    };
    let r = rng.unit();
    if r < floating {
        Residence::Floating
    } else if r < floating + resident {
        Residence::Resident
    } else {
        Residence::Registered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangge_domain::date::Date;

    #[test]
    fn households_have_plausible_shapes() {
        let today = Date::new(2025, 6, 30).unwrap().days_since_epoch();
        let mut rng = Rng::new(12);
        let mut out = Vec::new();
        let (mut members, mut households, mut old) = (0usize, 0usize, 0usize);
        let mut sizes = [0usize; 7];
        for _ in 0..20_000 {
            let kind = plan(&mut rng, today, &mut out);
            assert!((1..=6).contains(&out.len()), "{kind:?} {}", out.len());
            assert_eq!(out[0].relation, Relation::Head);
            assert!(out[1..].iter().all(|m| m.relation != Relation::Head));
            let head = out[0].birth;
            for m in &out {
                assert!(m.birth < today);
                let gap = match m.relation {
                    Relation::Child => Some(m.birth - head),
                    Relation::Parent => Some(head - m.birth),
                    _ => None,
                };
                if let Some(gap) = gap {
                    assert!(gap >= years(20) && gap <= years(40), "{kind:?} {gap}");
                }
                if m.relation == Relation::Grandchild {
                    assert!(m.birth - head >= years(40), "{kind:?}");
                }
                old += usize::from(today - m.birth >= years(60));
            }
            if kind == Kind::ElderCouple {
                assert!(out.iter().all(|m| today - m.birth >= years(60)));
            }
            sizes[out.len()] += 1;
            members += out.len();
            households += 1;
        }
        let mean = members as f64 / households as f64;
        assert!((2.85..3.15).contains(&mean), "{mean}");
        let old_share = old as f64 / members as f64;
        assert!((0.15..0.21).contains(&old_share), "{old_share}");
        assert!(sizes[1..].iter().all(|&n| n > 0), "{sizes:?}");
    }
}
