//! The work-task board `/work-tasks?quarter=` (五问工作法, 网上考核): per unit, its parts by
//! status as a stacked bar and its score as a bar, both drawn in SVG on the server; each
//! unit's score in the four quarters of the year; the quarter's tasks with their progress.
//! Assigners get a link to assign a new task.
use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use wangge_domain::work_task::{Quarter, UnitKind, may_assign};
use wangge_store::StoreError;
use wangge_store::work_task_board::{Board, BoardRow};
use wangge_store::work_task_views::{StatusCounts, WorkTaskView};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/work-tasks", get(show))
}

/// Width of a progress bar and of a score bar, in SVG units.
const BAR_W: u32 = 240;
const SCORE_W: u32 = 120;

/// The status segments of a bar, in the order drawn: (label, fill).
const SEGMENTS: [(&str, &str); 4] = [
    ("已销号", "#16a34a"),
    ("待销号", "#2563eb"),
    ("已预安", "#93c5fd"),
    ("待预安", "#cbd5e1"),
];

pub(crate) struct Segment {
    pub x: u32,
    pub w: u32,
    pub fill: &'static str,
    pub title: String,
}

/// A stacked bar of a unit's (or a task's) parts by status, `BAR_W` wide.
pub(crate) fn segments(c: &StatusCounts) -> Vec<Segment> {
    let counts = [c.checked_off, c.submitted, c.planned, c.waiting];
    let total = c.assigned.max(1);
    let mut x = 0;
    let mut out = Vec::new();
    for ((label, fill), n) in SEGMENTS.into_iter().zip(counts) {
        if n == 0 {
            continue;
        }
        let w = (n * u64::from(BAR_W) / total) as u32;
        out.push(Segment {
            x,
            w,
            fill,
            title: format!("{label} {n}"),
        });
        x += w;
    }
    // Rounding down leaves a sliver: the last segment takes it.
    if let Some(last) = out.last_mut() {
        last.w += BAR_W.saturating_sub(x);
    }
    out
}

/// A unit's scores in the four quarters of a year (`None`: nothing assigned).
struct YearRow {
    unit_name: String,
    scores: [Option<f64>; 4],
}

/// Each unit's score by quarter of `year`, units in the board's order.
async fn year_rows(s: &AppState, c: &PageCaller, year: i32) -> Result<Vec<YearRow>, StoreError> {
    let mut units: BTreeMap<(UnitKind, String), YearRow> = BTreeMap::new();
    for q in 1..=4u8 {
        let quarter = Quarter { year, q }.to_string();
        for u in s.store.work_task_scores(c.scope(), &quarter).await? {
            let row = units.entry((u.unit_kind, u.unit_code)).or_insert(YearRow {
                unit_name: u.unit_name,
                scores: [None; 4],
            });
            row.scores[usize::from(q - 1)] = u.score;
        }
    }
    Ok(units.into_values().collect())
}

struct Row {
    r: BoardRow,
    bar: Vec<Segment>,
    score_w: u32,
    score_text: String,
}

#[derive(Template)]
#[template(path = "work_tasks.html")]
struct BoardPage {
    nav: Nav,
    board: Option<Board>,
    rows: Vec<Row>,
    tasks: Vec<(WorkTaskView, Vec<Segment>)>,
    year: i32,
    year_rows: Vec<YearRow>,
    legend: [(&'static str, &'static str); 4],
    bar_w: u32,
    score_w: u32,
    can_assign: bool,
    error: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Query {
    quarter: String,
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<Query>,
) -> Result<Response, PageError> {
    let quarter = Some(q.quarter.as_str()).filter(|q| !q.trim().is_empty());
    let (board, error) = match s.store.work_task_board(c.scope(), quarter).await {
        Ok(board) => (Some(board), None),
        Err(StoreError::Invalid { message, .. }) => (None, Some(message)),
        Err(e) => return Err(e.into()),
    };
    let (tasks, year, year_rows) = match &board {
        Some(b) => {
            let year = Quarter::parse(&b.quarter).map_or(0, |q| q.year);
            let tasks = s.store.work_tasks(c.scope(), Some(&b.quarter)).await?;
            (tasks, year, year_rows(&s, &c, year).await?)
        }
        None => (Vec::new(), 0, Vec::new()),
    };
    let rows = board
        .as_ref()
        .map(|b| b.rows.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|r| Row {
            bar: segments(&r.counts),
            score_w: r.score.map_or(0, |v| {
                (v.clamp(0.0, 100.0) * f64::from(SCORE_W) / 100.0) as u32
            }),
            score_text: r.score.map_or_else(|| "—".into(), |v| format!("{v:.2}")),
            r,
        })
        .collect();
    Ok(render(&BoardPage {
        nav: Nav::of(&c),
        board,
        rows,
        tasks: tasks
            .into_iter()
            .map(|t| {
                let bar = segments(&t.counts);
                (t, bar)
            })
            .collect(),
        year,
        year_rows,
        legend: SEGMENTS,
        bar_w: BAR_W,
        score_w: SCORE_W,
        can_assign: may_assign(c.scope().role),
        error,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_their_width_in_status_order() {
        let c = StatusCounts {
            assigned: 3,
            checked_off: 1,
            planned: 2,
            ..StatusCounts::default()
        };
        let s = segments(&c);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].x, s[0].w, s[0].fill), (0, 80, "#16a34a"));
        assert_eq!((s[1].x, s[1].w), (80, 160));
        assert_eq!(s[1].title, "已预安 2");
        assert!(segments(&StatusCounts::default()).is_empty());
    }
}
