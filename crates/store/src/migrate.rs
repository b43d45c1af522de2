//! One migration set for both databases, built with `sea_query`, applied at start in order,
//! each in its own transaction and recorded in `schema_migration`.
//!
//! A released migration never changes meaning. Tables are created from their entities, so
//! when an entity gains a column, its table's creation in the earlier migration switches to
//! an explicit snapshot of the old shape and a new migration adds the column.
use sea_orm::sea_query::{
    Alias, ColumnDef, Index, IndexCreateStatement, Table, TableAlterStatement, TableCreateStatement,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Schema, Set};

use crate::StoreError;
use crate::entity::*;

struct Migration {
    version: i32,
    name: &'static str,
    steps: fn(&Schema) -> Vec<Step>,
}

enum Step {
    Table(Box<TableCreateStatement>),
    Alter(Box<TableAlterStatement>),
    Index(Box<IndexCreateStatement>),
    /// A statement both SQLite and PostgreSQL take as written (a partial index, say).
    Sql(&'static str),
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "base schema",
        steps: base_schema,
    },
    Migration {
        version: 2,
        name: "region boundaries",
        steps: region_boundaries,
    },
    Migration {
        version: 3,
        name: "person status and history, household numbers, organizations, things",
        steps: base_data_records,
    },
    Migration {
        version: 4,
        name: "events, their trail, the handling catalog and the working calendar",
        steps: events,
    },
    Migration {
        version: 5,
        name: "photos, citizen reports and ratings, notifications, idempotency keys",
        steps: citizens_and_notices,
    },
    Migration {
        version: INDICATOR_ROLLUP,
        name: "indicator facts on events and their daily rollup",
        steps: indicator_rollup,
    },
    Migration {
        version: 7,
        name: "work tasks (五问工作法): tasks, their units' assignments and steps, evidence photos",
        steps: work_tasks,
    },
    Migration {
        version: 8,
        name: "the daily social-governance index",
        steps: governance_index,
    },
    Migration {
        version: 9,
        name: "field work: patrols and their tracks, visits, daily reports, weekly work logs",
        steps: field_work,
    },
    Migration {
        version: 10,
        name: "one running patrol per worker, kept by the database",
        steps: one_running_patrol,
    },
];

/// Columns that migration 5 added to the event table migration 4 created.
const EVENT_V5: &[&str] = &[
    "rating_comment",
    "low_rating",
    "reporter_phone_cipher",
    "reporter_phone_index",
    "reporter_phone_masked",
];

/// Columns that migration 6 added to the event table (`wangge_domain::event_facts`).
const EVENT_V6: &[&str] = &[
    "verified_at",
    "dispatched_at",
    "signed_at",
    "handled_at",
    "returned",
    "check_failed",
    "sign_late",
    "handle_late",
    "ever_late",
    "handling_minutes",
];

/// The columns migrations 7 and 9 added to the upload table migration 5 created.
const UPLOAD_V7: &[&str] = &["work_assignment_id"];
const UPLOAD_V9: &[&str] = &["visit_id"];

/// Columns that migration 3 added to tables migration 1 created from their entities.
const PERSON_V3: &[&str] = &["ethnicity", "note", "status"];
const HOUSEHOLD_V3: &[&str] = &["number"];

/// The region table as version 1 made it (the entity has since gained `boundary`).
fn region_v1() -> Vec<Step> {
    let table = Table::create()
        .table(region::Entity)
        .col(
            ColumnDef::new(Alias::new("code"))
                .string()
                .not_null()
                .primary_key(),
        )
        .col(ColumnDef::new(Alias::new("name")).string().not_null())
        .col(ColumnDef::new(Alias::new("level")).string().not_null())
        .col(ColumnDef::new(Alias::new("parent_code")).string().null())
        .to_owned();
    vec![
        Step::Table(Box::new(table)),
        index(
            "idx-region-parent_code",
            region::Entity.table_ref(),
            &["parent_code"],
            false,
        ),
    ]
}

