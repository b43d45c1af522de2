//! `GET /export/{persons,households,buildings,organizations,things}.xlsx`: a whole list as an Excel workbook,
//! with the same filters as the list. Masked for every role, formula-like cells
//! neutralised, each export audited. Pages link here too (the session cookie works).
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use wangge_sheet::{Sheet, write_xlsx};
use wangge_store::people::{BuildingItem, HouseholdItem, PersonItem};

use super::ApiQuery;
use super::imports::xlsx_response;
use super::people::ListQuery;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/persons.xlsx", get(persons))
        .route("/export/households.xlsx", get(households))
        .route("/export/buildings.xlsx", get(buildings))
        .route("/export/organizations.xlsx", get(organizations))
        .route("/export/things.xlsx", get(things))
}

fn workbook(name: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, ApiError> {
    write_xlsx(&[Sheet {
        name,
        headers,
        rows: &rows,
    }])
    .map_err(|e| ApiError::unprocessable("export_failed", e.to_string()))
}

async fn persons(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = s
        .store
        .export_persons(c.scope(), q.region.as_deref(), &q.filter(), &c.client)
        .await?;
    let rows = items.into_iter().map(person_row).collect();
    let headers = [
        "姓名",
        "性别",
        "出生日期",
        "年龄",
        "身份证号",
        "联系电话",
        "与户主关系",
        "人口类型",
        "网格",
        "标签",
    ];
    Ok(xlsx_response(
        workbook("人口", &headers, rows)?,
        "人口.xlsx",
    ))
}

fn person_row(p: PersonItem) -> Vec<String> {
    let tags: Vec<String> = p
        .tags
        .iter()
        .map(|t| match t.grade {
            Some(g) => format!("{}({g}级)", t.label),
            None => t.label.clone(),
        })
        .collect();
    vec![
        p.name,
        p.sex.to_string(),
        p.birth_date,
        p.age.map(|a| a.to_string()).unwrap_or_default(),
        p.id_number,
        p.phone.unwrap_or_default(),
        p.relation,
        p.residence,
        p.grid_code,
        tags.join("、"),
    ]
}

async fn households(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = s
        .store
        .export_households(c.scope(), q.region.as_deref(), &c.client)
        .await?;
    let rows = items
        .into_iter()
        .map(|h: HouseholdItem| vec![h.grid_code, h.address, h.room, h.member_count.to_string()])
        .collect();
    let headers = ["网格", "地址", "房号", "家庭人口数"];
    Ok(xlsx_response(workbook("户", &headers, rows)?, "户.xlsx"))
}

async fn buildings(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = s
        .store
        .export_buildings(c.scope(), q.region.as_deref(), &c.client)
        .await?;
    let rows = items
        .into_iter()
        .map(|b: BuildingItem| {
            vec![
                b.code,
                b.name,
                b.address,
                b.floors.to_string(),
                b.units.to_string(),
                b.rooms_per_floor.to_string(),
                format!("{:.6}", b.lng),
                format!("{:.6}", b.lat),
                b.grid_code,
            ]
        })
        .collect();
    let headers = [
        "楼栋编码",
        "楼栋名称",
        "地址",
        "层数",
        "单元数",
        "每层户数",
        "经度",
        "纬度",
        "网格",
    ];
    Ok(xlsx_response(
        workbook("楼栋", &headers, rows)?,
        "楼栋.xlsx",
    ))
}

async fn organizations(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = s
        .store
        .export_organizations(c.scope(), q.region.as_deref(), &c.client)
        .await?;
    let rows = items
        .into_iter()
        .map(|o| {
            vec![
                o.name,
                o.uscc.unwrap_or_default(),
                o.kind_label.to_string(),
                o.address,
                o.leader.unwrap_or_default(),
                o.phone.unwrap_or_default(),
                o.grid_code,
            ]
        })
        .collect();
    let headers = [
        "名称",
        "统一社会信用代码",
        "类型",
        "地址",
        "负责人",
        "联系电话",
        "网格",
    ];
    Ok(xlsx_response(
        workbook("组织", &headers, rows)?,
        "组织.xlsx",
    ))
}

async fn things(
    State(s): State<AppState>,
    c: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let items = s
        .store
        .export_things(c.scope(), q.region.as_deref(), &c.client)
        .await?;
    let coordinate = |v: Option<f64>| v.map(|x| format!("{x:.6}")).unwrap_or_default();
    let rows = items
        .into_iter()
        .map(|t| {
            vec![
                t.name,
                t.kind_label.to_string(),
                t.address,
                coordinate(t.lng),
                coordinate(t.lat),
                t.grid_code,
            ]
        })
        .collect();
    let headers = ["名称", "类型", "地址", "经度", "纬度", "网格"];
    Ok(xlsx_response(
        workbook("部件", &headers, rows)?,
        "部件.xlsx",
    ))
}
