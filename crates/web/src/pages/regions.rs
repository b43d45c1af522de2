//! The home page (the caller's part of the region tree), region pages with a map of their
//! grids, and grid pages with the boundary, buildings and responsible people.
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use wangge_domain::region::Level;
use wangge_store::regions::{GridView, RegionNode, TreeRow};

use super::{Nav, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::map::{self, Point, Shape};

/// Above this many grids the tree stops at communities, to keep the page light.
const TREE_MAX_GRIDS: i64 = 600;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/regions/{code}", get(region))
        .route("/grids/{code}", get(grid))
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    nav: Nav,
    node: RegionNode,
    crumbs: Vec<(String, String)>,
    tree: Vec<TreeRow>,
    truncated: bool,
    map: String,
    legend: (i64, i64),
}

async fn home(State(state): State<AppState>, c: PageCaller) -> Result<Response, PageError> {
    let scope = c.scope().region.clone();
    if !c.scope().role.can_read_base_data() {
        return Ok(Redirect::to("/audit").into_response());
    }
    if Level::from_code_len(scope.len()) == Some(Level::Grid) {
        return Ok(Redirect::to(&format!("/grids/{scope}")).into_response());
    }
    region_page(&state, &c, &scope).await
}

async fn region(
    State(state): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    region_page(&state, &c, &code).await
}

async fn region_page(state: &AppState, c: &PageCaller, code: &str) -> Result<Response, PageError> {
    let store = &state.store;
    let node = store.region(c.scope(), code).await?;
    let (tree, truncated) = store.region_tree(c.scope(), code, TREE_MAX_GRIDS).await?;
    let mut crumbs = Vec::new();
    let mut parent = node.parent.clone();
    while let Some(p) = parent {
        let up = store.region(c.scope(), &p).await?;
        crumbs.push((up.name.clone(), format!("/regions/{}", up.code)));
        parent = up.parent;
    }
    crumbs.reverse();
    let shapes = store.grid_shapes(c.scope(), code).await?;
    // The ramp spans this region's own range, so differences between grids show.
    let min = shapes.iter().map(|s| s.3).min().unwrap_or(0);
    let max = shapes.iter().map(|s| s.3).max().unwrap_or(0);
    let span = (max - min).max(1) as f64;
    let rings: Vec<_> = shapes.iter().map(|s| map::rings_of(&s.2)).collect();
    let fills: Vec<_> = shapes
        .iter()
        .map(|s| map::ramp((s.3 - min) as f64 / span))
        .collect();
    let legend = (min, max);
    let titles: Vec<_> = shapes
        .iter()
        .map(|s| format!("{}：{}人", s.1, s.3))
        .collect();
    let hrefs: Vec<_> = shapes.iter().map(|s| format!("/grids/{}", s.0)).collect();
    let drawn: Vec<Shape> = (0..shapes.len())
        .map(|i| Shape {
            rings: &rings[i],
            class: "grid-cell",
            fill: &fills[i],
            title: &titles[i],
            href: Some(&hrefs[i]),
        })
        .collect();
    let map = map::render("region-map", &drawn, &[], 640.0, 480.0);
    Ok(render(&RegionPage {
        nav: Nav::of(c),
        node,
        crumbs,
        tree,
        truncated,
        map,
        legend,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "grid.html")]
struct GridPage {
    nav: Nav,
    grid: GridView,
    map: String,
    /// Whether the caller may put people on the grid or take them off.
    manages: bool,
    /// Whether the caller may correct the grid's buildings.
    writes: bool,
    duties: Vec<(&'static str, &'static str)>,
}

async fn grid(
    State(state): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let grid = state.store.grid(c.scope(), &code).await?;
    let rings = map::rings_of(&grid.boundary);
    let titles: Vec<String> = grid.buildings.iter().map(|b| b.name.clone()).collect();
    let points: Vec<Point> = grid
        .buildings
        .iter()
        .zip(&titles)
        .map(|(b, t)| Point {
            at: [b.lng, b.lat],
            class: "building",
            title: t,
        })
        .collect();
    let shape = Shape {
        rings: &rings,
        class: "grid-boundary",
        fill: "#e8f1fb",
        title: &grid.name,
        href: None,
    };
    let map = map::render("grid-map", &[shape], &points, 640.0, 480.0);
    Ok(render(&GridPage {
        nav: Nav::of(&c),
        grid,
        map,
        manages: c.scope().role.can_manage_grids(),
        writes: c.scope().role.can_write(),
        duties: wangge_domain::population::Duty::ALL
            .iter()
            .map(|d| (d.as_str(), d.label()))
            .collect(),
    })
    .into_response())
}
