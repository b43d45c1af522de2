//! One migration set for both databases, built from the entities with `sea_query`, applied
//! at start in order, each in its own transaction and recorded in `schema_migration`.
use sea_orm::sea_query::{Alias, Index, IndexCreateStatement, TableCreateStatement};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Schema, Set,
    TransactionTrait,
};

use crate::StoreError;
use crate::entity::*;

struct Migration {
    version: i32,
    name: &'static str,
    steps: fn(&Schema) -> Vec<Step>,
}

enum Step {
    Table(TableCreateStatement),
    Index(IndexCreateStatement),
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "base schema",
    steps: base_schema,
}];

fn table<E: EntityTrait>(schema: &Schema, e: E) -> Vec<Step> {
    let mut steps = vec![Step::Table(schema.create_table_from_entity(e))];
    steps.extend(
        schema
            .create_index_from_entity(e)
            .into_iter()
            .map(Step::Index),
    );
    steps
}

fn base_schema(s: &Schema) -> Vec<Step> {
    let mut steps = Vec::new();
    steps.extend(table(s, region::Entity));
    steps.extend(table(s, department::Entity));
    steps.extend(table(s, account::Entity));
    steps.extend(table(s, session::Entity));
    steps.extend(table(s, audit_log::Entity));
    steps.extend(table(s, audit_head::Entity));
    steps.extend(table(s, grid::Entity));
    steps.extend(table(s, building::Entity));
    steps.extend(table(s, household::Entity));
    steps.extend(table(s, person::Entity));
    steps.extend(table(s, person_tag::Entity));
    steps.extend(table(s, grid_staff::Entity));
    // Codes are unique within their shard (Citus needs the distribution column in them).
    steps.push(Step::Index(
        Index::create()
            .name("ux_grid_county_code")
            .table(grid::Entity)
            .col(grid::Column::County)
            .col(grid::Column::Code)
            .unique()
            .to_owned(),
    ));
    steps.push(Step::Index(
        Index::create()
            .name("ux_building_county_code")
            .table(building::Entity)
            .col(building::Column::County)
            .col(building::Column::Code)
            .unique()
            .to_owned(),
    ));
    // Lists page through a grid subtree in (grid_code, id) order straight off the index.
    for (name, tbl) in [
        ("ix_person_grid", person::Entity.table_ref()),
        ("ix_household_grid", household::Entity.table_ref()),
        ("ix_building_grid", building::Entity.table_ref()),
    ] {
        steps.push(Step::Index(
            Index::create()
                .name(name)
                .table(tbl)
                .col(Alias::new("grid_code"))
                .col(Alias::new("id"))
                .to_owned(),
        ));
    }
    // Lookups by id alone (API paths carry no county).
    for (name, tbl, col) in [
        ("ix_person_id", person::Entity.table_ref(), "id"),
        ("ix_household_id", household::Entity.table_ref(), "id"),
        ("ix_building_id", building::Entity.table_ref(), "id"),
    ] {
        steps.push(Step::Index(
            Index::create()
                .name(name)
                .table(tbl)
                .col(Alias::new(col))
                .to_owned(),
        ));
    }
    steps.push(Step::Index(
        Index::create()
            .name("ix_person_tag_tag")
            .table(person_tag::Entity)
            .col(person_tag::Column::Tag)
            .col(person_tag::Column::GridCode)
            .to_owned(),
    ));
    steps
}

trait TableRef {
    fn table_ref(self) -> sea_orm::sea_query::TableRef;
}

impl<E: EntityTrait> TableRef for E {
    fn table_ref(self) -> sea_orm::sea_query::TableRef {
        use sea_orm::sea_query::IntoTableRef;
        self.into_table_ref()
    }
}

pub(crate) async fn run(db: &DatabaseConnection, now_ms: i64) -> Result<(), StoreError> {
    let schema = Schema::new(db.get_database_backend());
    let mut create = schema.create_table_from_entity(schema_migration::Entity);
    db.execute(create.if_not_exists()).await?;
    let applied: Vec<i32> = schema_migration::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.version)
        .collect();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let txn = db.begin().await?;
        for step in (m.steps)(&schema) {
            match step {
                Step::Table(t) => txn.execute(&t).await?,
                Step::Index(i) => txn.execute(&i).await?,
            };
        }
        schema_migration::ActiveModel {
            version: Set(m.version),
            name: Set(m.name.to_string()),
            applied_at: Set(now_ms),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
    }
    crate::audit::ensure_head(db).await
}
