//! The indicators page `/indicators`: a filter form, each indicator with its value, numerator,
//! denominator and formula, and the trend drawn as an SVG chart on the server.
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use wangge_store::StoreError;
use wangge_store::governance::{GovernanceIndex, IndexPoint};
use wangge_store::indicators::{Bucket, IndicatorFilter, IndicatorView, Trend, TrendPoint};
use wangge_store::review::{CompareRow, Comparison};

use super::{Nav, PageQuery, render};
use crate::AppState;
use crate::auth::PageCaller;
use crate::error::PageError;

pub fn routes() -> Router<AppState> {
    Router::new().route("/indicators", get(show))
}

const W: u32 = 640;
const H: u32 = 240;
/// Margins: left for the count labels, bottom for the bucket labels.
const LEFT: u32 = 40;
const BOTTOM: u32 = 40;
const TOP: u32 = 10;

struct Bar {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    title: String,
}

struct Label {
    x: u32,
    y: u32,
    text: String,
}

/// The trend as shapes: bars of reports, lines of closed and overdue, axis labels.
struct Chart {
    bars: Vec<Bar>,
    closed: String,
    overdue: String,
    y_labels: Vec<Label>,
    x_labels: Vec<Label>,
}

fn chart(points: &[TrendPoint]) -> Chart {
    let max = points.iter().map(|p| p.reports).max().unwrap_or(0).max(1);
    let plot_h = H - TOP - BOTTOM;
    let n = points.len().max(1) as u32;
    let step = (W - LEFT) / n;
    let y_of = |v: u64| TOP + plot_h - (v * u64::from(plot_h) / max) as u32;
    let x_mid = |i: usize| LEFT + i as u32 * step + step / 2;
    let line = |f: fn(&TrendPoint) -> u64| {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{},{}", x_mid(i), y_of(f(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let every = points.len().div_ceil(8).max(1);
    Chart {
        bars: points
            .iter()
            .enumerate()
            .map(|(i, p)| Bar {
                x: LEFT + i as u32 * step + step / 6,
                y: y_of(p.reports),
                w: (step * 2 / 3).max(1),
                h: TOP + plot_h - y_of(p.reports),
                title: format!(
                    "{}：上报 {}，结案 {}，超期 {}",
                    p.bucket, p.reports, p.closed, p.overdue
                ),
            })
            .collect(),
        closed: line(|p| p.closed),
        overdue: line(|p| p.overdue),
        y_labels: [0, max / 2, max]
            .into_iter()
            .map(|v| Label {
                x: LEFT - 4,
                y: y_of(v) + 4,
                text: v.to_string(),
            })
            .collect(),
        x_labels: points
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, p)| Label {
                x: x_mid(i),
                y: H - BOTTOM + 16,
                text: p.bucket.clone(),
            })
            .collect(),
    }
}

/// The governance index's kept days as polyline segments (a day without an index breaks
/// the line), on a 0–100 scale.
fn index_lines(points: &[IndexPoint]) -> Vec<String> {
    let plot_h = H - TOP - BOTTOM;
    let n = points.len().max(1) as f64;
    let step = f64::from(W - LEFT) / n;
    let mut lines = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match p.value {
            Some(v) => {
                let x = f64::from(LEFT) + (i as f64 + 0.5) * step;
                let y = f64::from(TOP) + f64::from(plot_h) * (1.0 - v.clamp(0.0, 100.0) / 100.0);
                current.push(format!("{x:.1},{y:.1}"));
            }
            None if !current.is_empty() => lines.push(std::mem::take(&mut current).join(" ")),
            None => {}
        }
    }
    if !current.is_empty() {
        lines.push(current.join(" "));
    }
    lines
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    nav: Nav,
    q: Query,
    error: Option<String>,
    from: String,
    to: String,
    indicators: Vec<IndicatorView>,
    points: Vec<TrendPoint>,
    chart: Chart,
    width: u32,
    height: u32,
    plot_bottom: u32,
    left: u32,
    /// The figures split by the regions one level down and by department.
    comparison: Option<Comparison>,
    /// The social-governance index of the region (not for department roles).
    index: Option<GovernanceIndex>,
    index_lines: Vec<String>,
    /// Where 50 and 100 sit on the index chart.
    y50: u32,
    y100: u32,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Query {
    region: String,
    department: String,
    category: String,
    from: String,
    to: String,
    bucket: String,
}

