//! Who sees which work tasks (see [`crate::work_tasks`]): the caller as the rules see them,
//! the parts of tasks the caller may see, and the names of their units.
//!
//! Staff whose region covers a task's region see all its units' parts (the assigning level
//! and above); a street or community sees its own part (and its communities'), a
//! department role only its department's. Anything else answers 404.
use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use wangge_domain::work_task::{Quarter, UnitKind, may_act_for_region, may_assign};

use crate::entity::{department, region, work_assignment, work_task};
use crate::events::Departments;
use crate::{Scope, Store, StoreError};

/// The caller as the rules of work tasks see them.
pub(crate) struct Viewer<'a> {
    pub scope: &'a Scope,
    /// The caller's department code, for department roles.
    pub department: Option<String>,
}

impl<'a> Viewer<'a> {
    pub(crate) async fn of(
        db: &impl ConnectionTrait,
        scope: &'a Scope,
    ) -> Result<Self, StoreError> {
        let department = match scope.department_id.filter(|_| scope.role.is_department()) {
            Some(id) => Departments::load(db)
                .await?
                .by_id(id)
                .map(|d| d.code.clone()),
            None => None,
        };
        Ok(Viewer { scope, department })
    }

    fn is_department(&self) -> bool {
        self.scope.role.is_department()
    }

    /// The assigning level or above: sees every part of the task.
    pub(crate) fn sees_all(&self, t: &work_task::Model) -> bool {
        !self.is_department() && self.scope.covers(&t.region)
    }

    /// Checks the task's parts off.
    pub(crate) fn assigns(&self, t: &work_task::Model) -> bool {
        may_assign(self.scope.role) && self.sees_all(t)
    }

    /// The part is the caller's unit's (or, for a street, one of its communities').
    fn is_unit(&self, t: &work_task::Model, a: &work_assignment::Model) -> bool {
        match UnitKind::parse(&a.unit_kind) {
            // The department's region and the task's lie on one branch: a task of its
            // county, of a street below, or of the city above.
            Some(UnitKind::Department) => {
                self.department.as_deref() == Some(a.unit_code.as_str())
                    && (self.scope.covers(&t.region) || self.scope.region.starts_with(&t.region))
            }
            Some(UnitKind::Region) => !self.is_department() && self.scope.covers(&a.unit_code),
            None => false,
        }
    }

    pub(crate) fn sees(&self, t: &work_task::Model, a: &work_assignment::Model) -> bool {
        self.sees_all(t) || self.is_unit(t, a)
    }

    /// Plans and submits for the part's unit.
    pub(crate) fn acts_for(&self, t: &work_task::Model, a: &work_assignment::Model) -> bool {
        match UnitKind::parse(&a.unit_kind) {
            Some(UnitKind::Department) => self.is_department() && self.is_unit(t, a),
            Some(UnitKind::Region) => {
                may_act_for_region(self.scope.role) && self.scope.region == a.unit_code
            }
            None => false,
        }
    }
}

/// Names of units by kind and code.
pub(crate) struct UnitNames(HashMap<(UnitKind, String), String>);

impl UnitNames {
    pub(crate) async fn load(
        db: &impl ConnectionTrait,
        assignments: &[work_assignment::Model],
    ) -> Result<Self, StoreError> {
        let mut names = HashMap::new();
        for d in department::Entity::find().all(db).await? {
            names.insert((UnitKind::Department, d.code), d.name);
        }
        let codes: HashSet<String> = assignments
            .iter()
            .filter(|a| a.unit_kind == UnitKind::Region.as_str())
            .map(|a| a.unit_code.clone())
            .collect();
        if !codes.is_empty() {
            for r in region::Entity::find()
                .filter(region::Column::Code.is_in(codes))
                .all(db)
                .await?
            {
                names.insert((UnitKind::Region, r.code), r.name);
            }
        }
        Ok(UnitNames(names))
    }