/// Communities, streets and districts get their own boundary, to check grid coverage.
fn region_boundaries(_: &Schema) -> Vec<Step> {
    let alter = Table::alter()
        .table(region::Entity)
        .add_column(ColumnDef::new(Alias::new("boundary")).text().null())
        .to_owned();
    vec![Step::Alter(Box::new(alter))]
}

/// People's records gain a status (moved out, deceased) and a history of changes;
/// households their register number; organizations and things get their tables.
fn base_data_records(s: &Schema) -> Vec<Step> {
    let person_cols = Table::alter()
        .table(person::Entity)
        .add_column(ColumnDef::new(Alias::new("ethnicity")).string().null())
        .to_owned();
    let person_note = Table::alter()
        .table(person::Entity)
        .add_column(ColumnDef::new(Alias::new("note")).string().null())
        .to_owned();
    let person_status = Table::alter()
        .table(person::Entity)
        .add_column(
            ColumnDef::new(Alias::new("status"))
                .string()
                .not_null()
                .default("active"),
        )
        .to_owned();
    let household_number = Table::alter()
        .table(household::Entity)
        .add_column(ColumnDef::new(Alias::new("number")).string().null())
        .to_owned();
    let mut steps: Vec<Step> = [person_cols, person_note, person_status, household_number]
        .into_iter()
        .map(|a| Step::Alter(Box::new(a)))
        .collect();
    steps.push(index(
        "ix_household_number",
        household::Entity.table_ref(),
        &["number", "grid_code"],
        false,
    ));
    steps.extend(table(s, person_history::Entity));
    steps.extend(table(s, organization::Entity));
    steps.extend(table(s, thing::Entity));
    steps.extend([
        index(
            "ix_organization_grid",
            organization::Entity.table_ref(),
            &["grid_code", "id"],
            false,
        ),
        index(
            "ix_thing_grid",
            thing::Entity.table_ref(),
            &["grid_code", "id"],
            false,
        ),
    ]);
    steps
}

/// The closed loop: events and their trail, and the reference tables that route them and
/// time them.
fn events(s: &Schema) -> Vec<Step> {
    let mut steps = Vec::new();
    steps.extend(table_without(
        s,
        event::Entity,
        &[EVENT_V5, EVENT_V6].concat(),
    ));
    steps.extend(table(s, event_step::Entity));
    steps.extend(table(s, catalog_item::Entity));
    steps.extend(table(s, calendar_day::Entity));
    steps.extend(table(s, setting::Entity));
    steps.extend([
        index(
            "ix_event_grid",
            event::Entity.table_ref(),
            &["grid_code", "id"],
            false,
        ),
        index("ix_event_id", event::Entity.table_ref(), &["id"], false),
        // A department's work list.
        index(
            "ix_event_department",
            event::Entity.table_ref(),
            &["department_id", "state"],
            false,
        ),
    ]);
    steps
}

/// Citizens report and rate (their phone encrypted), photos are stored, notices reach the
/// responsible department and level, and retried writes are answered once.
fn citizens_and_notices(s: &Schema) -> Vec<Step> {
    let add = |col: &mut ColumnDef| {
        Step::Alter(Box::new(
            Table::alter()
                .table(event::Entity)
                .add_column(col.to_owned())
                .to_owned(),
        ))
    };
    let mut steps = vec![
        add(ColumnDef::new(Alias::new("rating_comment")).string().null()),
        add(ColumnDef::new(Alias::new("low_rating"))
            .boolean()
            .not_null()
            .default(false)),
        add(ColumnDef::new(Alias::new("reporter_phone_cipher"))
            .blob()
            .null()),
        add(ColumnDef::new(Alias::new("reporter_phone_index"))
            .blob()
            .null()),
        add(ColumnDef::new(Alias::new("reporter_phone_masked"))
            .string()
            .null()),
        index(
            "idx-event-reporter_phone_index",
            event::Entity.table_ref(),
            &["reporter_phone_index"],
            false,
        ),
        // Live screens ask what changed since their last look.
        index(
            "ix_event_updated",
            event::Entity.table_ref(),
            &["updated_at"],
            false,
        ),
        // Duplicates are looked for among recent events of a category.
        index(
            "ix_event_category_created",
            event::Entity.table_ref(),
            &["category", "created_at"],
            false,
        ),
    ];
    steps.extend(table_without(
        s,
        upload::Entity,
        &[UPLOAD_V7, UPLOAD_V9].concat(),
    ));
    steps.extend(table(s, notification::Entity));
    steps.extend(table(s, idempotency::Entity));
    steps.push(index(
        "ix_notification_department",
        notification::Entity.table_ref(),
        &["department_id", "created_at"],
        false,
    ));
    steps
}

