//! Households and persons as generated, with their relation, residence and care tags.

use wangge_domain::date::Date;

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

/// Relation to the head of the household.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Sibling,
    Other,
}

impl Relation {
    pub const ALL: [Relation; 7] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Child,
        Relation::Parent,
        Relation::Grandchild,
        Relation::Sibling,
        Relation::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Child => "child",
            Relation::Parent => "parent",
            Relation::Grandchild => "grandchild",
            Relation::Sibling => "sibling",
            Relation::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Relation::Head => "户主",
            Relation::Spouse => "配偶",
            Relation::Child => "子女",
            Relation::Parent => "父母",
            Relation::Grandchild => "孙子女",
            Relation::Sibling => "兄弟姐妹",
            Relation::Other => "其他",
        }
    }
}

/// Where a person's household registration (户籍) is, relative to where they live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Residence {
    /// Registered here.
    Registered,
    /// Lives here for good, registered elsewhere.
    Resident,
    /// Floating population: here for work or study, registered elsewhere.
    Floating,
}

impl Residence {
    pub const ALL: [Residence; 3] = [
        Residence::Registered,
        Residence::Resident,
        Residence::Floating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Residence::Registered => "registered",
            Residence::Resident => "resident",
            Residence::Floating => "floating",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Residence::Registered => "户籍人口",
            Residence::Resident => "常住人口",
            Residence::Floating => "流动人口",
        }
    }
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
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::LivingAlone => "living_alone",
            Tag::EmptyNest => "empty_nest",
            Tag::Disabled { .. } => "disabled",
            Tag::LowIncome => "low_income",
            Tag::Destitute => "destitute",
            Tag::LeftBehindChild => "left_behind_child",
            Tag::Veteran => "veteran",
            Tag::Pregnant => "pregnant",
            Tag::CommunityCorrection => "community_correction",
            Tag::ReleasedPrisoner => "released_prisoner",
            Tag::DrugUser => "drug_user",
            Tag::SevereMentalDisorder { .. } => "severe_mental_disorder",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tag::LivingAlone => "独居老人",
            Tag::EmptyNest => "空巢老人",
            Tag::Disabled { .. } => "残疾人",
            Tag::LowIncome => "低保",
            Tag::Destitute => "特困",
            Tag::LeftBehindChild => "留守儿童",
            Tag::Veteran => "退役军人",
            Tag::Pregnant => "孕产妇",
            Tag::CommunityCorrection => "社区矫正对象",
            Tag::ReleasedPrisoner => "刑满释放人员",
            Tag::DrugUser => "吸毒人员",
            Tag::SevereMentalDisorder { .. } => "严重精神障碍患者",
        }
    }

    /// Key persons (重点人员) whose tags only a few roles may see.
    pub fn is_key_person(self) -> bool {
        matches!(
            self,
            Tag::CommunityCorrection
                | Tag::ReleasedPrisoner
                | Tag::DrugUser
                | Tag::SevereMentalDisorder { .. }
        )
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
    fn ids_and_labels_are_distinct() {
        let rel: HashSet<_> = Relation::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect();
        assert_eq!(rel.len(), 7);
        assert_eq!(Relation::Grandchild.label(), "孙子女");
        let res: HashSet<_> = Residence::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(res.len(), 3);
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