    pub(crate) fn name(&self, kind: UnitKind, code: &str) -> String {
        self.0
            .get(&(kind, code.to_string()))
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
}

/// A task with the parts of it the caller sees.
pub(crate) type TaskParts = (work_task::Model, Vec<work_assignment::Model>);

/// Names of regions by code.
pub(crate) async fn region_names<'a>(
    db: &impl ConnectionTrait,
    codes: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, String>, StoreError> {
    let codes: HashSet<String> = codes.map(str::to_string).collect();
    Ok(region::Entity::find()
        .filter(region::Column::Code.is_in(codes))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect())
}

impl Store {
    /// The tasks the caller sees, each with the parts the caller sees (in unit order).
    pub(crate) async fn visible_parts(
        &self,
        db: &impl ConnectionTrait,
        viewer: &Viewer<'_>,
        quarter: Option<Quarter>,
    ) -> Result<Vec<TaskParts>, StoreError> {
        let scope = viewer.scope;
        let mut tasks: HashMap<i64, work_task::Model> = HashMap::new();
        let by_quarter = |q: sea_orm::Select<work_task::Entity>| match quarter {
            Some(quarter) => q.filter(work_task::Column::Quarter.eq(quarter.to_string())),
            None => q,
        };
        // The tasks of the caller's level and below: all their parts.
        if !scope.role.is_department() {
            let (lo, hi) = Scope::range_of(&scope.region);
            let mut q = by_quarter(work_task::Entity::find());
            if !scope.region.is_empty() {
                q = q
                    .filter(work_task::Column::Region.gte(lo))
                    .filter(work_task::Column::Region.lt(hi));
            }
            tasks.extend(q.all(db).await?.into_iter().map(|t| (t.id, t)));
        }
        // The parts of the caller's own unit in tasks from above.
        let mut own = work_assignment::Entity::find();
        own = match &viewer.department {
            Some(code) => own
                .filter(work_assignment::Column::UnitKind.eq(UnitKind::Department.as_str()))
                .filter(work_assignment::Column::UnitCode.eq(code.as_str())),
            None if scope.role.is_department() => return Ok(Vec::new()),
            None => {
                let (lo, hi) = Scope::range_of(&scope.region);
                own.filter(work_assignment::Column::UnitKind.eq(UnitKind::Region.as_str()))
                    .filter(work_assignment::Column::UnitCode.gte(lo))
                    .filter(work_assignment::Column::UnitCode.lt(hi))
            }
        };
        let above: HashSet<i64> = own
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.task_id)
            .filter(|id| !tasks.contains_key(id))
            .collect();
        if !above.is_empty() {
            let q = by_quarter(work_task::Entity::find())
                .filter(work_task::Column::Id.is_in(above.into_iter().collect::<Vec<_>>()));
            tasks.extend(q.all(db).await?.into_iter().map(|t| (t.id, t)));
        }
        if tasks.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = tasks.keys().copied().collect();
        let mut parts: HashMap<i64, Vec<work_assignment::Model>> = HashMap::new();
        for a in work_assignment::Entity::find()
            .filter(work_assignment::Column::TaskId.is_in(ids))
            .order_by_asc(work_assignment::Column::UnitKind)
            .order_by_asc(work_assignment::Column::UnitCode)
            .all(db)
            .await?
        {
            let Some(t) = tasks.get(&a.task_id) else {
                continue;
            };
            if viewer.sees(t, &a) {
                parts.entry(t.id).or_default().push(a);
            }
        }
        let mut out: Vec<TaskParts> = tasks
            .into_values()
            .filter_map(|t| parts.remove(&t.id).map(|p| (t, p)))
            .collect();
        out.sort_by_key(|(t, _)| t.id);
        Ok(out)
    }

    /// A part the caller may see, with its task; otherwise NotFound, like a guessed id.
    pub(crate) async fn visible_part(
        &self,
        db: &impl ConnectionTrait,
        viewer: &Viewer<'_>,
        task_id: Option<i64>,
        id: i64,
    ) -> Result<(work_task::Model, work_assignment::Model), StoreError> {
        let a = work_assignment::Entity::find()
            .filter(work_assignment::Column::Id.eq(id))
            .one(db)
            .await?
            .filter(|a| task_id.is_none_or(|t| t == a.task_id))
            .ok_or(StoreError::NotFound)?;
        let t = work_task::Entity::find()
            .filter(work_task::Column::County.eq(a.county))
            .filter(work_task::Column::Id.eq(a.task_id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !viewer.sees(&t, &a) {
            return Err(StoreError::NotFound);
        }
        Ok((t, a))
    }

    /// Whether the caller may see a work assignment (its evidence photos).
    pub(crate) async fn visible_assignment(
        &self,
        scope: &Scope,
        id: i64,
    ) -> Result<(), StoreError> {
        let db = self.connection();
        let viewer = Viewer::of(db, scope).await?;
        self.visible_part(db, &viewer, None, id).await.map(|_| ())
    }
}
