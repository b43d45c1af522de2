//! Buildings and organizations from a file, one row at a time: each row is matched with
//! the record on file (a building by its code, or by name within its grid; an organization
//! by its credit code, or by name within its grid), then reported as new, changed or
//! unchanged, and written when `write` is set. Importing the same file twice changes
//! nothing.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use wangge_domain::geometry::{centroid, parse_geojson};
use wangge_domain::phone::Phone;
use wangge_domain::population::OrgKind;
use wangge_domain::uscc::Uscc;

use crate::entity::{building, organization};
use crate::import::Outcome;
use crate::places::PlaceIn;
use crate::{Scope, Store, StoreError};

/// A building row as read from a file.
#[derive(Debug, Default, Clone)]
pub struct BuildingRow {
    pub code: Option<String>,
    pub name: String,
    pub address: String,
    pub floors: Option<i32>,
    pub units: Option<i32>,
    pub rooms_per_floor: Option<i32>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub grid: Option<String>,
}

fn refused(e: StoreError) -> Result<Outcome, StoreError> {
    match e {
        StoreError::Invalid { field, message } => Ok(Outcome::Refused { field, message }),
        StoreError::Conflict(message) => Ok(Outcome::Refused {
            field: "uscc",
            message,
        }),
        other => Err(other),
    }
}

