//! Organizations (组织) and things (物) on the grids: scoped lists, registering, editing
//! and closing, each write audited. A unified social credit code is validated (GB 32100)
//! and unique; a leader's phone is personal data, kept encrypted and shown masked.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::Serialize;
use wangge_domain::phone::Phone;
use wangge_domain::population::{OrgKind, ThingKind};
use wangge_domain::region::Level;
use wangge_domain::uscc::Uscc;

use crate::audit::AuditEntry;
use crate::entity::{organization, thing};
use crate::people::{Page, Paging};
use crate::scope::county_of;
use crate::{Scope, Store, StoreError};

/// An organization or thing as typed in; blank optional fields are `None`.
#[derive(Debug, Default, Clone)]
pub struct PlaceIn {
    pub name: String,
    pub kind: String,
    pub grid: String,
    pub address: String,
    pub uscc: Option<String>,
    pub leader: Option<String>,
    pub phone: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OrgItem {
    pub id: i64,
    pub grid_code: String,
    pub name: String,
    pub uscc: Option<String>,
    pub kind: String,
    pub kind_label: &'static str,
    pub address: String,
    pub leader: Option<String>,
    /// Masked.
    pub phone: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub status: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ThingItem {
    pub id: i64,
    pub grid_code: String,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub address: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub status: String,
    pub note: Option<String>,
}

impl From<organization::Model> for OrgItem {
    fn from(o: organization::Model) -> Self {
        OrgItem {
            id: o.id,
            kind_label: OrgKind::parse(&o.kind).map_or("", OrgKind::label),
            grid_code: o.grid_code,
            name: o.name,
            uscc: o.uscc,
            kind: o.kind,
            address: o.address,
            leader: o.leader,
            phone: o.phone_masked,
            lng: o.lng,
            lat: o.lat,
            status: o.status,
            note: o.note,
        }
    }
}

impl From<thing::Model> for ThingItem {
    fn from(t: thing::Model) -> Self {
        ThingItem {
            id: t.id,
            kind_label: ThingKind::parse(&t.kind).map_or("", ThingKind::label),
            grid_code: t.grid_code,
            name: t.name,
            kind: t.kind,
            address: t.address,
            lng: t.lng,
            lat: t.lat,
            status: t.status,
            note: t.note,
        }
    }
}

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<String, StoreError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(StoreError::invalid(field, "不能为空"));
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            field,
            format!("不超过{max}个字，且不能含换行或控制字符"),
        ));
    }
    Ok(v.to_string())
}

fn point(lng: Option<f64>, lat: Option<f64>) -> Result<(Option<f64>, Option<f64>), StoreError> {
    match (lng, lat) {
        (None, None) => Ok((None, None)),
        (Some(x), Some(y)) if (73.0..=136.0).contains(&x) && (3.0..=54.0).contains(&y) => {
            Ok((Some(x), Some(y)))
        }
        (Some(_), Some(_)) => Err(StoreError::invalid(
            "lng",
            "坐标不在中国境内（经度73–136，纬度3–54）",
        )),
        _ => Err(StoreError::invalid("lat", "经度和纬度须同时填写")),
    }
}

impl Store {
    /// The grid a new record goes to must exist within the caller's scope.
    pub(crate) async fn writable_grid(&self, scope: &Scope, grid: &str) -> Result<i32, StoreError> {
        self.base_scope_check(scope)?;
        if !scope.role.can_write() {
            return Err(StoreError::Forbidden("您的角色不能修改基础数据".into()));
        }
        let grid = grid.trim();
        if grid.len() != Level::Grid.code_len() || !scope.covers(grid) {
            return Err(StoreError::invalid(
                "grid",
                format!("网格“{grid}”不存在或不在您的管辖范围内"),
            ));
        }
        self.grid_by_code(grid).await.map_err(|_| {
            StoreError::invalid("grid", format!("网格“{grid}”不存在或不在您的管辖范围内"))
        })?;
        county_of(grid).ok_or(StoreError::NotFound)
    }

    async fn audit_place(
        &self,
        scope: &Scope,
        action: &str,
        object: &str,
        client: &str,
    ) -> Result<(), StoreError> {
        self.audit(AuditEntry {
            account: &scope.username,
            action,
            object,
            outcome: "ok",
            client,
        })
        .await
    }

