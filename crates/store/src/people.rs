//! Buildings, households and persons on the grids: scoped paged lists (masked) and the full
//! record of one person, unmasked only for roles with that right and always audited.
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde::Serialize;
use wangge_domain::date::{Date, local_date};
use wangge_domain::id_number::IdNumber;
use wangge_domain::phone::Phone;
use wangge_domain::population::TagKind;
use wangge_domain::role::Role;

use crate::audit::AuditEntry;
use crate::entity::{building, household, person, person_tag};
use crate::scope::county_of;
use crate::{Scope, Store, StoreError};

pub const MAX_PER_PAGE: u64 = 200;

#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    pub fn new(page: Option<u64>, per_page: Option<u64>) -> Result<Paging, StoreError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(50);
        if page == 0 {
            return Err(StoreError::invalid("page", "页码从1开始"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(StoreError::invalid(
                "per_page",
                format!("每页条数应在1到{MAX_PER_PAGE}之间"),
            ));
        }
        Ok(Paging { page, per_page })
    }
    fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Debug, Serialize)]
pub struct BuildingItem {
    pub id: i64,
    pub code: String,
    pub grid_code: String,
    pub name: String,
    pub address: String,
    pub floors: i32,
    pub units: i32,
    pub rooms_per_floor: i32,
    pub lng: f64,
    pub lat: f64,
}

#[derive(Debug, Serialize)]
pub struct HouseholdItem {
    pub id: i64,
    pub grid_code: String,
    pub building_id: i64,
    pub room: String,
    pub address: String,
    pub member_count: i32,
}

impl From<building::Model> for BuildingItem {
    fn from(b: building::Model) -> Self {
        BuildingItem {
            id: b.id,
            code: b.code,
            grid_code: b.grid_code,
            name: b.name,
            address: b.address,
            floors: b.floors,
            units: b.units,
            rooms_per_floor: b.rooms_per_floor,
            lng: b.lng,
            lat: b.lat,
        }
    }
}

impl From<household::Model> for HouseholdItem {
    fn from(h: household::Model) -> Self {
        HouseholdItem {
            id: h.id,
            grid_code: h.grid_code,
            building_id: h.building_id,
            room: h.room,
            address: h.address,
            member_count: h.member_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TagItem {
    pub tag: String,
    pub label: String,
    pub grade: Option<i32>,
}

#[derive(Debug, Serialize)]
pub struct PersonItem {
    pub id: i64,
    pub name: String,
    pub sex: &'static str,
    pub birth_date: String,
    pub age: Option<u32>,
    /// Masked unless a full record was asked for by a role that may unmask.
    pub id_number: String,
    pub phone: Option<String>,
    pub relation: String,
    pub residence: String,
    pub grid_code: String,
    pub household_id: i64,
    pub tags: Vec<TagItem>,
}

#[derive(Debug, Serialize)]
pub struct PersonRecord {
    #[serde(flatten)]
    pub person: PersonItem,
    pub address: String,
    pub unmasked: bool,
    /// `active`, `moved_out` or `deceased`.
    pub status: String,
    pub ethnicity: Option<String>,
    pub note: Option<String>,
}

/// What a person search may ask for; every part narrows the result.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PersonFilter {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub tag: Option<String>,
    pub age_min: Option<u32>,
    pub age_max: Option<u32>,
    pub household: Option<i64>,
    /// Part of the household's address (现住址), anywhere in it.
    pub address: Option<String>,
    /// The building the household lives in.
    pub building: Option<i64>,
}

impl PersonFilter {
    pub fn is_empty(&self) -> bool {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|v| v.trim().is_empty());
        blank(&self.name)
            && blank(&self.id_number)
            && blank(&self.phone)
            && blank(&self.tag)
            && self.age_min.is_none()
            && self.age_max.is_none()
            && self.household.is_none()
            && blank(&self.address)
            && self.building.is_none()
    }

    /// One search box: an ID number, a phone number, or else a name (prefix).
    pub fn from_query(q: &str) -> PersonFilter {
        let q = q.trim();
        let digits = q.trim_end_matches(['X', 'x']);
        let mut f = PersonFilter::default();
        if (q.len() == 18 || q.len() == 15) && digits.bytes().all(|b| b.is_ascii_digit()) {
            f.id_number = Some(q.to_string());
        } else if q.len() == 11 && q.starts_with('1') && q.bytes().all(|b| b.is_ascii_digit()) {
            f.phone = Some(q.to_string());
        } else if !q.is_empty() {
            f.name = Some(q.to_string());
        }
        f
    }
}

/// The same calendar day `years` years earlier (29 February falls back to the 28th).
fn years_before(d: Date, years: u32) -> Date {
    let year = d.year - years as i32;
    Date::new(year, d.month, d.day)
        .or_else(|| Date::new(year, d.month, d.day - 1))
        .unwrap_or(d)
}

/// Tags that mark key persons (重点人员) are shown only to roles that work with them.
pub fn is_key_person_tag(tag: &str) -> bool {
    TagKind::parse(tag).is_some_and(TagKind::is_key_person)
}

pub fn sees_key_persons(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Operator | Role::GridLeader | Role::GridWorker
    )
}

