//! `wangge bench visits`: the visit lists of field work at district scale — every grid's
//! list of households due a visit today (the county's households loaded once and the rules
//! run over all of them), one grid worker's list, the county's and a street's coverage —
//! each beside the database alone fetching the same rows (the raw engine), in one run.
use wangge_domain::role::Role;
use wangge_domain::visits::Horizon;
use wangge_store::{Scope, Store, StoreError};

use crate::bench_indicators::{first, report, timed};

fn scope(role: Role, region: &str) -> Scope {
    Scope {
        region: region.into(),
        role,
        ..Scope::system()
    }
}

/// Times `f` `runs` times after one untimed call and prints the line `name  what  median  P95`.
async fn measure<T, Fut>(
    name: &str,
    what: &str,
    runs: usize,
    mut f: impl FnMut() -> Fut,
) -> Result<(), String>
where
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut ms = timed(runs, || {
        let answer = f();
        async move { answer.await.map(drop).map_err(|e| e.to_string()) }
    })
    .await?;
    report(name, what, &mut ms);
    Ok(())
}

pub async fn run(store: &Store, runs: usize) -> Result<i32, String> {
    let err = |e: StoreError| e.to_string();
    let grid = first(store, "SELECT MIN(grid_code) AS v FROM visit")
        .await?
        .or(first(store, "SELECT MIN(code) AS v FROM grid").await?)
        .ok_or("数据库中没有网格，请先运行 wangge gen")?;
    let county = grid[..6].to_string();
    let street = grid[..9].to_string();
    let district = scope(Role::Operator, &county);
    let worker = scope(Role::GridWorker, &grid);

    // The first county list reads the county's households into memory (`serve` does it
    // in the background at start).
    let started = std::time::Instant::now();
    let all = store
        .visit_plan(&district, None, Horizon::Today)
        .await
        .map_err(err)?;
    println!(
        "首次读取全区住户、标签和走访：{:.1} s",
        started.elapsed().as_secs_f64()
    );
    let rows = store.raw_visit_rows(&county).await.map_err(err)?;
    let own = store
        .visit_plan(&worker, None, Horizon::Today)
        .await
        .map_err(err)?;
    println!(
        "区县 {county}：今日应访 {} 户（逾期 {} 户），读取 {rows} 行；网格 {grid}：今日应访 {} 户",
        all.total, all.overdue, own.total
    );

    let few = runs.clamp(1, 3);
    let today = wangge_domain::date::local_date(store.now_ms());
    let (a, e) = ("全区各网格今日应访", "引擎取同样的行");
    measure(a, "wangge", few, || {
        store.visit_plan(&district, None, Horizon::Today)
    })
    .await?;
    measure(a, e, few, || store.raw_visit_rows(&county)).await?;
    let w = "一名网格员的今日应访";
    measure(w, "wangge", runs, || {
        store.visit_plan(&worker, None, Horizon::Today)
    })
    .await?;
    measure(w, e, runs, || store.raw_visit_rows(&grid)).await?;
    measure("一名网格员的本周应访", "wangge", runs, || {
        store.visit_plan(&worker, None, Horizon::ThisWeek)
    })
    .await?;
    measure(
        "全区走访覆盖率（各街道）",
        "wangge",
        few,
        || store.visit_coverage(&district, None),
    )
    .await?;
    measure(
        "全区今日巡查与必报（各街道）",
        "wangge",
        few,
        || store.day_board(&district, None, today),
    )
    .await?;
    let s = "一个街道的走访覆盖率";
    measure(s, "wangge", few, || {
        store.visit_coverage(&district, Some(&street))
    })
    .await?;
    measure(s, e, few, || store.raw_visit_rows(&street)).await?;
    Ok(0)
}
