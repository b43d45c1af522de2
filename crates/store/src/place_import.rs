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