impl Store {
    /// The grid a row goes to: its own column, or the caller's grid when the scope is one.
    fn row_grid(&self, scope: &Scope, grid: Option<&str>) -> Result<String, StoreError> {
        match grid.map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) => Ok(g.to_string()),
            None if scope.region.len() == 15 => Ok(scope.region.clone()),
            None => Err(StoreError::invalid(
                "grid",
                "未填写网格编码，无法确定所属网格（请在“网格”列填写15位网格编码）",
            )),
        }
    }

    pub async fn import_building(
        &self,
        scope: &Scope,
        row: BuildingRow,
        write: bool,
    ) -> Result<Outcome, StoreError> {
        match self.building_row(scope, row, write).await {
            Ok(o) => Ok(o),
            Err(e) => refused(e),
        }
    }

    async fn building_row(
        &self,
        scope: &Scope,
        row: BuildingRow,
        write: bool,
    ) -> Result<Outcome, StoreError> {
        let grid = self.row_grid(scope, row.grid.as_deref())?;
        let county = self.writable_grid(scope, &grid).await?;
        let name = row.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::invalid(
                "name",
                "楼栋名称不能为空，且不超过100字",
            ));
        }
        let address = row.address.trim().to_string();
        if address.is_empty() || address.chars().count() > 200 {
            return Err(StoreError::invalid(
                "address",
                "地址不能为空，且不超过200字",
            ));
        }
        for (field, v) in [
            ("floors", row.floors),
            ("units", row.units),
            ("rooms_per_floor", row.rooms_per_floor),
        ] {
            if v.is_some_and(|n| !(0..=200).contains(&n)) {
                return Err(StoreError::invalid(field, "应为0到200之间的整数"));
            }
        }
        if let Some(code) = &row.code
            && !(code.len() == 19
                && code.starts_with(&grid)
                && code.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(StoreError::invalid(
                "code",
                format!("楼栋编码“{code}”应为19位数字，以所属网格编码开头"),
            ));
        }
        let existing = match &row.code {
            Some(code) => {
                building::Entity::find()
                    .filter(building::Column::Code.eq(code.as_str()))
                    .one(self.connection())
                    .await?
            }
            None => {
                building::Entity::find()
                    .filter(building::Column::GridCode.eq(grid.as_str()))
                    .filter(building::Column::Name.eq(name.as_str()))
                    .one(self.connection())
                    .await?
            }
        };
        if let Some(b) = &existing
            && !scope.covers(&b.grid_code)
        {
            return Err(StoreError::invalid(
                "code",
                "该楼栋登记在您管辖范围以外的网格",
            ));
        }
        let point = match (row.lng, row.lat) {
            (Some(x), Some(y)) if (73.0..=136.0).contains(&x) && (3.0..=54.0).contains(&y) => {
                [x, y]
            }
            (Some(_), Some(_)) => {
                return Err(StoreError::invalid("longitude", "坐标不在中国境内"));
            }
            (None, None) => match &existing {
                Some(b) => [b.lng, b.lat],
                // Without coordinates the building is put at its grid's centre until
                // someone places it.
                None => {
                    let g = self.grid_by_code(&grid).await?;
                    let shape = serde_json::from_str(&g.boundary)
                        .ok()
                        .and_then(|v| parse_geojson(&v).ok())
                        .ok_or_else(|| StoreError::invalid("grid", "网格边界数据损坏"))?;
                    centroid(&shape)
                }
            },
            _ => return Err(StoreError::invalid("latitude", "经度和纬度须同时填写")),
        };
        let Some(b) = existing else {
            if write {
                let code = match row.code {
                    Some(c) => c,
                    None => self.next_building_code(&grid).await?,
                };
                building::ActiveModel {
                    county: Set(county),
                    id: Set(self.next_id()),
                    code: Set(code),
                    grid_code: Set(grid),
                    name: Set(name),
                    address: Set(address),
                    floors: Set(row.floors.unwrap_or(0)),
                    units: Set(row.units.unwrap_or(0)),
                    rooms_per_floor: Set(row.rooms_per_floor.unwrap_or(0)),
                    lng: Set(point[0]),
                    lat: Set(point[1]),
                }
                .insert(self.connection())
                .await?;
            }
            return Ok(Outcome::New);
        };
        let mut fields = Vec::new();
        let mut am: building::ActiveModel = b.clone().into();
        if b.name != name {
            fields.push("name");
            am.name = Set(name);
        }
        if b.address != address {
            fields.push("address");
            am.address = Set(address);
        }
        for (field, new, old, set) in [
            ("floors", row.floors, b.floors, 0),
            ("units", row.units, b.units, 1),
            ("rooms_per_floor", row.rooms_per_floor, b.rooms_per_floor, 2),
        ] {
            if let Some(n) = new.filter(|n| *n != old) {
                fields.push(field);
                match set {
                    0 => am.floors = Set(n),
                    1 => am.units = Set(n),
                    _ => am.rooms_per_floor = Set(n),
                }
            }
        }
        if (b.lng, b.lat) != (point[0], point[1]) {
            fields.push("point");
            am.lng = Set(point[0]);
            am.lat = Set(point[1]);
        }
        if fields.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        if write {
            am.update(self.connection()).await?;
        }
        Ok(Outcome::Changed(fields))
    }

    /// The grid's next building code: its code and a 4-digit sequence.
    async fn next_building_code(&self, grid: &str) -> Result<String, StoreError> {
        let last = building::Entity::find()
            .filter(building::Column::Code.gte(format!("{grid}0000")))
            .filter(building::Column::Code.lte(format!("{grid}9999")))
            .order_by_desc(building::Column::Code)
            .one(self.connection())
            .await?;
        let next = last
            .and_then(|b| b.code[grid.len()..].parse::<u32>().ok())
            .map_or(1, |n| n + 1);
        if next > 9999 {
            return Err(StoreError::invalid("code", "本网格楼栋编码已用完"));
        }
        Ok(format!("{grid}{next:04}"))
    }

    pub async fn import_organization(
        &self,
        scope: &Scope,
        mut row: PlaceIn,
        write: bool,
        client: &str,
    ) -> Result<Outcome, StoreError> {
        let result = async {
            row.grid = self.row_grid(scope, Some(row.grid.as_str()))?;
            if row.kind.trim().is_empty() {
                row.kind = OrgKind::Other.as_str().into();
            }
            let uscc = match row.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                Some(u) => Some(
                    Uscc::parse(u)
                        .map_err(|e| StoreError::invalid("uscc", e.to_string()))?
                        .as_str()
                        .to_string(),
                ),
                None => None,
            };
            let existing = match &uscc {
                Some(u) => {
                    organization::Entity::find()
                        .filter(organization::Column::Uscc.eq(u.as_str()))
                        .one(self.connection())
                        .await?
                }
                None => {
                    organization::Entity::find()
                        .filter(organization::Column::GridCode.eq(row.grid.as_str()))
                        .filter(organization::Column::Name.eq(row.name.trim()))
                        .filter(organization::Column::Status.eq("active"))
                        .one(self.connection())
                        .await?
                }
            };
            let Some(o) = existing else {
                if write {
                    self.create_organization(scope, row, client).await?;
                } else {
                    self.writable_grid(scope, &row.grid).await?;
                    OrgKind::parse(&row.kind)
                        .or_else(|| OrgKind::ALL.iter().copied().find(|k| k.label() == row.kind))
                        .ok_or_else(|| {
                            StoreError::invalid("kind", format!("组织类型“{}”不存在", row.kind))
                        })?;
                    if let Some(p) = row.phone.as_deref().filter(|p| !p.trim().is_empty()) {
                        Phone::parse(p).map_err(|e| StoreError::invalid("phone", e.to_string()))?;
                    }
                }
                return Ok(Outcome::New);
            };
            if !scope.covers(&o.grid_code) {
                return Err(StoreError::invalid(
                    "uscc",
                    "该组织登记在您管辖范围以外的网格",
                ));
            }
            self.writable_grid(scope, &row.grid).await?;
            let kind = OrgKind::parse(&row.kind)
                .or_else(|| OrgKind::ALL.iter().copied().find(|k| k.label() == row.kind))
                .ok_or_else(|| {
                    StoreError::invalid("kind", format!("组织类型“{}”不存在", row.kind))
                })?;
            let phone = row
                .phone
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(Phone::parse)
                .transpose()
                .map_err(|e| StoreError::invalid("phone", e.to_string()))?;
            let mut fields = Vec::new();
            let mut am: organization::ActiveModel = o.clone().into();
            let name = row.name.trim().to_string();
            if o.name != name {
                fields.push("name");
                am.name = Set(name);
            }
            if o.kind != kind.as_str() {
                fields.push("kind");
                am.kind = Set(kind.as_str().into());
            }
            if !row.address.trim().is_empty() && o.address != row.address.trim() {
                fields.push("address");
                am.address = Set(row.address.trim().into());
            }
            if let Some(l) = row
                .leader
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                && o.leader.as_deref() != Some(l)
            {
                fields.push("leader");
                am.leader = Set(Some(l.into()));
            }
            let phone_on_file = o
                .phone_cipher
                .as_deref()
                .map(|c| self.crypto().decrypt_string(c))
                .transpose()?;
            if let Some(p) = &phone
                && phone_on_file.as_deref() != Some(p.as_str())
            {
                fields.push("phone");
                am.phone_cipher = Set(Some(self.crypto().encrypt(p.as_str().as_bytes())));
                am.phone_masked = Set(Some(p.masked()));
            }
            if o.grid_code != row.grid {
                fields.push("grid");
                am.grid_code = Set(row.grid.clone());
            }
            if fields.is_empty() {
                return Ok(Outcome::Unchanged);
            }
            if write {
                am.updated_at = Set(self.now_ms());
                am.update(self.connection()).await?;
            }
            Ok(Outcome::Changed(fields))
        }
        .await;
        match result {
            Ok(o) => Ok(o),
            Err(e) => refused(e),
        }
    }
}

