//! Loading base data in bulk (generator, imports): a [`Batch`] is filled on any thread —
//! validation and encryption happen there — and then written in one transaction.
use sea_orm::{ConnectionTrait, Value};
use wangge_domain::id_number::IdNumber;
use wangge_domain::phone::Phone;

use crate::bulk::Rows;
use crate::scope::county_of;
use crate::{Store, StoreError};

/// Rows for one or more grids, ready to be written together.
pub struct Batch {
    grids: Rows,
    buildings: Rows,
    households: Rows,
    persons: Rows,
    tags: Rows,
    staff: Rows,
    regions: Rows,
    departments: Rows,
    pub person_count: usize,
}

pub struct GridIn<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub community_code: &'a str,
    /// Closed outer ring, WGS84 [lng, lat].
    pub ring: &'a [[f64; 2]],
    pub households: i32,
    pub persons: i32,
}

pub struct BuildingIn<'a> {
    pub code: &'a str,
    pub grid_code: &'a str,
    pub name: &'a str,
    pub address: &'a str,
    pub floors: i32,
    pub units: i32,
    pub rooms_per_floor: i32,
    pub point: [f64; 2],
}

pub struct HouseholdIn<'a> {
    /// 0 when the household is in no building on record.
    pub building_id: i64,
    pub grid_code: &'a str,
    pub room: &'a str,
    pub address: &'a str,
    pub members: i32,
    /// The register's household number (户号), when known.
    pub number: Option<&'a str>,
}

pub struct PersonIn<'a> {
    pub household_id: i64,
    pub grid_code: &'a str,
    pub name: &'a str,
    pub id_number: &'a IdNumber,
    pub phone: Option<&'a Phone>,
    pub relation: &'a str,
    pub residence: &'a str,
    pub tags: &'a [(&'a str, Option<i32>)],
}

/// What imports and forms record beyond the generator's fields.
#[derive(Default)]
pub struct PersonExtra<'a> {
    pub ethnicity: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// A person's protected fields, encrypted and indexed, with what is derived from the ID
/// number.
#[derive(Clone)]
pub struct Sealed {
    pub id_cipher: Vec<u8>,
    pub id_index: Vec<u8>,
    pub id_masked: String,
    pub phone_cipher: Option<Vec<u8>>,
    pub phone_index: Option<Vec<u8>>,
    pub phone_masked: Option<String>,
    pub sex: &'static str,
    pub birth_date: String,
}

impl Store {
    /// Encrypts and indexes an ID number and phone. Pure CPU: call it on worker threads.
    pub fn seal(&self, id_number: &IdNumber, phone: Option<&Phone>) -> Sealed {
        let crypto = self.crypto();
        Sealed {
            id_cipher: crypto.encrypt(id_number.as_str().as_bytes()),
            phone_cipher: phone.map(|p| crypto.encrypt(p.as_str().as_bytes())),
            ..self.seal_index(id_number, phone)
        }
    }

    /// The blind indexes and derived fields only, for matching rows with records (a dry
    /// run): the ciphers are left empty, and such a value cannot be written.
    pub fn seal_index(&self, id_number: &IdNumber, phone: Option<&Phone>) -> Sealed {
        let crypto = self.crypto();
        Sealed {
            id_cipher: Vec::new(),
            id_index: crypto.blind_index("id", id_number.as_str()),
            id_masked: id_number.masked(),
            phone_cipher: None,
            phone_index: phone.map(|p| crypto.blind_index("phone", p.as_str())),
            phone_masked: phone.map(Phone::masked),
            sex: match id_number.sex() {
                wangge_domain::id_number::Sex::Male => "M",
                wangge_domain::id_number::Sex::Female => "F",
            },
            birth_date: id_number.birth_date().to_string(),
        }
    }
}

fn county(code: &str) -> Result<i32, StoreError> {
    county_of(code)
        .ok_or_else(|| StoreError::invalid("code", format!("代码“{code}”不在任何区县之下")))
}

/// A GeoJSON Polygon for one ring, and its bounding box.
pub fn polygon_geojson(ring: &[[f64; 2]]) -> (String, [f64; 4]) {
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for p in ring {
        bbox = [
            bbox[0].min(p[0]),
            bbox[1].min(p[1]),
            bbox[2].max(p[0]),
            bbox[3].max(p[1]),
        ];
    }
    let geometry = serde_json::json!({ "type": "Polygon", "coordinates": [ring] });
    (geometry.to_string(), bbox)
}