/// Each event carries the firsts and flags of its trail the indicators need, and a rollup
/// per day and community sums them; `Store::rebuild_indicator_facts` fills both for events
/// filed before this migration.
fn indicator_rollup(s: &Schema) -> Vec<Step> {
    let mut steps: Vec<Step> = EVENT_V6
        .iter()
        .map(|name| {
            let mut col = ColumnDef::new(Alias::new(*name));
            if name.ends_with("_at") || *name == "handling_minutes" {
                col.big_integer().null();
            } else {
                col.boolean().not_null().default(false);
            }
            Step::Alter(Box::new(
                Table::alter()
                    .table(event::Entity)
                    .add_column(col)
                    .to_owned(),
            ))
        })
        .collect();
    steps.extend(table(s, event_tally::Entity));
    // Indicators filtered by department or over a period without a region read events by
    // report time.
    steps.push(index(
        "ix_event_created",
        event::Entity.table_ref(),
        &["created_at"],
        false,
    ));
    // The reviews list the open overdue, low-rated and supervised cases: few among millions.
    steps.push(index(
        "ix_event_overdue",
        event::Entity.table_ref(),
        &["overdue", "deadline"],
        false,
    ));
    steps.push(index(
        "ix_event_low_rating",
        event::Entity.table_ref(),
        &["low_rating", "updated_at"],
        false,
    ));
    steps.push(index(
        "ix_event_supervised",
        event::Entity.table_ref(),
        &["supervised", "id"],
        false,
    ));
    // A grid's indicators read its events by report time.
    steps.push(index(
        "ix_event_grid_created",
        event::Entity.table_ref(),
        &["grid_code", "created_at"],
        false,
    ));
    steps.push(index(
        "ix_event_department_created",
        event::Entity.table_ref(),
        &["department_id", "created_at"],
        false,
    ));
    steps
}

/// Work tasks assigned by quarter, their units' parts with plans, evidence and scores, the
/// steps of each part; a photo may be a part's evidence instead of an event's.
fn work_tasks(s: &Schema) -> Vec<Step> {
    let mut steps = vec![Step::Alter(Box::new(
        Table::alter()
            .table(upload::Entity)
            .add_column(
                ColumnDef::new(Alias::new("work_assignment_id"))
                    .big_integer()
                    .null(),
            )
            .to_owned(),
    ))];
    steps.extend(table(s, work_task::Entity));
    steps.extend(table(s, work_assignment::Entity));
    steps.extend(table(s, work_step::Entity));
    steps.extend([
        // The board and the scores read a quarter's tasks.
        index(
            "ix_work_task_quarter",
            work_task::Entity.table_ref(),
            &["quarter", "region"],
            false,
        ),
        index(
            "ix_work_task_id",
            work_task::Entity.table_ref(),
            &["id"],
            false,
        ),
        index(
            "ix_work_assignment_id",
            work_assignment::Entity.table_ref(),
            &["id"],
            false,
        ),
        // A unit's own assignments.
        index(
            "ix_work_assignment_unit",
            work_assignment::Entity.table_ref(),
            &["unit_kind", "unit_code"],
            false,
        ),
    ]);
    steps
}

/// The social-governance index of each county, street and community, one row a day.
fn governance_index(s: &Schema) -> Vec<Step> {
    table(s, governance_index::Entity)
}