/// A household row as read from a file.
#[derive(Debug, Default, Clone)]
pub struct HouseholdRow {
    pub number: String,
    pub head_name: String,
    pub head_id_number: Option<String>,
    pub address: Option<String>,
    pub building: Option<String>,
    pub room: Option<String>,
    pub grid: Option<String>,
}

impl Store {
    /// A household keyed by its number (户号) within its grid: created, or its address,
    /// building and room updated. A head already registered joins it as head (recorded in
    /// the person's history); a head not yet registered joins when the persons are
    /// imported with the same 户号.
    pub async fn import_household(
        &self,
        scope: &Scope,
        row: HouseholdRow,
        write: bool,
    ) -> Result<Outcome, StoreError> {
        match self.household_row(scope, row, write).await {
            Ok(o) => Ok(o),
            Err(e) => refused(e),
        }
    }

    async fn household_row(
        &self,
        scope: &Scope,
        row: HouseholdRow,
        write: bool,
    ) -> Result<Outcome, StoreError> {
        use crate::entity::{household, person};
        let grid = self.row_grid(scope, row.grid.as_deref())?;
        let county = self.writable_grid(scope, &grid).await?;
        let number = row.number.trim().to_string();
        if number.is_empty() || number.chars().count() > 32 {
            return Err(StoreError::invalid(
                "household",
                "户号不能为空，且不超过32个字符",
            ));
        }
        let head_name = row.head_name.trim().to_string();
        if head_name.is_empty() {
            return Err(StoreError::invalid("head_name", "户主姓名不能为空"));
        }
        let head = match row
            .head_id_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => {
                let id = wangge_domain::id_number::IdNumber::parse(raw)
                    .map_err(|e| StoreError::invalid("head_id_number", e.to_string()))?;
                let index = self.crypto().blind_index("id", id.as_str());
                let found = person::Entity::find()
                    .filter(person::Column::IdIndex.eq(index))
                    .one(self.connection())
                    .await?;
                match found {
                    Some(p) if !scope.covers(&p.grid_code) => {
                        return Err(StoreError::invalid(
                            "head_id_number",
                            "户主登记在您管辖范围以外的网格",
                        ));
                    }
                    Some(p) if p.name != head_name => {
                        return Err(StoreError::invalid(
                            "head_name",
                            format!("户主姓名与登记的“{}”不符", p.name),
                        ));
                    }
                    other => other,
                }
            }
            None => None,
        };
        let building_id = match row
            .building
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty())
        {
            Some(name) => {
                building::Entity::find()
                    .filter(building::Column::GridCode.eq(grid.as_str()))
                    .filter(
                        sea_orm::Condition::any()
                            .add(building::Column::Name.eq(name))
                            .add(building::Column::Code.eq(name)),
                    )
                    .one(self.connection())
                    .await?
                    .ok_or_else(|| {
                        StoreError::invalid(
                            "building",
                            format!("楼栋“{name}”不在该网格，请先导入楼栋"),
                        )
                    })?
                    .id
            }
            None => 0,
        };
        let existing = household::Entity::find()
            .filter(household::Column::GridCode.eq(grid.as_str()))
            .filter(household::Column::Number.eq(number.as_str()))
            .one(self.connection())
            .await?;
        let address = row.address.clone().unwrap_or_default();
        let room = row.room.clone().unwrap_or_default();
        let (outcome, household_id) = match existing {
            None => {
                let id = self.next_id();
                if write {
                    household::ActiveModel {
                        county: Set(county),
                        id: Set(id),
                        building_id: Set(building_id),
                        grid_code: Set(grid.clone()),
                        room: Set(room),
                        address: Set(address),
                        member_count: Set(0),
                        number: Set(Some(number.clone())),
                    }
                    .insert(self.connection())
                    .await?;
                }
                (Outcome::New, id)
            }
            Some(h) => {
                let mut fields = Vec::new();
                let mut am: household::ActiveModel = h.clone().into();
                if row.address.is_some() && h.address != address {
                    fields.push("address");
                    am.address = Set(address);
                }
                if row.room.is_some() && h.room != room {
                    fields.push("room");
                    am.room = Set(room);
                }
                if row.building.is_some() && h.building_id != building_id {
                    fields.push("building");
                    am.building_id = Set(building_id);
                }
                if write && !fields.is_empty() {
                    am.update(self.connection()).await?;
                }
                let outcome = if fields.is_empty() {
                    Outcome::Unchanged
                } else {
                    Outcome::Changed(fields)
                };
                (outcome, h.id)
            }
        };
        // The registered head joins the household as its head.
        let Some(p) = head.filter(|p| p.household_id != household_id || p.relation != "head")
        else {
            return Ok(outcome);
        };
        if p.grid_code != grid {
            return Err(StoreError::invalid(
                "head_id_number",
                "户主登记在其他网格，请先在其档案中迁移网格",
            ));
        }
        if write {
            let mut am: person::ActiveModel = p.clone().into();
            am.household_id = Set(household_id);
            am.relation = Set("head".into());
            am.updated_at = Set(self.now_ms());
            am.update(self.connection()).await?;
            use sea_orm::ConnectionTrait;
            let db = self.connection();
            for (delta, id) in [(-1, p.household_id), (1, household_id)] {
                db.execute_raw(crate::sql::statement(
                    db.get_database_backend(),
                    "UPDATE household SET member_count = member_count + ? WHERE county = ? AND id = ?",
                    vec![delta.into(), p.county.into(), id.into()],
                ))
                .await?;
            }
            crate::split::recount(db, std::slice::from_ref(&grid)).await?;
            crate::entity::person_history::ActiveModel {
                county: Set(p.county),
                id: Set(self.next_id()),
                person_id: Set(p.id),
                at: Set(self.now_ms()),
                kind: Set("update".into()),
                grid_from: Set(Some(p.grid_code.clone())),
                grid_to: Set(Some(p.grid_code.clone())),
                fields: Set("household,relation".into()),
                source: Set("导入 户".into()),
                note: Set(Some(format!("成为户号 {number} 的户主"))),
                account_id: Set((scope.account_id != 0).then_some(scope.account_id)),
            }
            .insert(self.connection())
            .await?;
        }
        Ok(match outcome {
            Outcome::Unchanged => Outcome::Changed(vec!["head"]),
            Outcome::Changed(mut f) => {
                f.push("head");
                Outcome::Changed(f)
            }
            other => other,
        })
    }
}