impl Batch {
    pub fn new() -> Batch {
        Batch {
            grids: Rows::new(
                "grid",
                &[
                    "county",
                    "id",
                    "code",
                    "name",
                    "community_code",
                    "boundary",
                    "min_lng",
                    "min_lat",
                    "max_lng",
                    "max_lat",
                    "household_count",
                    "person_count",
                    "updated_at",
                ],
            ),
            buildings: Rows::new(
                "building",
                &[
                    "county",
                    "id",
                    "code",
                    "grid_code",
                    "name",
                    "address",
                    "floors",
                    "units",
                    "rooms_per_floor",
                    "lng",
                    "lat",
                ],
            ),
            households: Rows::new(
                "household",
                &[
                    "county",
                    "id",
                    "building_id",
                    "grid_code",
                    "room",
                    "address",
                    "member_count",
                    "number",
                ],
            ),
            persons: Rows::new(
                "person",
                &[
                    "county",
                    "id",
                    "household_id",
                    "grid_code",
                    "name",
                    "id_cipher",
                    "id_index",
                    "id_masked",
                    "phone_cipher",
                    "phone_index",
                    "phone_masked",
                    "sex",
                    "birth_date",
                    "relation",
                    "residence",
                    "ethnicity",
                    "note",
                    "status",
                    "updated_at",
                ],
            ),
            tags: Rows::new(
                "person_tag",
                &["county", "person_id", "tag", "grade", "grid_code"],
            ),
            staff: Rows::new(
                "grid_staff",
                &[
                    "county",
                    "id",
                    "grid_code",
                    "duty",
                    "name",
                    "phone_cipher",
                    "account_id",
                ],
            ),
            regions: Rows::new(
                "region",
                &["code", "name", "level", "parent_code", "boundary"],
            ),
            departments: Rows::new("department", &["id", "code", "name", "short_name"]),
            person_count: 0,
        }
    }

    /// A region with its boundary (a GeoJSON geometry), when it has one.
    pub fn add_region(
        &mut self,
        code: &str,
        name: &str,
        parent: Option<&str>,
        boundary: Option<&serde_json::Value>,
    ) -> Result<(), StoreError> {
        let level = wangge_domain::region::RegionCode::parse(code)
            .map_err(|e| StoreError::invalid("code", e.to_string()))?
            .level();
        self.regions.push(vec![
            code.into(),
            name.into(),
            level.as_str().into(),
            parent.map(str::to_string).into(),
            boundary.map(|b| b.to_string()).into(),
        ]);
        Ok(())
    }

    pub fn add_department(&mut self, id: i64, code: &str, name: &str, short_name: &str) {
        self.departments
            .push(vec![id.into(), code.into(), name.into(), short_name.into()]);
    }

    pub fn add_grid(&mut self, store: &Store, g: &GridIn<'_>) -> Result<i64, StoreError> {
        let id = store.next_id();
        let (boundary, b) = polygon_geojson(g.ring);
        self.grids.push(vec![
            county(g.code)?.into(),
            id.into(),
            g.code.into(),
            g.name.into(),
            g.community_code.into(),
            boundary.into(),
            b[0].into(),
            b[1].into(),
            b[2].into(),
            b[3].into(),
            g.households.into(),
            g.persons.into(),
            store.now_ms().into(),
        ]);
        Ok(id)
    }

    pub fn add_building(&mut self, store: &Store, b: &BuildingIn<'_>) -> Result<i64, StoreError> {
        let id = store.next_id();
        self.buildings.push(vec![
            county(b.code)?.into(),
            id.into(),
            b.code.into(),
            b.grid_code.into(),
            b.name.into(),
            b.address.into(),
            b.floors.into(),
            b.units.into(),
            b.rooms_per_floor.into(),
            b.point[0].into(),
            b.point[1].into(),
        ]);
        Ok(id)
    }

    pub fn add_household(&mut self, store: &Store, h: &HouseholdIn<'_>) -> Result<i64, StoreError> {
        let id = store.next_id();
        self.households.push(vec![
            county(h.grid_code)?.into(),
            id.into(),
            h.building_id.into(),
            h.grid_code.into(),
            h.room.into(),
            h.address.into(),
            h.members.into(),
            h.number.map(str::to_string).into(),
        ]);
        Ok(id)
    }

    /// Encrypts the ID number and phone, derives sex and birth date from the ID number.
    pub fn add_person(&mut self, store: &Store, p: &PersonIn<'_>) -> Result<i64, StoreError> {
        let sealed = store.seal(p.id_number, p.phone);
        let extra = PersonExtra::default();
        self.add_sealed_person(store, p, &sealed, &extra)
    }

    /// A person whose personal fields are already sealed (imports seal them first, to
    /// look the person up by the blind index).
    pub fn add_sealed_person(
        &mut self,
        store: &Store,
        p: &PersonIn<'_>,
        sealed: &Sealed,
        extra: &PersonExtra<'_>,
    ) -> Result<i64, StoreError> {
        let id = store.next_id();
        self.push_person(store, id, p, sealed, extra)?;
        Ok(id)
    }

