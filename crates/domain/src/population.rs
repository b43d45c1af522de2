//! The vocabulary of base data: household relations, residence types, care and attention
//! tags, and the duties of a grid's responsible people. Stored by `as_str`, shown by `label`.

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $id:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($id => Some($name::$variant),)+ _ => None }
            }

            /// The label of a stored id; an unknown id is shown as it is.
            pub fn label_of(s: &str) -> &str {
                match $name::parse(s) { Some(v) => v.label(), None => s }
            }
        }
    };
}

vocabulary!(
    /// Relation to the head of household (与户主关系).
    Relation {
        Head => "head", "户主";
        Spouse => "spouse", "配偶";
        Child => "child", "子女";
        Parent => "parent", "父母";
        Grandchild => "grandchild", "孙子女";
        Sibling => "sibling", "兄弟姐妹";
        Other => "other", "其他";
    }
);

vocabulary!(
    /// Registered (户籍), resident without registration (常住) or floating (流动) population.
    Residence {
        Registered => "registered", "户籍人口";
        Resident => "resident", "常住人口";
        Floating => "floating", "流动人口";
    }
);

vocabulary!(
    /// Groups that need care or attention (SPEC F3). Grades live beside the tag.
    TagKind {
        Elderly => "elderly", "60岁以上老人";
        LivingAlone => "living_alone", "独居老人";
        EmptyNest => "empty_nest", "空巢老人";
        Disabled => "disabled", "残疾人";
        LowIncome => "low_income", "低保对象";
        Destitute => "destitute", "特困人员";
        LeftBehindChild => "left_behind_child", "留守儿童";
        Veteran => "veteran", "退役军人";
        Pregnant => "pregnant", "孕产妇";
        CommunityCorrection => "community_correction", "社区矫正对象";
        ReleasedPrisoner => "released_prisoner", "刑满释放人员";
        DrugUser => "drug_user", "吸毒人员";
        SevereMentalDisorder => "severe_mental_disorder", "严重精神障碍患者";
    }
);

impl TagKind {
    /// Key persons (重点人员): shown only to roles that work with them.
    pub fn is_key_person(self) -> bool {
        matches!(
            self,
            TagKind::CommunityCorrection
                | TagKind::ReleasedPrisoner
                | TagKind::DrugUser
                | TagKind::SevereMentalDisorder
        )
    }
}

vocabulary!(
    /// What a responsible person does on a grid (人人都有责任田).
    Duty {
        GridLeader => "grid_leader", "网格长";
        FullTimeWorker => "full_time_worker", "专职网格员";
        PartTimeWorker => "part_time_worker", "兼职网格员";
        AbBackup => "ab_backup", "AB岗";
        GridPolice => "grid_police", "网格民警";
        UrbanManager => "urban_manager", "城管队员";
        Cleaner => "cleaner", "保洁员";
        DeptMember => "dept_member", "部门下沉人员";
        DeptHead => "dept_head", "部门负责人";
        DeptHandler => "dept_handler", "部门经办人";
        Operator => "operator", "指挥中心值班员";
    }
);

vocabulary!(
    /// Kinds of organization on a grid (组织).
    OrgKind {
        Enterprise => "enterprise", "企业";
        Shop => "shop", "商户";
        School => "school", "学校";
        SocialOrg => "social_org", "社会组织";
        PropertyCompany => "property_company", "物业公司";
        OwnersCommittee => "owners_committee", "业主委员会";
        PublicInstitution => "public_institution", "机关事业单位";
        Other => "other", "其他";
    }
);

vocabulary!(
    /// Kinds of thing kept on record (物): what patrols check and events refer to.
    ThingKind {
        Hazard => "hazard", "安全隐患";
        DangerousTree => "dangerous_tree", "危树";
        FireEquipment => "fire_equipment", "消防设施";
        ManholeCover => "manhole_cover", "井盖";
        StreetLight => "street_light", "路灯";
        Camera => "camera", "监控探头";
        Other => "other", "其他";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        for t in TagKind::ALL {
            assert_eq!(TagKind::parse(t.as_str()), Some(*t));
        }
        for d in Duty::ALL {
            assert_eq!(Duty::parse(d.as_str()), Some(*d));
        }
        let mut ids: Vec<_> = TagKind::ALL.iter().map(|t| t.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), TagKind::ALL.len());
        assert_eq!(Relation::label_of("head"), "户主");
        assert_eq!(Relation::label_of("???"), "???");
        assert!(TagKind::DrugUser.is_key_person());
        assert!(!TagKind::Elderly.is_key_person());
    }
}
