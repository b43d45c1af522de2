//! The coverage check of a community, street or district as a page: the grids drawn over
//! the region's outline, every gap and overlap above the tolerance filled red, and a table
//! of them with their areas.
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_store::grids::CoverageReport;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::map::{self, Rings, Shape};

pub fn routes() -> Router<AppState> {
    Router::new().route("/regions/{code}/coverage", get(coverage))
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    nav: Nav,
    report: CoverageReport,
    tolerance: f64,
    map: String,
}

#[derive(Deserialize)]
struct CoverageQuery {
    tolerance: Option<f64>,
}

async fn coverage(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<CoverageQuery>,
) -> Result<Response, PageError> {
    let tolerance = q.tolerance.unwrap_or(1.0);
    let report = s.store.coverage(c.scope(), &code, tolerance).await?;
    let grids = s.store.grid_shapes(c.scope(), &code).await?;
    let outline = map::rings_of(&report.boundary);
    let grid_rings: Vec<(String, Rings)> = grids
        .iter()
        .map(|(code, name, shape, _)| (format!("{name} {code}"), map::rings_of(shape)))
        .collect();
    let finding_rings: Vec<(String, Rings)> = report
        .findings
        .iter()
        .map(|f| {
            (
                format!(
                    "{}：{:.0} 平方米（{}）",
                    f.label,
                    f.area_m2,
                    f.grids.join("、")
                ),
                map::rings_of(&f.shape),
            )
        })
        .collect();
    let mut shapes = vec![Shape {
        rings: &outline,
        class: "region-outline",
        fill: "#f4f6f8",
        title: &report.name,
        href: None,
    }];
    shapes.extend(grid_rings.iter().map(|(title, rings)| Shape {
        rings,
        class: "grid",
        fill: "#e8f1fb",
        title,
        href: None,
    }));
    shapes.extend(finding_rings.iter().map(|(title, rings)| Shape {
        rings,
        class: "finding",
        fill: "#d93025",
        title,
        href: None,
    }));
    let map = map::render("coverage-map", &shapes, &[], 720.0, 540.0);
    Ok(render(&CoveragePage {
        nav: Nav::of(&c),
        report,
        tolerance,
        map,
    })
    .into_response())
}