    fn push_person(
        &mut self,
        store: &Store,
        id: i64,
        p: &PersonIn<'_>,
        sealed: &Sealed,
        extra: &PersonExtra<'_>,
    ) -> Result<(), StoreError> {
        let c = county(p.grid_code)?;
        if sealed.id_cipher.is_empty() || sealed.phone_cipher.is_none() != p.phone.is_none() {
            return Err(StoreError::Crypto(
                "人员的身份证号或手机号未加密，拒绝写入".into(),
            ));
        }
        self.persons.push(vec![
            c.into(),
            id.into(),
            p.household_id.into(),
            p.grid_code.into(),
            p.name.into(),
            sealed.id_cipher.clone().into(),
            sealed.id_index.clone().into(),
            sealed.id_masked.clone().into(),
            sealed.phone_cipher.clone().into(),
            sealed.phone_index.clone().into(),
            sealed.phone_masked.clone().into(),
            sealed.sex.into(),
            sealed.birth_date.clone().into(),
            p.relation.into(),
            p.residence.into(),
            extra.ethnicity.map(str::to_string).into(),
            extra.note.map(str::to_string).into(),
            "active".into(),
            store.now_ms().into(),
        ]);
        for (tag, grade) in p.tags {
            self.tags.push(vec![
                c.into(),
                id.into(),
                (*tag).into(),
                Value::from(*grade),
                p.grid_code.into(),
            ]);
        }
        self.person_count += 1;
        Ok(())
    }

    pub fn add_staff(
        &mut self,
        store: &Store,
        grid_code: &str,
        duty: &str,
        name: &str,
        phone: &Phone,
    ) -> Result<i64, StoreError> {
        let id = store.next_id();
        self.staff.push(vec![
            county(grid_code)?.into(),
            id.into(),
            grid_code.into(),
            duty.into(),
            name.into(),
            store.crypto().encrypt(phone.as_str().as_bytes()).into(),
            Option::<i64>::None.into(),
        ]);
        Ok(id)
    }

    /// Links a staff row of this batch to the account its person signs in with.
    pub(crate) fn set_staff_account(&mut self, id: i64, account: Option<i64>) {
        for row in self.staff.rows_mut() {
            if row[1] == Value::BigInt(Some(id)) {
                row[6] = account.into();
            }
        }
    }

    /// Sets the member counts of households added to this batch (imports learn them as
    /// members arrive).
    pub(crate) fn set_household_members(&mut self, members: &std::collections::HashMap<i64, i32>) {
        for row in self.households.rows_mut() {
            if let Value::BigInt(Some(id)) = row[1]
                && let Some(n) = members.get(&id)
            {
                row[6] = (*n).into();
            }
        }
    }

    /// Writes everything in one transaction: all of the batch lands, or none of it.
    pub async fn write(mut self, store: &Store) -> Result<(), StoreError> {
        let new_grids = !self.grids.is_empty();
        let txn = crate::connect::begin_write(store.connection()).await?;
        self.flush(&txn).await?;
        txn.commit().await?;
        if new_grids {
            store.invalidate_grid_index().await;
        }
        Ok(())
    }

    pub(crate) async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), StoreError> {
        for rows in [
            &mut self.regions,
            &mut self.departments,
            &mut self.grids,
            &mut self.buildings,
            &mut self.households,
            &mut self.persons,
            &mut self.tags,
            &mut self.staff,
        ] {
            rows.flush(conn).await?;
        }
        Ok(())
    }
}

impl Default for Batch {
    fn default() -> Self {
        Batch::new()
    }
}

impl Store {
    /// Whether a region code is already on record (a second generation is refused).
    pub async fn has_region(&self, code: &str) -> Result<bool, StoreError> {
        use sea_orm::EntityTrait;
        Ok(crate::entity::region::Entity::find_by_id(code)
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Before loading millions of persons into an empty table: drop the random-keyed search
    /// indexes (rebuilt by [`Store::finish_bulk_load`], or at the next start if interrupted).
    pub async fn begin_bulk_load(&self) -> Result<(), StoreError> {
        crate::migrate::drop_search_indexes(&self.db).await
    }

    pub async fn finish_bulk_load(&self) -> Result<(), StoreError> {
        crate::migrate::ensure_search_indexes(&self.db).await?;
        if self.backend() == crate::Backend::Sqlite {
            // Fresh statistics let the planner pick the right index on the big tables.
            self.db
                .execute_unprepared("PRAGMA analysis_limit = 1000; ANALYZE;")
                .await?;
        }
        Ok(())
    }

    /// Codes of the grids already on record under a prefix (to resume a bulk load).
    pub async fn grid_codes(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        use crate::entity::grid;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        let (lo, hi) = crate::Scope::range_of(prefix);
        Ok(grid::Entity::find()
            .select_only()
            .column(grid::Column::Code)
            .filter(grid::Column::Code.gte(lo))
            .filter(grid::Column::Code.lt(hi))
            .into_tuple::<String>()
            .all(&self.db)
            .await?)
    }

    pub async fn department_id(&self, code: &str) -> Result<Option<i64>, StoreError> {
        use crate::entity::department;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        Ok(department::Entity::find()
            .filter(department::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .map(|d| d.id))
    }
}