impl IndicatorsPage {
    /// The comparison tables: a title and their rows.
    fn comparisons(&self) -> Vec<(String, &[CompareRow])> {
        self.comparison.as_ref().map_or_else(Vec::new, |c| {
            vec![
                (format!("各{}对比", c.children_label), &c.children[..]),
                ("各部门对比（牵头）".to_string(), &c.departments[..]),
            ]
        })
    }
}

async fn show(
    State(s): State<AppState>,
    c: PageCaller,
    PageQuery(q): PageQuery<Query>,
) -> Result<Response, PageError> {
    let filter = IndicatorFilter {
        region: Some(q.region.clone()),
        department: Some(q.department.clone()),
        category: Some(q.category.clone()),
        from: Some(q.from.clone()),
        to: Some(q.to.clone()),
    };
    let answer = match Bucket::from_param(Some(&q.bucket)) {
        Ok(bucket) => match s.store.indicators(c.scope(), &filter).await {
            Ok(report) => s
                .store
                .indicator_trend(c.scope(), &filter, bucket)
                .await
                .map(|trend| (report, trend)),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let (error, report, trend) = match answer {
        Ok((report, trend)) => (None, Some(report), Some(trend)),
        Err(StoreError::Invalid { field, message }) => {
            (Some(format!("{field}：{message}")), None, None)
        }
        Err(e) => return Err(e.into()),
    };
    let (from, to, indicators) =
        report.map_or_else(Default::default, |r| (r.from, r.to, r.indicators));
    let points = trend.map_or_else(Vec::new, |t: Trend| t.points);
    let comparison = match error {
        None => Some(s.store.indicator_comparison(c.scope(), &filter).await?),
        Some(_) => None,
    };
    let region = Some(q.region.as_str()).filter(|r| !r.trim().is_empty());
    let index = match s.store.governance_index(c.scope(), region, Some(90)).await {
        Ok(i) => Some(i),
        Err(StoreError::Invalid { .. } | StoreError::Forbidden(_) | StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let index_lines = index
        .as_ref()
        .map_or_else(Vec::new, |i| index_lines(&i.points));
    let plot_h = H - TOP - BOTTOM;
    Ok(render(&IndicatorsPage {
        comparison,
        index,
        index_lines,
        y50: TOP + plot_h / 2,
        y100: TOP,
        nav: Nav::of(&c),
        q,
        error,
        from,
        to,
        indicators,
        chart: chart(&points),
        points,
        width: W,
        height: H,
        plot_bottom: H - BOTTOM,
        left: LEFT,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_scales_to_the_largest_bucket() {
        let p = |bucket: &str, reports, closed| TrendPoint {
            bucket: bucket.into(),
            reports,
            closed,
            ..TrendPoint::default()
        };
        let c = chart(&[p("2026-03-01", 4, 2), p("2026-03-02", 0, 0)]);
        assert_eq!(c.bars[0].y, TOP);
        assert_eq!(c.bars[0].h, H - TOP - BOTTOM);
        assert_eq!(c.bars[1].h, 0);
        assert_eq!(c.y_labels.last().unwrap().text, "4");
        assert_eq!(c.closed.split(' ').count(), 2);
        assert!(chart(&[]).bars.is_empty());
    }

    #[test]
    fn index_lines_break_where_a_day_has_no_index() {
        let p = |v: Option<f64>| IndexPoint {
            day: String::new(),
            value: v,
        };
        let lines = index_lines(&[p(Some(100.0)), p(Some(0.0)), p(None), p(Some(50.0))]);
        assert_eq!(lines.len(), 2);
        let first: Vec<&str> = lines[0].split(' ').collect();
        assert_eq!(first.len(), 2);
        assert!(
            first[0].ends_with(&format!(",{:.1}", f64::from(TOP))),
            "{lines:?}"
        );
        assert!(index_lines(&[p(None)]).is_empty());
    }
}