/// Patrols with their points and time per day, visits (and photos taken on them), daily
/// reports and weekly work logs.
/// Two starts racing on PostgreSQL could each see no running patrol and both insert; the
/// index refuses the second (`start_patrol` then answers the first). Patrols left running
/// twice before it are stopped at their last update, all but the newest.
fn one_running_patrol(_: &Schema) -> Vec<Step> {
    vec![
        Step::Sql(
            "UPDATE patrol SET stopped_at = updated_at WHERE stopped_at IS NULL AND EXISTS \
             (SELECT 1 FROM patrol newer WHERE newer.account_id = patrol.account_id \
             AND newer.stopped_at IS NULL AND newer.id > patrol.id)",
        ),
        Step::Sql(
            "CREATE UNIQUE INDEX ux_patrol_running ON patrol (account_id) \
             WHERE stopped_at IS NULL",
        ),
    ]
}

fn field_work(s: &Schema) -> Vec<Step> {
    let mut steps = vec![Step::Alter(Box::new(
        Table::alter()
            .table(upload::Entity)
            .add_column(ColumnDef::new(Alias::new("visit_id")).big_integer().null())
            .to_owned(),
    ))];
    steps.extend(table(s, patrol::Entity));
    steps.extend(table(s, patrol_point::Entity));
    steps.extend(table(s, patrol_day::Entity));
    steps.extend(table(s, visit::Entity));
    steps.extend(table(s, daily_report::Entity));
    steps.extend(table(s, work_log::Entity));
    steps.extend([
        // A worker's patrols, newest first; the running one.
        index(
            "ix_patrol_account",
            patrol::Entity.table_ref(),
            &["account_id", "started_at"],
            false,
        ),
        index("ix_patrol_id", patrol::Entity.table_ref(), &["id"], false),
        // The sweeper deletes old tracks by patrol start.
        index(
            "ix_patrol_started",
            patrol::Entity.table_ref(),
            &["started_at"],
            false,
        ),
        // Daily status and assessment: a region's patrol time per day.
        index(
            "ix_patrol_day_grid",
            patrol_day::Entity.table_ref(),
            &["grid_code", "day"],
            false,
        ),
        // A household's visits (the due list, its card).
        index(
            "ix_visit_household",
            visit::Entity.table_ref(),
            &["household_id", "day"],
            false,
        ),
        index(
            "ix_visit_grid",
            visit::Entity.table_ref(),
            &["grid_code", "day"],
            false,
        ),
        index("ix_visit_id", visit::Entity.table_ref(), &["id"], false),
        index(
            "ix_daily_report_grid",
            daily_report::Entity.table_ref(),
            &["grid_code", "day"],
            false,
        ),
    ]);
    steps
}

fn table<E: EntityTrait>(schema: &Schema, e: E) -> Vec<Step> {
    table_without(schema, e, &[])
}

/// An entity's table as an earlier migration made it: without the columns a later
/// migration added (those migrations list them), with the entity's indexes.
fn table_without<E: EntityTrait>(schema: &Schema, e: E, later: &[&str]) -> Vec<Step> {
    let full = schema.create_table_from_entity(e);
    let mut table = Table::create();
    if let Some(name) = full.get_table_name() {
        table.table(name.clone());
    }
    for column in full.get_columns() {
        if !later.contains(&column.get_column_name().as_str()) {
            table.col(column.clone());
        }
    }
    for index in full.get_indexes() {
        table.index(&mut index.clone());
    }
    let mut steps = vec![Step::Table(Box::new(table))];
    steps.extend(
        schema
            .create_index_from_entity(e)
            .into_iter()
            .map(|i| Step::Index(Box::new(i))),
    );
    steps
}

/// An index over named columns of a table.
fn index(name: &str, table: sea_orm::sea_query::TableRef, cols: &[&str], unique: bool) -> Step {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(Alias::new(*c));
    }
    if unique {
        stmt.unique();
    }
    Step::Index(Box::new(stmt))
}