fn in_range<E, C>(q: Select<E>, col: C, prefix: &str) -> Select<E>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let (lo, hi) = Scope::range_of(prefix);
    q.filter(col.gte(lo)).filter(col.lt(hi))
}

fn age_from(birth: &str, today: Date) -> Option<u32> {
    let b = Date::parse(birth)?;
    let mut age = today.year - b.year;
    if (today.month, today.day) < (b.month, b.day) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

impl Store {
    /// Auditors read the audit log and nothing else.
    pub(crate) fn base_scope_check(&self, scope: &Scope) -> Result<(), StoreError> {
        if scope.role.can_read_base_data() {
            Ok(())
        } else {
            Err(StoreError::Forbidden("您的角色无权查看基础数据".into()))
        }
    }

    pub(crate) fn buildings_select(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<Select<building::Entity>, StoreError> {
        self.base_scope_check(scope)?;
        let prefix = scope.narrow(region)?;
        let mut q = in_range(
            building::Entity::find(),
            building::Column::GridCode,
            &prefix,
        );
        if let Some(c) = self.shard_of(&prefix) {
            q = q.filter(building::Column::County.eq(c));
        }
        Ok(q)
    }

    pub(crate) fn households_select(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<Select<household::Entity>, StoreError> {
        self.base_scope_check(scope)?;
        let prefix = scope.narrow(region)?;
        let mut q = in_range(
            household::Entity::find(),
            household::Column::GridCode,
            &prefix,
        );
        if let Some(c) = self.shard_of(&prefix) {
            q = q.filter(household::Column::County.eq(c));
        }
        Ok(q.filter(household::Column::MemberCount.gt(0)))
    }

    /// Active persons of the scope (or a region in it) that match the filter.
    pub(crate) fn persons_select(
        &self,
        scope: &Scope,
        region: Option<&str>,
        filter: &PersonFilter,
    ) -> Result<Select<person::Entity>, StoreError> {
        self.base_scope_check(scope)?;
        let prefix = scope.narrow(region)?;
        let mut q = in_range(person::Entity::find(), person::Column::GridCode, &prefix)
            .filter(person::Column::Status.eq("active"));
        if let Some(c) = self.shard_of(&prefix) {
            q = q.filter(person::Column::County.eq(c));
        }
        self.apply_filter(q, filter)
    }

    pub async fn buildings(
        &self,
        scope: &Scope,
        region: Option<&str>,
        paging: Paging,
    ) -> Result<Page<BuildingItem>, StoreError> {
        let q = self.buildings_select(scope, region)?;
        self.page_with_total(q, building::Column::GridCode, building::Column::Id, paging)
            .await
    }

    /// Population totals of a subtree come from the per-grid caches: counting millions of
    /// rows for every page would be far slower.
    async fn cached_total(&self, prefix: &str, households: bool) -> Result<u64, StoreError> {
        let counts = self
            .counts_by_prefix(prefix, prefix.len())
            .await?
            .pop()
            .map(|(_, c)| c)
            .unwrap_or_default();
        Ok(if households {
            counts.households
        } else {
            counts.persons
        }
        .max(0) as u64)
    }

    /// The county to name in a query so PostgreSQL (and Citus) reads one shard. SQLite is
    /// not told: its planner takes `county = ?` for the best index (the primary key's
    /// prefix) and then scans the whole county instead of the name or grid index.
    fn shard_of(&self, prefix: &str) -> Option<i32> {
        match self.backend() {
            crate::Backend::Postgres => county_of(prefix),
            _ => None,
        }
    }

    /// A page of `q` turned into list items, with the total of all matching rows.
    pub(crate) async fn page_with_total<E, T>(
        &self,
        q: Select<E>,
        grid: impl ColumnTrait,
        id: impl ColumnTrait,
        paging: Paging,
    ) -> Result<Page<T>, StoreError>
    where
        E: EntityTrait,
        E::Model: Sync,
        T: From<E::Model>,
    {
        let total = q.clone().count(&self.db).await?;
        let items = self
            .page_of(q, grid, id, paging)
            .await?
            .into_iter()
            .map(T::from)
            .collect();
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// Rows of a subtree in (grid, id) order: the order the list index already holds.
    async fn page_of<E: EntityTrait>(
        &self,
        q: Select<E>,
        grid: impl ColumnTrait,
        id: impl ColumnTrait,
        paging: Paging,
    ) -> Result<Vec<E::Model>, StoreError> {
        Ok(q.order_by_asc(grid)
            .order_by_asc(id)
            .offset(paging.offset())
            .limit(paging.per_page)
            .all(&self.db)
            .await?)
    }

    pub async fn households(
        &self,
        scope: &Scope,
        region: Option<&str>,
        building_id: Option<i64>,
        paging: Paging,
    ) -> Result<Page<HouseholdItem>, StoreError> {
        let prefix = scope.narrow(region)?;
        let mut q = self.households_select(scope, region)?;
        let total = match building_id {
            Some(b) => {
                q = q.filter(household::Column::BuildingId.eq(b));
                q.clone().count(&self.db).await?
            }
            None => self.cached_total(&prefix, true).await?,
        };
        let items = self
            .page_of(
                q,
                household::Column::GridCode,
                household::Column::Id,
                paging,
            )
            .await?
            .into_iter()
            .map(HouseholdItem::from)
            .collect();
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    pub async fn persons(
        &self,
        scope: &Scope,
        region: Option<&str>,
        filter: &PersonFilter,
        paging: Paging,
    ) -> Result<Page<PersonItem>, StoreError> {
        let prefix = scope.narrow(region)?;
        let q = self.persons_select(scope, region, filter)?;
        let total = if filter.is_empty() {
            self.cached_total(&prefix, false).await?
        } else {
            q.clone().count(&self.db).await?
        };
        // A name search is ordered by name first, so the name index serves it (a rare name
        // would otherwise be looked for along the whole grid index).
        let q = if filter.name.as_deref().is_some_and(|n| !n.trim().is_empty()) {
            q.order_by_asc(person::Column::Name)
        } else {
            q
        };
        let rows = self
            .page_of(q, person::Column::GridCode, person::Column::Id, paging)
            .await?;
        let items = self.person_items(scope, rows).await?;
        Ok(Page {
            items,
            total,
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    /// Narrows a person query by the filter. ID numbers and phones are found through their
    /// blind index (exact match only: they are never stored in clear).
    fn apply_filter(
        &self,
        mut q: Select<person::Entity>,
        f: &PersonFilter,
    ) -> Result<Select<person::Entity>, StoreError> {
        if let Some(h) = f.household {
            q = q.filter(person::Column::HouseholdId.eq(h));
        }
        if let Some(b) = f.building {
            let homes = sea_orm::sea_query::Query::select()
                .column(household::Column::Id)
                .from(household::Entity)
                .and_where(household::Column::BuildingId.eq(b))
                .to_owned();
            q = q.filter(person::Column::HouseholdId.in_subquery(homes));
        }
        if let Some(text) = f
            .address
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            if text.chars().count() > 100 {
                return Err(StoreError::invalid("address", "地址查询不超过100字"));
            }
            // Escaped so that % and _ typed by a user match themselves.
            let pattern = format!(
                "%{}%",
                text.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            let homes = sea_orm::sea_query::Query::select()
                .column(household::Column::Id)
                .from(household::Entity)
                .and_where(sea_orm::sea_query::ExprTrait::like(
                    sea_orm::sea_query::Expr::col(household::Column::Address),
                    sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'),
                ))
                .to_owned();
            q = q.filter(person::Column::HouseholdId.in_subquery(homes));
        }
        if let Some(name) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            // A prefix as an indexed range: 王 finds 王芳 and 王建国.
            q = q
                .filter(person::Column::Name.gte(name))
                .filter(person::Column::Name.lt(format!("{name}\u{10FFFF}")));
        }
        if let Some(raw) = f.id_number.as_deref().filter(|s| !s.trim().is_empty()) {
            let id = IdNumber::parse(raw)
                .map_err(|e| StoreError::invalid("id_number", e.to_string()))?;
            q = q.filter(person::Column::IdIndex.eq(self.crypto.blind_index("id", id.as_str())));
        }
        if let Some(raw) = f.phone.as_deref().filter(|s| !s.trim().is_empty()) {
            let phone =
                Phone::parse(raw).map_err(|e| StoreError::invalid("phone", e.to_string()))?;
            q = q.filter(
                person::Column::PhoneIndex.eq(self.crypto.blind_index("phone", phone.as_str())),
            );
        }
        let today = local_date(self.now_ms());
        // Age a..=b means born after today-(b+1) years and on or before today-a years.
        if let Some(min) = f.age_min {
            q = q.filter(person::Column::BirthDate.lte(years_before(today, min).to_string()));
        }
        if let Some(max) = f.age_max {
            q = q.filter(person::Column::BirthDate.gt(years_before(today, max + 1).to_string()));
        }
        if let Some(tag) = f.tag.as_deref().filter(|t| !t.is_empty()) {
            let kind = TagKind::parse(tag)
                .ok_or_else(|| StoreError::invalid("tag", format!("未知标签“{tag}”")))?;
            if kind == TagKind::Elderly {
                q = q.filter(person::Column::BirthDate.lte(years_before(today, 60).to_string()));
            } else {
                let tagged = sea_orm::sea_query::Query::select()
                    .column(person_tag::Column::PersonId)
                    .from(person_tag::Entity)
                    .and_where(person_tag::Column::Tag.eq(kind.as_str()))
                    .to_owned();
                q = q.filter(person::Column::Id.in_subquery(tagged));
            }
        }
        Ok(q)
    }

    pub(crate) async fn person_items(
        &self,
        scope: &Scope,
        rows: Vec<person::Model>,
    ) -> Result<Vec<PersonItem>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let mut tags = if ids.is_empty() {
            Vec::new()
        } else {
            person_tag::Entity::find()
                .filter(person_tag::Column::PersonId.is_in(ids))
                .all(&self.db)
                .await?
        };
        if !sees_key_persons(scope.role) {
            tags.retain(|t| !is_key_person_tag(&t.tag));
        }
        let today = local_date(self.now_ms());
        Ok(rows
            .into_iter()
            .map(|p| {
                let age = age_from(&p.birth_date, today);
                // "Elderly" follows from the birth date in the ID number; it is never stored.
                let elderly = age.is_some_and(|a| a >= 60).then(|| TagItem {
                    tag: TagKind::Elderly.as_str().into(),
                    label: TagKind::Elderly.label().into(),
                    grade: None,
                });
                PersonItem {
                    tags: elderly
                        .into_iter()
                        .chain(
                            tags.iter()
                                .filter(|t| t.person_id == p.id)
                                .map(|t| TagItem {
                                    label: TagKind::label_of(&t.tag).to_string(),
                                    tag: t.tag.clone(),
                                    grade: t.grade,
                                }),
                        )
                        .collect(),
                    id: p.id,
                    sex: if p.sex == "M" { "男" } else { "女" },
                    age,
                    name: p.name,
                    birth_date: p.birth_date,
                    id_number: p.id_masked,
                    phone: p.phone_masked,
                    relation: p.relation,
                    residence: p.residence,
                    grid_code: p.grid_code,
                    household_id: p.household_id,
                }
            })
            .collect())
    }

    /// One person's full record. Every call is audited; `unmask` reveals the ID number and
    /// phone only to roles holding the unmask right, and the audit row says so.
    pub async fn person(
        &self,
        scope: &Scope,
        id: i64,
        unmask: bool,
        client: &str,
    ) -> Result<PersonRecord, StoreError> {
        self.base_scope_check(scope)?;
        if unmask && !scope.role.can_unmask() {
            return Err(StoreError::Forbidden(
                "您的角色无权查看完整身份证号和手机号".into(),
            ));
        }
        let mut q = person::Entity::find().filter(person::Column::Id.eq(id));
        if let Some(c) = scope.county() {
            q = q.filter(person::Column::County.eq(c));
        }
        let p = q
            .one(&self.db)
            .await?
            .filter(|p| scope.covers(&p.grid_code))
            .ok_or(StoreError::NotFound)?;
        let address = household::Entity::find()
            .filter(household::Column::County.eq(p.county))
            .filter(household::Column::Id.eq(p.household_id))
            .one(&self.db)
            .await?
            .map(|h| h.address)
            .unwrap_or_default();
        let (id_plain, phone_plain) = if unmask {
            let id_number = self.crypto.decrypt_string(&p.id_cipher)?;
            let phone = p
                .phone_cipher
                .as_deref()
                .map(|c| self.crypto.decrypt_string(c))
                .transpose()?;
            (Some(id_number), phone)
        } else {
            (None, None)
        };
        let object = format!("person:{id}");
        let action = if unmask {
            "person.view_unmasked"
        } else {
            "person.view"
        };
        self.audit(AuditEntry {
            account: &scope.username,
            action,
            object: &object,
            outcome: "ok",
            client,
        })
        .await?;
        let (status, ethnicity, note) = (p.status.clone(), p.ethnicity.clone(), p.note.clone());
        let mut item = self
            .person_items(scope, vec![p])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        if let Some(full) = id_plain {
            item.id_number = full;
            item.phone = phone_plain;
        }
        Ok(PersonRecord {
            person: item,
            address,
            unmasked: unmask,
            status,
            ethnicity,
            note,
        })
    }
}
