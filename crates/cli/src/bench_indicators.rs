//! `wangge bench indicators`: the indicator questions a command center asks (county, street,
//! community, grid, department, category; the figures and the trend), through the store
//! and the HTTP API, beside the engine answering the county's question the plain way (every
//! event of the period joined with its trail), in one run.
use std::time::Instant;

use sea_orm::{ConnectionTrait, Statement};
use wangge_domain::role::Role;
use wangge_store::indicators::{Bucket, IndicatorFilter};
use wangge_store::{Scope, Store, StoreError};

use crate::bench_events::{BenchAccount, ensure_account, login, serve_in_process};

const USER: &str = "bench_indicators";

/// Milliseconds of each of `runs` calls of `f`, after one untimed call.
pub(crate) async fn timed<F, Fut>(runs: usize, mut f: F) -> Result<Vec<f64>, String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    f().await?;
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        f().await?;
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(out)
}

/// One result line: the question, what was timed, median and P95.
pub(crate) fn report(name: &str, what: &str, ms: &mut [f64]) {
    let (m, p95) = median_p95(ms);
    println!("{name:<28} {what}  中位数 {m:7.1} ms  P95 {p95:7.1} ms");
}

fn median_p95(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

pub(crate) async fn first(store: &Store, sql: &str) -> Result<Option<String>, String> {
    let db = store.connection();
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .map_err(|e| e.to_string())?;
    Ok(row.and_then(|r| r.try_get::<Option<String>>("", "v").ok().flatten()))
}

pub async fn run(store: &Store, runs: usize) -> Result<i32, String> {
    let err = |e: StoreError| e.to_string();
    let grid = first(store, "SELECT MIN(code) AS v FROM grid")
        .await?
        .ok_or("数据库中没有网格，请先运行 wangge gen")?;
    let county = grid[..6].to_string();
    let department = first(store, "SELECT MIN(code) AS v FROM department").await?;
    let category = first(store, "SELECT MIN(category) AS v FROM event").await?;
    let scope = Scope {
        region: county.clone(),
        role: Role::Operator,
        ..Scope::system()
    };
    let events: i64 = {
        let db = store.connection();
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM event",
        ))
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get("", "n").ok())
        .unwrap_or(0)
    };
    let base = store
        .indicators(&scope, &IndicatorFilter::default())
        .await
        .map_err(err)?;
    let reports = base.indicators[0].numerator;
    println!(
        "区县 {county}：库中事件 {events} 件；近30天（{} 至 {}）上报 {reports} 件",
        base.from, base.to
    );

    let cases: Vec<(&str, IndicatorFilter)> = vec![
        ("区县 近30天", IndicatorFilter::default()),
        (
            "街道 近30天",
            IndicatorFilter {
                region: Some(grid[..9].to_string()),
                ..IndicatorFilter::default()
            },
        ),
        (
            "社区 近30天",
            IndicatorFilter {
                region: Some(grid[..12].to_string()),
                ..IndicatorFilter::default()
            },
        ),
        (
            "网格 近30天（逐事件求和）",
            IndicatorFilter {
                region: Some(grid.clone()),
                ..IndicatorFilter::default()
            },
        ),
        (
            "部门 近30天",
            IndicatorFilter {
                department: department.clone(),
                ..IndicatorFilter::default()
            },
        ),
        (
            "事项类别 近30天",
            IndicatorFilter {
                category: category.as_ref().map(|c| c.chars().take(3).collect()),
                ..IndicatorFilter::default()
            },
        ),
        (
            "街道+事项类别 近30天（逐事件求和）",
            IndicatorFilter {
                region: Some(grid[..9].to_string()),
                category: category.as_ref().map(|c| c.chars().take(3).collect()),
                ..IndicatorFilter::default()
            },
        ),
    ];
    for (name, filter) in &cases {
        let mut ms = timed(runs, || async {
            store
                .indicators(&scope, filter)
                .await
                .map(|_| ())
                .map_err(err)
        })
        .await?;
        report(name, "指标", &mut ms);
    }
    // A department's own view: the events it leads or co-handles (lead and co-department rows).
    let own: Option<i64> = first(
        store,
        "SELECT CAST(id AS TEXT) AS v FROM department ORDER BY code LIMIT 1",
    )
    .await?
    .and_then(|id| id.parse().ok());
    if let Some(id) = own {
        let dept_scope = Scope {
            region: county.clone(),
            role: Role::DeptHandler,
            department_id: Some(id),
            ..Scope::system()
        };
        let mut ms = timed(runs, || async {
            store
                .indicators(&dept_scope, &IndicatorFilter::default())
                .await
                .map(|_| ())
                .map_err(err)
        })
        .await?;
        report("部门账号自己 近30天（牵头与协办）", "指标", &mut ms);
    }
    let ninety = IndicatorFilter {
        from: Some(
            wangge_domain::date::local_date(store.now_ms())
                .add_days(-89)
                .to_string(),
        ),
        ..IndicatorFilter::default()
    };
    let mut ms = timed(runs, || async {
        store
            .indicator_trend(&scope, &ninety, Bucket::Day)
            .await
            .map(|_| ())
            .map_err(err)
    })
    .await?;
    report("区县 近90天按日", "趋势", &mut ms);

    // The month's assessment and the last week's review of the whole county (reports of
    // a month and a week: fewer runs).
    let few = runs.clamp(1, 5);
    let month = store.current_period();
    for (name, subject) in [
        (
            "网格员考核 本月",
            wangge_store::assessment::Subject::GridWorkers,
        ),
        (
            "部门考核 本月",
            wangge_store::assessment::Subject::Departments,
        ),
    ] {
        let mut ms = timed(few, || async {
            store
                .assessment(&scope, subject, &month, None)
                .await
                .map(|_| ())
                .map_err(err)
        })
        .await?;
        let (m, _) = median_p95(&mut ms);
        println!("{name:<28} 考核  中位数 {m:7.1} ms（{few} 次）");
    }
    let kind = wangge_store::review::ReviewKind::Weekly;
    let week = store.last_review_period(kind);
    let mut ms = timed(few, || async {
        store
            .review(&scope, kind, &week, None)
            .await
            .map(|_| ())
            .map_err(err)
    })
    .await?;
    let (m, _) = median_p95(&mut ms);
    println!(
        "{:<28} 点评  中位数 {m:7.1} ms（{few} 次）",
        "一周一点评 上周（数据）"
    );

    // Through the HTTP API, as the command center's screen asks.
    ensure_account(
        store,
        &BenchAccount {
            username: USER,
            display_name: "压测指标",
            role: Role::Operator,
            scope: &county,
        },
    )
    .await?;
    let addr = serve_in_process(store).await?;
    let token = login(addr, USER).await?;
    let req = format!(
        "GET /api/v1/indicators HTTP/1.1\r\nHost: bench\r\nCookie: wangge_session={token}\r\n\
         Connection: close\r\n\r\n"
    );
    let mut ms = timed(runs, || async {
        let (status, _) = crate::bench_cmd::http(addr, req.clone()).await?;
        if status == "200" {
            Ok(())
        } else {
            Err(format!("/api/v1/indicators 返回 {status}"))
        }
    })
    .await?;
    report("GET /api/v1/indicators", "HTTP", &mut ms);

    // The engine answering the county's question the plain way: each event of the period
    // with its trail summed up, then the counts (what the indicators did before the rollup).
    let (from, to) = (
        wangge_domain::date::local_midnight_ms(
            wangge_domain::date::Date::parse(&base.from).ok_or("日期")?,
        ),
        wangge_domain::date::local_midnight_ms(
            wangge_domain::date::Date::parse(&base.to).ok_or("日期")?,
        ),
    );
    let plain = format!(
        "SELECT COUNT(*) AS reports, SUM(CASE WHEN s.closes > 0 THEN 1 ELSE 0 END) AS closed, \
         SUM(CASE WHEN s.signs > 0 AND s.late = 0 THEN 1 ELSE 0 END) AS signed_on_time, \
         SUM(CASE WHEN s.rating >= 4 THEN 1 ELSE 0 END) AS satisfied FROM \
         (SELECT e.id, e.rating, \
          SUM(CASE WHEN st.action = 'check_pass' THEN 1 ELSE 0 END) AS closes, \
          SUM(CASE WHEN st.action = 'sign' THEN 1 ELSE 0 END) AS signs, \
          SUM(CASE WHEN st.action = 'overdue' THEN 1 ELSE 0 END) AS late \
          FROM event e JOIN event_step st ON st.county = e.county AND st.event_id = e.id \
          WHERE e.created_at >= {from} AND e.created_at < {to} \
          AND e.grid_code >= '{county}' AND e.grid_code < '{county}~' \
          GROUP BY e.county, e.id, e.rating) s"
    );
    let db = store.connection();
    let runs_raw = runs.clamp(1, 5);
    let mut ms = timed(runs_raw, || async {
        db.query_one_raw(Statement::from_string(db.get_database_backend(), &plain))
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await?;
    let (m, _) = median_p95(&mut ms);
    println!(
        "{:<28} 原始引擎（事件联结全部步骤）中位数 {m:7.1} ms（{runs_raw} 次）",
        "区县 近30天"
    );
    Ok(0)
}
