//! The `wangge` binary itself: clear errors for a wrong database URL or an unwritable data
//! folder, a second generation refused, and `audit verify` catching an edited row.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Database};

fn wangge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wangge"))
        .args(args)
        .env_remove("WANGGE_KEY")
        .output()
        .expect("run wangge")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wangge_cli_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_wrong_database_url_is_named_in_the_error() {
    let o = wangge(&[
        "gen",
        "--database-url",
        "mysql://root@localhost/x",
        "--grids",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("mysql://root@localhost/x") && stderr(&o).contains("postgres://"),
        "{}",
        stderr(&o)
    );
    let o = wangge(&[
        "gen",
        "--data",
        &temp_dir("pg").display().to_string(),
        "--database-url",
        "postgres://nobody:secret@127.0.0.1:1/none",
        "--grids",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("无法连接数据库") && !err.contains("secret"),
        "password must not leak: {err}"
    );
}

#[test]
fn an_unwritable_data_folder_is_reported() {
    let o = wangge(&[
        "gen",
        "--data",
        "/proc/wangge-cannot-be-here",
        "--grids",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/proc/wangge-cannot-be-here"),
        "{}",
        stderr(&o)
    );
}

async fn edit(db_file: &Path, sql: &str) {
    let db = Database::connect(format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    db.execute_unprepared(sql).await.unwrap();
    db.close().await.unwrap();
}

#[tokio::test]
async fn generation_is_refused_twice_and_audit_verify_finds_an_edit() {
    let dir = temp_dir("gen");
    let data = dir.display().to_string();
    let o = wangge(&["gen", "--data", &data, "--grids", "2", "--seed", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2 个网格"));
    let key = std::fs::read_to_string(dir.join("wangge.key")).unwrap();
    assert_eq!(key.trim().len(), 64, "a key file of 32 bytes in hex");
    let again = wangge(&["gen", "--data", &data, "--grids", "2", "--seed", "7"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("已有"), "{}", stderr(&again));
    let ok = wangge(&["audit", "verify", "--data", &data]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    edit(
        &dir.join("wangge.sqlite"),
        "UPDATE audit_log SET account = 'intruder' WHERE action = 'district.generate'",
    )
    .await;
    let broken = wangge(&["audit", "verify", "--data", &data]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&broken.stdout).contains("篡改"));
    let purge = wangge(&["audit", "purge", "--data", &data, "--before", "2099-01-01"]);
    assert_eq!(purge.status.code(), Some(2));
    assert!(stderr(&purge).contains("180"), "{}", stderr(&purge));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_interrupted_generation_is_completed_by_running_it_again() {
    let dir = temp_dir("resume");
    let data = dir.display().to_string();
    let o = wangge(&["gen", "--data", &data, "--grids", "3", "--seed", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let db_file = dir.join("wangge.sqlite");
    let count = |sql: &'static str| {
        let db_file = db_file.clone();
        async move {
            let db = Database::connect(format!("sqlite://{}", db_file.display()))
                .await
                .unwrap();
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await
                .unwrap()
                .unwrap();
            let n: i64 = row.try_get_by_index(0).unwrap();
            db.close().await.unwrap();
            n
        }
    };
    let persons = count("SELECT COUNT(*) FROM person").await;
    // As if the process had been killed before the last grid's transaction committed.
    let last = "(SELECT MAX(code) FROM grid)";
    for table in [
        "person_tag",
        "person",
        "household",
        "building",
        "grid_staff",
    ] {
        edit(
            &db_file,
            &format!("DELETE FROM {table} WHERE grid_code = {last}"),
        )
        .await;
    }
    edit(&db_file, &format!("DELETE FROM grid WHERE code = {last}")).await;
    assert!(count("SELECT COUNT(*) FROM person").await < persons);
    let again = wangge(&["gen", "--data", &data, "--grids", "3", "--seed", "3"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("继续上次中断的生成"));
    assert_eq!(
        count("SELECT COUNT(*) FROM person").await,
        persons,
        "the same people again, nothing doubled"
    );
    assert_eq!(count("SELECT COUNT(*) FROM grid").await, 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A valid GB 11643 number for a birth date and sequence.
fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("430204{birth}{seq:03}");
    let check = wangge_domain::id_number::check_digit(first17.as_bytes()).unwrap() as char;
    format!("{first17}{check}")
}

#[tokio::test]
async fn wangge_import_checks_then_applies() {
    let dir = temp_dir("import");
    let data = dir.display().to_string();
    let o = wangge(&["gen", "--data", &data, "--grids", "1", "--seed", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = dir.join("人口.csv");
    let csv = format!(
        "姓名,身份证号,网格\r\n欧阳娜,{},430204001001001\r\n坏号,430204199001010000,430204001001001\r\n",
        id_number("19930303", 31)
    );
    std::fs::write(&file, csv).unwrap();
    let errors = dir.join("errors.xlsx");
    let path = file.display().to_string();
    // The dry run lists the bad row, writes the error workbook, and exits 1.
    let dry = wangge(&[
        "import",
        "--data",
        &data,
        "persons",
        &path,
        "--errors",
        &errors.display().to_string(),
    ]);
    let out = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert_eq!(dry.status.code(), Some(1), "{out}{}", stderr(&dry));
    assert!(out.contains("第3行") && out.contains("试运行"), "{out}");
    assert!(errors.exists());
    let applied = wangge(&["import", "--data", &data, "persons", &path, "--apply"]);
    let out = String::from_utf8_lossy(&applied.stdout).into_owned();
    assert!(out.contains("新增 1"), "{out}{}", stderr(&applied));
    let db = Database::connect(format!("sqlite://{}", dir.join("wangge.sqlite").display()))
        .await
        .unwrap();
    let found = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM person WHERE name = '欧阳娜'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.try_get::<i64>("", "n").unwrap(), 1);
    db.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// One number from the SQLite file.
async fn scalar(db_file: &Path, sql: &str) -> i64 {
    let db = Database::connect(format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    let n: i64 = row.try_get_by_index(0).unwrap();
    db.close().await.unwrap();
    n
}

#[tokio::test]
async fn gen_writes_an_event_history_whose_trails_hold_and_resumes_it() {
    use wangge_domain::case::State;
    use wangge_store::Scope;
    use wangge_store::events::EventFilter;
    use wangge_store::people::Paging;

    let dir = temp_dir("events");
    let data = dir.display().to_string();
    let o = wangge(&["gen", "--data", &data, "--grids", "4", "--events", "2300"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("2300 件事件"));
    let db_file = dir.join("wangge.sqlite");
    let steps = scalar(&db_file, "SELECT COUNT(*) FROM event_step").await;
    assert!(steps > 2300 * 5, "{steps}");
    // The version counts the steps after the report, as the live loop bumps it.
    let off = "SELECT COUNT(*) FROM event e WHERE e.version + 1 <> \
               (SELECT COUNT(*) FROM event_step s WHERE s.event_id = e.id)";
    assert_eq!(scalar(&db_file, off).await, 0);

    // As if killed during the last batch (2,000 events a batch): run again to finish.
    let last = "(SELECT id FROM event ORDER BY id LIMIT 1 OFFSET 2000)";
    edit(
        &db_file,
        &format!("DELETE FROM event_step WHERE event_id >= {last}"),
    )
    .await;
    edit(&db_file, &format!("DELETE FROM event WHERE id >= {last}")).await;
    assert_eq!(scalar(&db_file, "SELECT COUNT(*) FROM event").await, 2000);
    let again = wangge(&["gen", "--data", &data, "--grids", "4", "--events", "2300"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("继续生成事件历史"));
    assert_eq!(scalar(&db_file, "SELECT COUNT(*) FROM event").await, 2300);
    assert_eq!(
        scalar(&db_file, "SELECT COUNT(*) FROM event_step").await,
        steps,
        "the same trails again"
    );
    let done = wangge(&["gen", "--data", &data, "--grids", "4"]);
    assert_eq!(done.status.code(), Some(2), "{}", stderr(&done));

    let store = wangge_cli::open::DataArgs {
        data: dir.clone(),
        database_url: None,
    }
    .open()
    .await
    .unwrap();
    let scope = Scope::system();
    let now = store.now_ms();
    let list = |state: Option<State>, overdue: Option<bool>, page: u64| {
        let filter = EventFilter {
            state: state.map(|s| s.as_str().to_string()),
            overdue,
            ..EventFilter::default()
        };
        let (store, scope) = (&store, &scope);
        async move {
            store
                .events(scope, &filter, Paging::new(Some(page), Some(200)).unwrap())
                .await
                .unwrap()
        }
    };
    for state in State::ALL {
        assert!(list(Some(state), None, 1).await.total > 0, "{state:?}");
    }
    let overdue = list(None, Some(true), 1).await;
    assert!(
        overdue
            .items
            .iter()
            .any(|e| State::parse(&e.state).is_some_and(State::is_open))
    );
    let mut seen = 0;
    for page in 1.. {
        let events = list(None, None, page).await;
        if events.items.is_empty() {
            break;
        }
        for e in events.items {
            seen += 1;
            let d = store.event(&scope, e.id).await.unwrap();
            assert_eq!(d.trail_intact, Some(true), "event {}", d.id);
            let trail = d.trail.as_ref().unwrap();
            let state = State::parse(&d.state).unwrap();
            // The trail runs from the report to the event's state, in time order.
            assert_eq!(trail[0].action, "report");
            assert_eq!(trail.last().unwrap().to_state, d.state);
            for w in trail.windows(2) {
                assert_eq!(w[0].to_state, w[1].from_state, "event {}", d.id);
                assert!(w[0].at <= w[1].at && w[1].at <= now);
            }
            assert_eq!(d.closed_at.is_some(), state.is_closed(), "event {}", d.id);
            let running = matches!(state, State::Dispatched | State::Handling);
            assert_eq!(d.deadline.is_some(), running, "event {}", d.id);
            if running && d.deadline.is_some_and(|t| t < now - 60_000) {
                assert!(
                    d.overdue && d.warning,
                    "event {} is past its deadline",
                    d.id
                );
            }
            if d.deadline.is_some_and(|t| t > now) {
                assert!(!d.overdue, "event {}", d.id);
            }
            assert_eq!(d.review_date.is_some(), state == State::Suspended);
            assert!(d.rating.is_none() || matches!(state, State::Closed | State::Settled));
            assert_eq!(d.duplicate_of.is_some(), state == State::Merged);
            if let Some(original) = d.duplicate_of {
                let o = store.event(&scope, original).await.unwrap();
                assert!(o.id < d.id && o.state != "merged");
            }
        }
    }
    assert_eq!(seen, 2300);
    store.close().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