    pub async fn create_organization(
        &self,
        scope: &Scope,
        o: PlaceIn,
        client: &str,
    ) -> Result<OrgItem, StoreError> {
        let county = self.writable_grid(scope, &o.grid).await?;
        let kind = OrgKind::parse(&o.kind)
            .or_else(|| OrgKind::ALL.iter().copied().find(|k| k.label() == o.kind))
            .ok_or_else(|| StoreError::invalid("kind", format!("组织类型“{}”不存在", o.kind)))?;
        let uscc = match o.uscc.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let code =
                    Uscc::parse(u).map_err(|e| StoreError::invalid("uscc", e.to_string()))?;
                let taken = organization::Entity::find()
                    .filter(organization::Column::Uscc.eq(code.as_str()))
                    .count(self.connection())
                    .await?;
                if taken > 0 {
                    return Err(StoreError::Conflict(format!(
                        "统一社会信用代码 {} 已登记",
                        code.as_str()
                    )));
                }
                Some(code.as_str().to_string())
            }
            None => None,
        };
        let phone = o
            .phone
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(Phone::parse)
            .transpose()
            .map_err(|e| StoreError::invalid("phone", e.to_string()))?;
        let (lng, lat) = point(o.lng, o.lat)?;
        let model = organization::ActiveModel {
            county: Set(county),
            id: Set(self.next_id()),
            grid_code: Set(o.grid.trim().to_string()),
            name: Set(text("name", &o.name, 100, true)?),
            uscc: Set(uscc),
            kind: Set(kind.as_str().to_string()),
            address: Set(text("address", &o.address, 200, false)?),
            leader: Set(o
                .leader
                .map(|l| text("leader", &l, 40, false))
                .transpose()?),
            phone_cipher: Set(phone
                .as_ref()
                .map(|p| self.crypto().encrypt(p.as_str().as_bytes()))),
            phone_masked: Set(phone.as_ref().map(Phone::masked)),
            lng: Set(lng),
            lat: Set(lat),
            status: Set("active".into()),
            note: Set(o.note.map(|n| text("note", &n, 200, false)).transpose()?),
            updated_at: Set(self.now_ms()),
        };
        let saved = model.insert(self.connection()).await?;
        self.audit_place(
            scope,
            "organization.create",
            &format!("organization:{} {}", saved.id, saved.name),
            client,
        )
        .await?;
        Ok(saved.into())
    }

    /// Active organizations of the scope (or a region in it).
    pub(crate) fn organizations_select(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<sea_orm::Select<organization::Entity>, StoreError> {
        self.base_scope_check(scope)?;
        let (lo, hi) = Scope::range_of(&scope.narrow(region)?);
        Ok(organization::Entity::find()
            .filter(organization::Column::GridCode.gte(lo.as_str()))
            .filter(organization::Column::GridCode.lt(hi.as_str()))
            .filter(organization::Column::Status.eq("active")))
    }

    /// Things on record (not removed) in the scope (or a region in it).
    pub(crate) fn things_select(
        &self,
        scope: &Scope,
        region: Option<&str>,
    ) -> Result<sea_orm::Select<thing::Entity>, StoreError> {
        self.base_scope_check(scope)?;
        let (lo, hi) = Scope::range_of(&scope.narrow(region)?);
        Ok(thing::Entity::find()
            .filter(thing::Column::GridCode.gte(lo.as_str()))
            .filter(thing::Column::GridCode.lt(hi.as_str()))
            .filter(thing::Column::Status.eq("active")))
    }

    pub async fn organizations(
        &self,
        scope: &Scope,
        region: Option<&str>,
        name: Option<&str>,
        paging: Paging,
    ) -> Result<Page<OrgItem>, StoreError> {
        let mut q = self.organizations_select(scope, region)?;
        if let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) {
            q = q.filter(organization::Column::Name.contains(n));
        }
        self.page_with_total(
            q,
            organization::Column::GridCode,
            organization::Column::Id,
            paging,
        )
        .await
    }

    pub async fn create_thing(
        &self,
        scope: &Scope,
        t: PlaceIn,
        client: &str,
    ) -> Result<ThingItem, StoreError> {
        let county = self.writable_grid(scope, &t.grid).await?;
        let kind = ThingKind::parse(&t.kind)
            .or_else(|| ThingKind::ALL.iter().copied().find(|k| k.label() == t.kind))
            .ok_or_else(|| StoreError::invalid("kind", format!("类型“{}”不存在", t.kind)))?;
        let (lng, lat) = point(t.lng, t.lat)?;
        let model = thing::ActiveModel {
            county: Set(county),
            id: Set(self.next_id()),
            grid_code: Set(t.grid.trim().to_string()),
            kind: Set(kind.as_str().to_string()),
            name: Set(text("name", &t.name, 100, true)?),
            address: Set(text("address", &t.address, 200, false)?),
            lng: Set(lng),
            lat: Set(lat),
            status: Set("active".into()),
            note: Set(t.note.map(|n| text("note", &n, 200, false)).transpose()?),
            updated_at: Set(self.now_ms()),
        };
        let saved = model.insert(self.connection()).await?;
        self.audit_place(
            scope,
            "thing.create",
            &format!("thing:{} {}", saved.id, saved.name),
            client,
        )
        .await?;
        Ok(saved.into())
    }

    pub async fn things(
        &self,
        scope: &Scope,
        region: Option<&str>,
        kind: Option<&str>,
        paging: Paging,
    ) -> Result<Page<ThingItem>, StoreError> {
        let mut q = self.things_select(scope, region)?;
        if let Some(k) = kind.filter(|k| !k.is_empty()) {
            q = q.filter(thing::Column::Kind.eq(k));
        }
        self.page_with_total(q, thing::Column::GridCode, thing::Column::Id, paging)
            .await
    }

    /// Closes an organization (`closed`) or removes a thing (`removed`) from the lists;
    /// the row stays for the record.
    pub async fn close_place(
        &self,
        scope: &Scope,
        organization: bool,
        id: i64,
        client: &str,
    ) -> Result<(), StoreError> {
        self.base_scope_check(scope)?;
        if !scope.role.can_write() {
            return Err(StoreError::Forbidden("您的角色不能修改基础数据".into()));
        }
        let txn = crate::connect::begin_write(self.connection()).await?;
        let (object, action) = if organization {
            let o = organization::Entity::find()
                .filter(organization::Column::Id.eq(id))
                .one(&txn)
                .await?
                .filter(|o| scope.covers(&o.grid_code) && o.status == "active")
                .ok_or(StoreError::NotFound)?;
            let name = o.name.clone();
            let mut am: organization::ActiveModel = o.into();
            am.status = Set("closed".into());
            am.updated_at = Set(self.now_ms());
            am.update(&txn).await?;
            (format!("organization:{id} {name}"), "organization.close")
        } else {
            let t = thing::Entity::find()
                .filter(thing::Column::Id.eq(id))
                .one(&txn)
                .await?
                .filter(|t| scope.covers(&t.grid_code) && t.status == "active")
                .ok_or(StoreError::NotFound)?;
            let name = t.name.clone();
            let mut am: thing::ActiveModel = t.into();
            am.status = Set("removed".into());
            am.updated_at = Set(self.now_ms());
            am.update(&txn).await?;
            (format!("thing:{id} {name}"), "thing.remove")
        };
        self.audit_in(
            &txn,
            AuditEntry {
                account: &scope.username,
                action,
                object: &object,
                outcome: "ok",
                client,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Corrects a thing: the given fields replace the ones on record; audited.
    pub async fn edit_thing(
        &self,
        scope: &Scope,
        id: i64,
        edit: PlaceIn,
        client: &str,
    ) -> Result<ThingItem, StoreError> {
        self.base_scope_check(scope)?;
        let t = thing::Entity::find()
            .filter(thing::Column::Id.eq(id))
            .one(self.connection())
            .await?
            .filter(|t| scope.covers(&t.grid_code) && t.status == "active")
            .ok_or(StoreError::NotFound)?;
        if !scope.role.can_write() {
            return Err(StoreError::Forbidden("您的角色不能修改基础数据".into()));
        }
        let mut am: thing::ActiveModel = t.clone().into();
        if !edit.name.trim().is_empty() {
            am.name = Set(text("name", &edit.name, 100, true)?);
        }
        if !edit.kind.trim().is_empty() {
            let kind = ThingKind::parse(&edit.kind)
                .or_else(|| {
                    ThingKind::ALL
                        .iter()
                        .copied()
                        .find(|k| k.label() == edit.kind)
                })
                .ok_or_else(|| StoreError::invalid("kind", format!("类型“{}”不存在", edit.kind)))?;
            am.kind = Set(kind.as_str().into());
        }
        if !edit.address.trim().is_empty() {
            am.address = Set(text("address", &edit.address, 200, false)?);
        }
        if edit.lng.is_some() || edit.lat.is_some() {
            let (lng, lat) = point(edit.lng, edit.lat)?;
            am.lng = Set(lng);
            am.lat = Set(lat);
        }
        if let Some(n) = edit.note {
            am.note = Set(Some(text("note", &n, 200, false)?));
        }
        am.updated_at = Set(self.now_ms());
        let saved = am.update(self.connection()).await?;
        self.audit_place(
            scope,
            "thing.update",
            &format!("thing:{id} {}", saved.name),
            client,
        )
        .await?;
        Ok(saved.into())
    }
}
