//! The command center's one map (一张图): `/command` draws the region's grids coloured by a
//! measure with the open events on them and the counter strip; `/command/grids/{code}` is
//! a grid's card.
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use wangge_domain::date::format_local;
use wangge_domain::region::Level;
use wangge_store::command_map::{CommandMap, Counters, GridCard, MapPoint, Measure};
use wangge_store::regions::RegionChild;

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::map::{self, Point, Shape, escape};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/command", get(command))
        .route("/command/grids/{code}", get(card))
}

#[derive(Deserialize)]
struct CommandQuery {
    region: Option<String>,
    measure: Option<String>,
}

#[derive(Template)]
#[template(path = "command.html")]
struct CommandPage {
    nav: Nav,
    name: String,
    region: String,
    measure: Measure,
    measures: Vec<(&'static str, &'static str)>,
    crumbs: Vec<(String, String)>,
    children: Vec<RegionChild>,
    children_are_grids: bool,
    counters: Counters,
    satisfaction: String,
    map: String,
    legend: (String, String),
    /// Each open event with its deadline as shown.
    points: Vec<(MapPoint, String)>,
    points_truncated: bool,
}

/// A measure's value as shown: whole counts plainly, rates to one decimal.
fn shown(m: Measure, v: f64) -> String {
    if m == Measure::PerThousand {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// The class of an event point: its state, and `overdue` when flagged.
fn point_class(p: &MapPoint) -> String {
    let cat: String = p
        .category
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(2)
        .collect();
    format!(
        "ev-point state-{} cat-{cat}{}",
        p.state,
        if p.overdue { " overdue" } else { "" }
    )
}

fn svg_of(m: &CommandMap) -> (String, (String, String)) {
    let min = m.grids.iter().map(|g| g.value).fold(f64::MAX, f64::min);
    let max = m.grids.iter().map(|g| g.value).fold(f64::MIN, f64::max);
    let (min, max) = if m.grids.is_empty() {
        (0.0, 0.0)
    } else {
        (min, max)
    };
    let span = if max > min { max - min } else { 1.0 };
    let rings: Vec<_> = m.grids.iter().map(|g| map::rings_of(&g.boundary)).collect();
    let fills: Vec<_> = m
        .grids
        .iter()
        .map(|g| map::ramp((g.value - min) / span))
        .collect();
    let titles: Vec<_> = m
        .grids
        .iter()
        .map(|g| {
            format!(
                "{}：{} {}",
                g.name,
                m.measure.label(),
                shown(m.measure, g.value)
            )
        })
        .collect();
    let hrefs: Vec<_> = m
        .grids
        .iter()
        .map(|g| format!("/command/grids/{}", g.code))
        .collect();
    let shapes: Vec<Shape> = (0..m.grids.len())
        .map(|i| Shape {
            rings: &rings[i],
            class: "grid-cell",
            fill: &fills[i],
            title: &titles[i],
            href: Some(&hrefs[i]),
        })
        .collect();
    let classes: Vec<_> = m.points.iter().map(point_class).collect();
    let ptitles: Vec<_> = m
        .points
        .iter()
        .map(|p| {
            format!(
                "#{} {}（{}{}）{}{}",
                p.id,
                p.category_name,
                p.state_label,
                if p.overdue { "，已超期" } else { "" },
                p.department_name.as_deref().unwrap_or(""),
                p.deadline
                    .map(|d| format!(" 期限 {}", format_local(d)))
                    .unwrap_or_default()
            )
        })
        .collect();
    let points: Vec<Point> = m
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| Point {
            at: [p.lng, p.lat],
            class: &classes[i],
            title: &ptitles[i],
        })
        .collect();
    let svg = map::render("command-map", &shapes, &points, 800.0, 600.0);
    (
        link_points(&svg, &m.points),
        (shown(m.measure, min), shown(m.measure, max)),
    )
}

/// Wraps the i-th drawn point in a link to its event (points are drawn in order).
fn link_points(svg: &str, points: &[MapPoint]) -> String {
    let mut parts = svg.split("<circle");
    let mut out = String::with_capacity(svg.len() + points.len() * 32);
    out.push_str(parts.next().unwrap_or(""));
    for (part, p) in parts.zip(points) {
        out.push_str(&format!(
            r#"<a href="{}"><circle"#,
            escape(&format!("/events/{}", p.id))
        ));
        out.push_str(&part.replacen("</circle>", "</circle></a>", 1));
    }
    out
}

async fn command(
    State(state): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<CommandQuery>,
) -> Result<Response, PageError> {
    let store = &state.store;
    let measure = Measure::parse(q.measure.as_deref())?;
    let region = c.scope().narrow(q.region.as_deref())?;
    if Level::from_code_len(region.len()) == Some(Level::Grid) {
        return Ok(Redirect::to(&format!("/command/grids/{region}")).into_response());
    }
    let node = store.region(c.scope(), &region).await?;
    let mut crumbs = Vec::new();
    let mut parent = node.parent.clone();
    while let Some(p) = parent {
        let up = store.region(c.scope(), &p).await?;
        crumbs.push((up.name.clone(), up.code.clone()));
        parent = up.parent;
    }
    crumbs.reverse();
    let m = store.command_map(c.scope(), Some(&region), measure).await?;
    let (map, legend) = svg_of(&m);
    Ok(render(&CommandPage {
        nav: Nav::of(&c),
        name: node.name,
        region: m.region.clone(),
        measure,
        measures: Measure::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        crumbs,
        children_are_grids: node.level == Level::Community.as_str(),
        children: node.children,
        satisfaction: m
            .counters
            .satisfaction
            .map_or("—".into(), |s| format!("{:.1}%", s * 100.0)),
        counters: m.counters,
        map,
        legend,
        points_truncated: m.points_truncated,
        points: m
            .points
            .into_iter()
            .map(|p| {
                let d = p.deadline.map(format_local).unwrap_or_default();
                (p, d)
            })
            .collect(),
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "command_grid.html")]
struct CardPage {
    nav: Nav,
    card: GridCard,
    deadlines: Vec<String>,
}

async fn card(
    State(state): State<AppState>,
    c: PageCaller,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let card = state.store.grid_card(c.scope(), &code).await?;
    let deadlines = card
        .open_events
        .iter()
        .map(|e| e.deadline.map(format_local).unwrap_or_default())
        .collect();
    Ok(render(&CardPage {
        nav: Nav::of(&c),
        card,
        deadlines,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_each_point_to_its_event() {
        let p = |id| MapPoint {
            id,
            grid_code: String::new(),
            category: "A1".into(),
            category_name: String::new(),
            state: "reported".into(),
            state_label: "",
            lng: 0.0,
            lat: 0.0,
            department_name: None,
            deadline: None,
            overdue: false,
        };
        let svg = "<svg><circle a><title>x</title></circle><circle b></circle></svg>";
        assert_eq!(
            link_points(svg, &[p(1), p(2)]),
            r#"<svg><a href="/events/1"><circle a><title>x</title></circle></a><a href="/events/2"><circle b></circle></a></svg>"#
        );
    }
}