impl Store {
    /// Edits one building (fields left `None` stay as they are), by the import's rules;
    /// audited. Returns the changed field keys.
    pub async fn edit_building(
        &self,
        scope: &Scope,
        id: i64,
        edit: BuildingRow,
        client: &str,
    ) -> Result<Vec<&'static str>, StoreError> {
        let b = building::Entity::find()
            .filter(building::Column::Id.eq(id))
            .one(self.connection())
            .await?
            .filter(|b| scope.covers(&b.grid_code))
            .ok_or(StoreError::NotFound)?;
        let row = BuildingRow {
            code: Some(b.code.clone()),
            name: Some(edit.name)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(b.name),
            address: Some(edit.address)
                .filter(|a| !a.trim().is_empty())
                .unwrap_or(b.address),
            grid: Some(b.grid_code.clone()),
            ..edit
        };
        let fields = match self.building_row(scope, row, true).await? {
            Outcome::Changed(fields) => fields,
            _ => Vec::new(),
        };
        if !fields.is_empty() {
            let object = format!("building:{id} {} {}", b.code, fields.join(","));
            self.audit(crate::audit::AuditEntry {
                account: &scope.username,
                action: "building.update",
                object: &object,
                outcome: "ok",
                client,
            })
            .await?;
        }
        Ok(fields)
    }
}

impl Store {
    /// One building of the scope.
    pub async fn building(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<crate::people::BuildingItem, StoreError> {
        self.base_scope_check(scope)?;
        building::Entity::find()
            .filter(building::Column::Id.eq(id))
            .one(self.connection())
            .await?
            .filter(|b| scope.covers(&b.grid_code))
            .map(Into::into)
            .ok_or(StoreError::NotFound)
    }
}
