//! Grid sizes against the rule, and an oversized grid's proposed split drawn on its map,
//! applied only when confirmed.
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_domain::sizing::SizingRule;
use wangge_store::grids::SizingItem;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::{PageCaller, check_csrf};
use crate::error::PageError;
use crate::map::{self, Point, Shape};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sizing", get(list))
        .route("/grids/{code}/split", get(preview).post(apply))
}

/// The rule as the pages carry it in their query strings and forms.
#[derive(Deserialize, Clone, Copy)]
struct RuleQuery {
    households: Option<u32>,
    persons: Option<u32>,
}

impl RuleQuery {
    fn rule(self) -> SizingRule {
        let mut rule = SizingRule::default();
        rule.households = self.households.unwrap_or(rule.households).max(1);
        rule.persons = self.persons.unwrap_or(rule.persons).max(1);
        rule
    }
}

#[derive(Template)]
#[template(path = "sizing.html")]
struct SizingPage {
    nav: Nav,
    rule: SizingRule,
    items: Vec<SizingItem>,
}

async fn list(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<RuleQuery>,
) -> Result<Response, PageError> {
    let rule = q.rule();
    let items = s.store.sizing(c.scope(), None, &rule).await?;
    Ok(render(&SizingPage {
        nav: Nav::of(&c),
        rule,
        items,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "split.html")]
struct SplitPage {
    nav: Nav,
    code: String,
    name: String,
    rule: SizingRule,
    parts: Vec<(usize, usize)>,
    map: String,
    manages: bool,
}

/// Fill colours of the parts, told apart at a glance.
const PART_COLOURS: [&str; 6] = [
    "#cfe3f7", "#fde2b8", "#d5efd0", "#f3d1e6", "#e3dcf5", "#fff3b0",
];

async fn preview(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
    PageQuery(q): PageQuery<RuleQuery>,
) -> Result<Response, PageError> {
    let rule = q.rule();
    let grid = s.store.grid(c.scope(), &code).await?;
    let parts = s.store.split_preview(c.scope(), &code, &rule).await?;
    let rings: Vec<(String, map::Rings)> = parts
        .iter()
        .enumerate()
        .map(|(i, (b, shape))| {
            (
                format!("第{}部分：{} 栋楼", i + 1, b.len()),
                map::rings_of(shape),
            )
        })
        .collect();
    let shapes: Vec<Shape> = rings
        .iter()
        .enumerate()
        .map(|(i, (title, r))| Shape {
            rings: r,
            class: "split-part",
            fill: PART_COLOURS[i % PART_COLOURS.len()],
            title,
            href: None,
        })
        .collect();
    let points: Vec<Point> = grid
        .buildings
        .iter()
        .map(|b| Point {
            at: [b.lng, b.lat],
            class: "building",
            title: &b.name,
        })
        .collect();
    let map = map::render("split-map", &shapes, &points, 640.0, 480.0);
    Ok(render(&SplitPage {
        nav: Nav::of(&c),
        code: grid.code.clone(),
        name: grid.name.clone(),
        rule,
        parts: parts
            .iter()
            .enumerate()
            .map(|(i, (b, _))| (i + 1, b.len()))
            .collect(),
        map,
        manages: c.scope().role.can_manage_grids(),
    })
    .into_response())
}

#[derive(Deserialize)]
struct ApplyForm {
    csrf: String,
    households: Option<u32>,
    persons: Option<u32>,
}

async fn apply(
    State(s): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
    Form(f): Form<ApplyForm>,
) -> Result<Response, PageError> {
    check_csrf(&c, &f.csrf)?;
    let rule = RuleQuery {
        households: f.households,
        persons: f.persons,
    }
    .rule();
    s.store
        .apply_split(c.scope(), &code, &rule, &c.client)
        .await?;
    Ok(Redirect::to(&format!("/regions/{}", &code[..12])).into_response())
}
