//! Hand-written SQL for reports and bulk paths, written once with `?` placeholders and
//! renumbered to `$n` for PostgreSQL.
use sea_orm::{ColumnTrait, Condition, DbBackend, Statement, Value};
use wangge_domain::case::State;

use crate::entity::event;

/// The open states, quoted for an `IN (…)` list (constants, not input).
pub(crate) fn open_states() -> String {
    State::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Events after `(county, id)` in primary-key order: the next page of a walk over them.
pub(crate) fn events_after(county: i32, id: i64) -> Condition {
    Condition::any().add(event::Column::County.gt(county)).add(
        Condition::all()
            .add(event::Column::County.eq(county))
            .add(event::Column::Id.gt(id)),
    )
}

pub(crate) fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbers_for_postgres() {
        let s = statement(
            DbBackend::Postgres,
            "a = ? AND b < ?",
            vec![1.into(), 2.into()],
        );
        assert_eq!(s.sql, "a = $1 AND b < $2");
        let s = statement(DbBackend::Sqlite, "a = ?", vec![1.into()]);
        assert_eq!(s.sql, "a = ?");
    }
}