fn base_schema(s: &Schema) -> Vec<Step> {
    let mut steps = Vec::new();
    steps.extend(region_v1());
    steps.extend(table(s, department::Entity));
    steps.extend(table(s, account::Entity));
    steps.extend(table(s, session::Entity));
    steps.extend(table(s, audit_log::Entity));
    steps.extend(table(s, audit_head::Entity));
    steps.extend(table(s, grid::Entity));
    steps.extend(table(s, building::Entity));
    steps.extend(table_without(s, household::Entity, HOUSEHOLD_V3));
    steps.extend(table_without(s, person::Entity, PERSON_V3));
    steps.extend(table(s, person_tag::Entity));
    steps.extend(table(s, grid_staff::Entity));
    steps.extend([
        // Codes are unique within their shard (Citus needs the distribution column in them).
        index(
            "ux_grid_county_code",
            grid::Entity.table_ref(),
            &["county", "code"],
            true,
        ),
        index(
            "ux_building_county_code",
            building::Entity.table_ref(),
            &["county", "code"],
            true,
        ),
        // Lists page through a grid subtree in (grid_code, id) order straight off the index.
        index(
            "ix_person_grid",
            person::Entity.table_ref(),
            &["grid_code", "id"],
            false,
        ),
        index(
            "ix_household_grid",
            household::Entity.table_ref(),
            &["grid_code", "id"],
            false,
        ),
        index(
            "ix_building_grid",
            building::Entity.table_ref(),
            &["grid_code", "id"],
            false,
        ),
        // Lookups by id alone (API paths carry no county).
        index("ix_person_id", person::Entity.table_ref(), &["id"], false),
        index(
            "ix_household_id",
            household::Entity.table_ref(),
            &["id"],
            false,
        ),
        index(
            "ix_building_id",
            building::Entity.table_ref(),
            &["id"],
            false,
        ),
        index(
            "ix_person_tag_tag",
            person_tag::Entity.table_ref(),
            &["tag", "grid_code"],
            false,
        ),
    ]);
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

/// The migration that added the indicator rollup: when it has just run, the store fills it.
pub(crate) const INDICATOR_ROLLUP: i32 = 6;

/// Applies the migrations not yet applied; answers the versions it applied.
pub(crate) async fn run(db: &DatabaseConnection, now_ms: i64) -> Result<Vec<i32>, StoreError> {
    let schema = Schema::new(db.get_database_backend());
    let mut create = schema.create_table_from_entity(schema_migration::Entity);
    db.execute(create.if_not_exists()).await?;
    let applied: Vec<i32> = schema_migration::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.version)
        .collect();
    let mut newly = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
        let txn = crate::connect::begin_write(db).await?;
        for step in (m.steps)(&schema) {
            match step {
                Step::Table(t) => txn.execute(t.as_ref()).await?,
                Step::Alter(a) => txn.execute(a.as_ref()).await?,
                Step::Index(i) => txn.execute(i.as_ref()).await?,
                Step::Sql(sql) => txn.execute_unprepared(sql).await?,
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
        newly.push(m.version);
    }
    // A bulk load interrupted after dropping the search indexes must not leave them missing.
    ensure_search_indexes(db).await?;
    crate::catalog::seed(db).await?;
    crate::calendar::seed(db).await?;
    crate::audit::ensure_head(db).await?;
    Ok(newly)
}

/// Indexes on random keys (names, blind indexes): a bulk load drops them and builds them
/// again at the end, since building an index over sorted data is far faster than millions
/// of random B-tree inserts.
const SEARCH_INDEXES: &[&str] = &["idx-person-name", "idx-person-id_index"];

fn search_indexes(db: &DatabaseConnection) -> Vec<IndexCreateStatement> {
    let schema = Schema::new(db.get_database_backend());
    schema
        .create_index_from_entity(person::Entity)
        .into_iter()
        .filter(|i| {
            i.get_index_spec()
                .get_name()
                .is_some_and(|n| SEARCH_INDEXES.contains(&n))
        })
        .collect()
}

pub(crate) async fn drop_search_indexes(db: &DatabaseConnection) -> Result<(), StoreError> {
    for name in SEARCH_INDEXES {
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS \"{name}\""))
            .await?;
    }
    Ok(())
}

pub(crate) async fn ensure_search_indexes(db: &DatabaseConnection) -> Result<(), StoreError> {
    for mut index in search_indexes(db) {
        db.execute(index.if_not_exists()).await?;
    }
    Ok(())
}
