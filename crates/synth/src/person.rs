//! Households and persons as generated, with their relation, residence and care tags.

use wangge_domain::date::Date;
use wangge_domain::population::{Relation, Residence, TagKind};

/// A household living in one room of a building (or in a whole village house).
#[derive(Clone, Debug, PartialEq)]
pub struct Household {
    /// Index into `GridPeople::buildings`.
    pub building: usize,
    /// `2单元301`; empty for a house.
    pub room: String,
    /// Full address down to the room.
    pub address: String,
    /// Members are `persons[first_person..first_person + person_count]`, head first.
    pub first_person: usize,
    pub person_count: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// Index into `GridPeople::households`.
    pub household: usize,
    pub name: String,
    /// A valid 18-character GB 11643 number, unique in the district for one seed.
    pub id_number: String,
    pub sex_male: bool,
    /// Equal to the birth date inside `id_number`.
    pub birth: Date,
    /// An 11-digit mobile number; `None` for small children and some of the very old.
    pub phone: Option<String>,
    pub relation: Relation,
    pub residence: Residence,
    pub tags: Vec<Tag>,
}

/// Groups that need care or attention. The last four are key persons (重点人员).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    LivingAlone,
    EmptyNest,
    Disabled { grade: u8 },
    LowIncome,
    Destitute,
    LeftBehindChild,
    Veteran,
    Pregnant,
    CommunityCorrection,
    ReleasedPrisoner,
    DrugUser,
    SevereMentalDisorder { risk: u8 },
}

impl Tag {
    /// The kind of tag without its grade; ids and labels are defined there.
    pub fn kind(self) -> TagKind {
        match self {
            Tag::LivingAlone => TagKind::LivingAlone,
            Tag::EmptyNest => TagKind::EmptyNest,
            Tag::Disabled { .. } => TagKind::Disabled,
            Tag::LowIncome => TagKind::LowIncome,
            Tag::Destitute => TagKind::Destitute,
            Tag::LeftBehindChild => TagKind::LeftBehindChild,
            Tag::Veteran => TagKind::Veteran,
            Tag::Pregnant => TagKind::Pregnant,
            Tag::CommunityCorrection => TagKind::CommunityCorrection,
            Tag::ReleasedPrisoner => TagKind::ReleasedPrisoner,
            Tag::DrugUser => TagKind::DrugUser,
            Tag::SevereMentalDisorder { .. } => TagKind::SevereMentalDisorder,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.kind().as_str()
    }

    pub fn label(self) -> &'static str {
        self.kind().label()
    }

    /// Key persons (重点人员) whose tags only a few roles may see.
    pub fn is_key_person(self) -> bool {
        self.kind().is_key_person()
    }

    /// The grade of a disability (1–4) or the risk grade of a mental disorder (0–5).
    pub fn level(self) -> Option<u8> {
        match self {
            Tag::Disabled { grade } => Some(grade),
            Tag::SevereMentalDisorder { risk } => Some(risk),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tags_map_onto_the_domain_vocabulary() {
        let tags = [
            Tag::LivingAlone,
            Tag::EmptyNest,
            Tag::Disabled { grade: 1 },
            Tag::LowIncome,
            Tag::Destitute,
            Tag::LeftBehindChild,
            Tag::Veteran,
            Tag::Pregnant,
            Tag::CommunityCorrection,
            Tag::ReleasedPrisoner,
            Tag::DrugUser,
            Tag::SevereMentalDisorder { risk: 0 },
        ];
        for t in tags {
            assert_eq!(TagKind::parse(t.as_str()), Some(t.kind()));
            assert_eq!(t.label(), t.kind().label());
        }
        // Every kind but the age-derived one is generated as a tag.
        let kinds: HashSet<_> = tags.iter().map(|t| t.kind()).collect();
        let missing: Vec<_> = TagKind::ALL.iter().filter(|k| !kinds.contains(k)).collect();
        assert_eq!(missing, [&TagKind::Elderly]);
        assert_eq!(Relation::Grandchild.as_str(), "grandchild");
        assert_eq!(Residence::Floating.as_str(), "floating");
    }

    #[test]
    fn key_persons_are_the_last_four() {
        let tags = [
            Tag::LivingAlone,
            Tag::EmptyNest,
            Tag::Disabled { grade: 2 },
            Tag::LowIncome,
            Tag::Destitute,
            Tag::LeftBehindChild,
            Tag::Veteran,
            Tag::Pregnant,
            Tag::CommunityCorrection,
            Tag::ReleasedPrisoner,
            Tag::DrugUser,
            Tag::SevereMentalDisorder { risk: 3 },
        ];
        let key: Vec<bool> = tags.iter().map(|t| t.is_key_person()).collect();
        assert_eq!(key.iter().filter(|&&k| k).count(), 4);
        assert!(key[8..].iter().all(|&k| k));
        let ids: HashSet<_> = tags.iter().map(|t| t.as_str()).collect();
        assert_eq!(ids.len(), 12);
        assert_eq!(Tag::Disabled { grade: 2 }.level(), Some(2));
        assert_eq!(
            Tag::SevereMentalDisorder { risk: 3 }.label(),
            "严重精神障碍患者"
        );
    }
}
