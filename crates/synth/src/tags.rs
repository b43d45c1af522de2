//! Care and attention tags, with rates that give the district's usual shares of persons.

use wangge_domain::population::{Relation, Residence};

use crate::household::Kind;
use crate::person::Tag;
use crate::rng::Rng;

/// Tags that belong to a whole household (subsistence allowances are granted per household).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct HouseholdTags {
    low_income: bool,
    destitute: bool,
}

/// Allowances are paid where a household is registered, so others get none.
pub(crate) fn household_tags(rng: &mut Rng, kind: Kind, residence: Residence) -> HouseholdTags {
    if residence != Residence::Registered {
        return HouseholdTags::default();
    }
    // 特困: mostly old people alone without support; ~0.3% of persons.
    let destitute = kind == Kind::ElderAlone && rng.chance(0.11);
    // 低保: ~2% of persons.
    let low_income = !destitute && rng.chance(0.023);
    HouseholdTags {
        low_income,
        destitute,
    }
}

/// What a person's tags depend on.
pub(crate) struct Facts {
    pub kind: Kind,
    pub relation: Relation,
    pub male: bool,
    pub age: u32,
}

/// Tags of one person; usually none, and then nothing is allocated.
pub(crate) fn person_tags(rng: &mut Rng, household: HouseholdTags, f: &Facts) -> Vec<Tag> {
    let mut tags = Vec::new();
    let old = f.age >= 60;
    if old && f.kind == Kind::ElderAlone {
        tags.push(Tag::LivingAlone);
    }
    if old && f.kind == Kind::ElderCouple {
        tags.push(Tag::EmptyNest);
    }
    if f.kind == Kind::SkipGeneration && f.relation == Relation::Grandchild && f.age < 16 {
        tags.push(Tag::LeftBehindChild);
    }
    if household.destitute && f.relation == Relation::Head {
        tags.push(Tag::Destitute);
    }
    if household.low_income {
        tags.push(Tag::LowIncome);
    }
    // One draw decides the common per-person tags; they rarely coincide anyway.
    if rng.chance(if old { 0.15 } else { 0.04 }) {
        let grade = match rng.below(100) {
            0..12 => 1,
            12..32 => 2,
            32..62 => 3,
            _ => 4,
        };
        tags.push(Tag::Disabled { grade });
    }
    let veteran = match (f.male, f.age) {
        (true, 40..) => 0.056,
        (true, 22..40) => 0.015,
        (false, 40..) => 0.003,
        _ => 0.0,
    };
    if veteran > 0.0 && rng.chance(veteran) {
        tags.push(Tag::Veteran);
    }
    if !f.male && (20..=40).contains(&f.age) && rng.chance(0.05) {
        tags.push(Tag::Pregnant);
    }
    if f.age >= 18 {
        key_person_tags(rng, f, &mut tags);
    }
    tags
}

/// Key persons are rare: about 0.05%, 0.1%, 0.05% and 0.3% of all persons. One draw
/// decides them all (they are too rare for overlaps to matter), keeping the hot path short.
fn key_person_tags(rng: &mut Rng, f: &Facts, tags: &mut Vec<Tag>) {
    // Nearly nine in ten offenders are men; weight their rates accordingly.
    let sex = if f.male { 1.7 } else { 0.3 };
    let offender = if f.age <= 65 { sex } else { 0.0 };
    let thresholds = [
        0.000_75 * offender,
        0.001_5 * offender,
        0.000_75 * offender,
        0.003_7,
    ];
    let mut r = rng.unit();
    for (i, p) in thresholds.into_iter().enumerate() {
        if r >= p {
            r -= p;
            continue;
        }
        tags.push(match i {
            0 => Tag::CommunityCorrection,
            1 => Tag::ReleasedPrisoner,
            2 => Tag::DrugUser,
            _ => Tag::SevereMentalDisorder {
                risk: mental_risk(rng),
            },
        });
        return;
    }
}

/// Risk grade 0–5 of a severe mental disorder; most patients are stable (0–1).
fn mental_risk(rng: &mut Rng) -> u8 {
    match rng.below(100) {
        0..35 => 0,
        35..65 => 1,
        65..83 => 2,
        83..93 => 3,
        93..98 => 4,
        _ => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_their_rules() {
        let mut rng = Rng::new(3);
        let none = HouseholdTags::default();
        for _ in 0..2_000 {
            let child = Facts {
                kind: Kind::Nuclear,
                relation: Relation::Child,
                male: true,
                age: 5,
            };
            let tags = person_tags(&mut rng, none, &child);
            assert!(
                tags.iter().all(|t| matches!(t, Tag::Disabled { .. })),
                "{tags:?}"
            );
            let man = Facts {
                kind: Kind::Couple,
                relation: Relation::Head,
                male: true,
                age: 30,
            };
            assert!(!person_tags(&mut rng, none, &man).contains(&Tag::Pregnant));
        }
        let alone = Facts {
            kind: Kind::ElderAlone,
            relation: Relation::Head,
            male: false,
            age: 80,
        };
        assert!(person_tags(&mut rng, none, &alone).contains(&Tag::LivingAlone));
        let left = Facts {
            kind: Kind::SkipGeneration,
            relation: Relation::Grandchild,
            male: false,
            age: 9,
        };
        assert!(person_tags(&mut rng, none, &left).contains(&Tag::LeftBehindChild));
        let poor = HouseholdTags {
            low_income: true,
            destitute: false,
        };
        assert!(person_tags(&mut rng, poor, &left).contains(&Tag::LowIncome));
    }

    #[test]
    fn floating_households_get_no_allowance() {
        let mut rng = Rng::new(4);
        for _ in 0..5_000 {
            let h = household_tags(&mut rng, Kind::ElderAlone, Residence::Floating);
            assert!(!h.low_income && !h.destitute);
        }
    }
}
