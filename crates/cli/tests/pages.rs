//! The Chinese pages through the router: login with CSRF, forced password change, TOTP
//! enrolment for admins, cookie flags, region and grid pages, error pages.
mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use wangge_domain::role::Role;
use wangge_domain::totp::{base32_decode, totp_at};

use common::{Ctx, GRID_A, PASSWORD};

fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn cookie_value(h: &HeaderMap, name: &str) -> Option<String> {
    set_cookies(h).iter().find_map(|c| {
        c.strip_prefix(&format!("{name}="))
            .map(|r| r.split(';').next().unwrap().to_string())
    })
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no hidden {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

async fn page(ctx: &Ctx, path: &str, cookie: &str) -> (StatusCode, String, HeaderMap) {
    let req = Request::get(path)
        .header("cookie", cookie)
        .body(Body::empty())
        .unwrap();
    let (s, v, h) = ctx.send(req).await;
    (s, text(&v).to_string(), h)
}

async fn form(
    ctx: &Ctx,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, HeaderMap) {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    let req = Request::post(path)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    let (s, v, h) = ctx.send(req).await;
    (s, text(&v).to_string(), h)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Logs in through the form and returns the session cookie header value.
async fn login(ctx: &Ctx, username: &str, totp: &str) -> (StatusCode, HeaderMap, String) {
    let (s, html, h) = page(ctx, "/login", "").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = hidden(&html, "csrf");
    assert_eq!(
        cookie_value(&h, "wangge_login_csrf").as_deref(),
        Some(csrf.as_str())
    );
    let jar = format!("wangge_login_csrf={csrf}");
    let (s, _, h) = form(
        ctx,
        "/login",
        &jar,
        &[
            ("csrf", &csrf),
            ("username", username),
            ("password", PASSWORD),
            ("totp", totp),
        ],
    )
    .await;
    let session = cookie_value(&h, "wangge_session")
        .map(|v| format!("wangge_session={v}"))
        .unwrap_or_default();
    (s, h, session)
}

#[tokio::test]
async fn login_form_checks_csrf_and_sets_a_strict_cookie() {
    on_each_db!(|ctx| {
        let (s, html, _) = form(
            &ctx,
            "/login",
            "",
            &[("username", "district"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "no CSRF token");
        assert!(html.contains("页面已过期"));
        let (s, h, cookie) = login(&ctx, "district", "").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(h["location"], "/");
        let flags = set_cookies(&h)
            .into_iter()
            .find(|c| c.starts_with("wangge_session="))
            .unwrap();
        assert!(
            flags.contains("HttpOnly") && flags.contains("SameSite=Strict"),
            "{flags}"
        );
        let (s, html, _) = page(&ctx, "/", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("石峰区")
                && html.contains("清水塘街道")
                && html.contains(&format!("href=\"/grids/{GRID_A}\"")),
            "{html}"
        );
        assert!(html.contains("<svg class=\"region-map\""));
        let (s, html, _) = page(&ctx, &format!("/grids/{GRID_A}"), &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("<svg class=\"grid-map\"") && html.contains("class=\"grid-boundary\"")
        );
        assert!(
            html.contains("专职网格员") && html.contains("13912345678"),
            "responsible people with phones"
        );
        // A wrong password shows the reason on the page.
        let (s, html, _) = page(&ctx, "/login", "").await;
        assert_eq!(s, StatusCode::OK);
        let csrf = hidden(&html, "csrf");
        let (s, html, _) = form(
            &ctx,
            "/login",
            &format!("wangge_login_csrf={csrf}"),
            &[("csrf", &csrf), ("username", "district"), ("password", "x")],
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(html.contains("用户名或密码错误"));
        // Logging out needs the session's CSRF token too.
        let (_, home, _) = page(&ctx, "/", &cookie).await;
        let session_csrf = hidden(&home, "csrf");
        assert_eq!(
            form(&ctx, "/logout", &cookie, &[("csrf", "forged")])
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let (s, _, out) = form(&ctx, "/logout", &cookie, &[("csrf", &session_csrf)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // The phone forgets the field screens' cached pages (residents' details).
        assert_eq!(out["clear-site-data"], "\"cache\"");
        let (s, _, h) = page(&ctx, "/", &cookie).await;
        assert_eq!(
            (s, h["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/login")
        );
    });
}

#[tokio::test]
async fn first_login_forces_a_password_change() {
    on_each_db!(|ctx| {
        let (s, h, cookie) = login(&ctx, "newbie", "").await;
        assert_eq!(
            (s, h["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/password")
        );
        let (s, _, h) = page(&ctx, "/", &cookie).await;
        assert_eq!(
            (s, h["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/password"),
            "nothing else opens first"
        );
        let (_, html, _) = page(&ctx, "/password", &cookie).await;
        assert!(html.contains("首次登录须先修改初始密码"));
        let csrf = hidden(&html, "csrf");
        let weak = [
            ("csrf", csrf.as_str()),
            ("old_password", PASSWORD),
            ("new_password", "short"),
            ("confirm", "short"),
        ];
        let (s, html, _) = form(&ctx, "/password", &cookie, &weak).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("10"), "names the rule: {html}");
        let new = "Better-Pass-2027";
        let good = [
            ("csrf", csrf.as_str()),
            ("old_password", PASSWORD),
            ("new_password", new),
            ("confirm", new),
        ];
        assert_eq!(
            form(
                &ctx,
                "/password",
                &cookie,
                &[("csrf", "forged"), good[1], good[2], good[3]]
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        let (s, _, h) = form(&ctx, "/password", &cookie, &good).await;
        assert_eq!(
            (s, h["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/")
        );
        assert_eq!(
            page(&ctx, "/", &cookie).await.0,
            StatusCode::SEE_OTHER,
            "a grid worker's home is their grid"
        );
        assert_eq!(
            ctx.login_with("newbie", new).await.0,
            StatusCode::OK,
            "the API opens now"
        );
    });
}

#[tokio::test]
async fn an_admin_without_a_second_factor_must_enrol_one() {
    on_each_db!(|ctx| {
        common::account(&ctx.store, "admin2", Role::Admin, "430204", false).await;
        let (s, h, cookie) = login(&ctx, "admin2", "").await;
        assert_eq!(
            (s, h["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/totp")
        );
        assert_eq!(page(&ctx, "/", &cookie).await.2["location"], "/totp");
        let (_, html, _) = page(&ctx, "/totp", &cookie).await;
        let (csrf, secret) = (hidden(&html, "csrf"), hidden(&html, "secret"));
        let raw = base32_decode(&secret).unwrap();
        let (s, html, _) = form(
            &ctx,
            "/totp",
            &cookie,
            &[("csrf", &csrf), ("secret", &secret), ("code", "000000")],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("动态验证码不正确"));
        use wangge_store::Clock;
        let code = totp_at(&raw, (ctx.clock.now_ms() / 1000) as u64);
        let (s, _, h) = form(
            &ctx,
            "/totp",
            &cookie,
            &[("csrf", &csrf), ("secret", &secret), ("code", &code)],
        )
        .await;
        assert_eq!(
            (s, h["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/")
        );
        assert_eq!(page(&ctx, "/", &cookie).await.0, StatusCode::OK);
        // From now on the password alone is not enough.
        let (s, _, _) = login(&ctx, "admin2", "").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        ctx.clock.advance_ms(30_000);
        let code = totp_at(&raw, (ctx.clock.now_ms() / 1000) as u64);
        assert_eq!(login(&ctx, "admin2", &code).await.0, StatusCode::SEE_OTHER);
    });
}

#[tokio::test]
async fn error_pages_are_chinese_and_scoped() {
    on_each_db!(|ctx| {
        let (_, _, worker) = login(&ctx, "worker_a", "").await;
        let (s, html, _) = page(&ctx, &format!("/grids/{}", common::GRID_C), &worker).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(html.contains("未找到该记录，或不在您的管辖范围内"));
        let (s, html, _) = page(&ctx, "/no-such-page", &worker).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("没有这个地址"));
        let (_, _, leader) = login(&ctx, "leader", "").await;
        let (s, html, _) = page(
            &ctx,
            &format!("/persons/{}?unmask=true", ctx.person_a),
            &leader,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(html.contains("无权"));
        let (s, html, _) = page(&ctx, &format!("/persons/{}", ctx.person_a), &worker).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("********") && html.contains("显示完整身份证号"),
            "masked by default"
        );
        let (s, html, _) = page(&ctx, "/persons?page=zz", &worker).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(html.contains("查询参数无效"));
    });
}

#[tokio::test]
async fn behind_tls_cookies_are_secure_with_the_host_prefix() {
    let ctx = Ctx::new("sqlite").await;
    let app = wangge_web::router(
        ctx.store.clone(),
        wangge_web::WebConfig {
            secure_cookies: true,
        },
    );
    let resp = tower::ServiceExt::oneshot(app, Request::get("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let c = set_cookies(resp.headers()).join("\n");
    assert!(c.contains("; Secure"), "{c}");
    ctx.finish().await;
    assert_eq!(wangge_web::session_cookie(true), "__Host-wangge_session");
}

#[tokio::test]
async fn the_coverage_page_draws_gaps_and_overlaps_in_red() {
    on_each_db!(|ctx| {
        let (_, _, session) = login(&ctx, "district", "").await;
        let (s, html, _) = page(&ctx, "/regions/430204001001/coverage", &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("id=\"coverage-ok\""), "{html}");
        assert!(!html.contains("class=\"finding\""));
        let token = ctx.token("district").await;
        let moved = serde_json::json!({"boundary": {"type": "Polygon", "coordinates": [[
            [113.10, 27.85], [113.11, 27.85], [113.115, 27.858], [113.10, 27.86], [113.10, 27.85]]]}});
        let req = Request::put(format!("/api/v1/grids/{}", common::GRID_A))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(Body::from(moved.to_string()))
            .unwrap();
        assert_eq!(ctx.send(req).await.0, StatusCode::OK);
        let (_, html, _) = page(&ctx, "/regions/430204001001/coverage", &session).await;
        assert!(html.contains("id=\"coverage-findings\""), "{html}");
        assert!(
            html.contains("class=\"finding\""),
            "findings are drawn: {html}"
        );
        assert!(html.contains("#d93025"), "in red");
        assert!(html.contains("重叠") && html.contains("盲区"), "{html}");
    });
}

#[tokio::test]
async fn the_field_overview_sums_up_each_street_and_lists_who_fell_short() {
    on_each_db!(|ctx| {
        let (_, _, session) = login(&ctx, "district", "").await;
        let (s, html, _) = page(&ctx, "/field/coverage", &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("走访与巡查"), "{html}");
        // The county's streets, each with bars of who fell short, linking one level down.
        assert!(html.contains("class=\"board-table area-board\""), "{html}");
        assert!(
            html.contains("/field/coverage?region=430204001&#38;day="),
            "{html}"
        );
        assert!(html.contains("fill=\"#b91c1c\""), "{html}");
        // Nobody patrolled or reported today: every grid's worker is listed as short.
        assert!(
            html.contains("<span class=\"overdue\">不足</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"overdue\">未报</span>"),
            "{html}"
        );
        // A community's page lists its grids' workers only.
        let (s, html, _) = page(&ctx, "/field/coverage?region=430204001001", &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(!html.contains("area-board"), "{html}");
    });
}

#[tokio::test]
async fn the_sizing_page_lists_grids_and_previews_a_split() {
    on_each_db!(|ctx| {
        let (_, _, session) = login(&ctx, "district", "").await;
        // Under a rule of one household per grid, every fixture grid (one household of two
        // persons) is oversized by its persons.
        let (s, html, _) = page(&ctx, "/sizing?households=1&persons=1", &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("规模过大"), "{html}");
        assert!(html.contains(&format!("/grids/{}/split?households=1", common::GRID_A)));
        let (s, html, _) = page(
            &ctx,
            &format!("/grids/{}/split?households=1&persons=1", common::GRID_A),
            &session,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("class=\"split-map\""), "{html}");
        // One building cannot be split: there is nothing to confirm.
        assert!(!html.contains("confirm-split"));
    });
}

/// A multipart/form-data body of text fields.
fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "----wangge-test-boundary";
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_grid_is_renamed_and_redrawn_through_its_edit_page() {
    on_each_db!(|ctx| {
        let (_, _, session) = login(&ctx, "district", "").await;
        let path = format!("/grids/{}/edit", common::GRID_A);
        let (s, html, _) = page(&ctx, &path, &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        let csrf = hidden(&html, "csrf");
        let send = |fields: Vec<(&'static str, String)>| {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ctype, body) = multipart(&pairs);
            Request::post(&path)
                .header("cookie", &session)
                .header("content-type", ctype)
                .body(Body::from(body))
                .unwrap()
        };
        // A ring that does not close is refused with the reason, and nothing changes.
        let open_ring =
            r#"{"type":"Polygon","coordinates":[[[113.10,27.85],[113.11,27.85],[113.11,27.86]]]}"#;
        let (s, v, _) = ctx
            .send(send(vec![
                ("csrf", csrf.clone()),
                ("name", "新名字".into()),
                ("geojson", open_ring.into()),
            ]))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(text(&v).contains("form-error"), "{v}");
        let square = r#"{"type":"Polygon","coordinates":[[[113.10,27.85],[113.11,27.85],[113.11,27.86],[113.10,27.86],[113.10,27.85]]]}"#;
        let (s, _, h) = ctx
            .send(send(vec![
                ("csrf", csrf.clone()),
                ("name", "云龙一格".into()),
                ("geojson", square.into()),
            ]))
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(h["location"], format!("/grids/{}", common::GRID_A));
        let token = ctx.token("district").await;
        let (_, g) = ctx
            .get(&format!("/api/v1/grids/{}", common::GRID_A), &token)
            .await;
        assert_eq!(g["name"], "云龙一格");
        // Without the token nothing is saved.
        let (s, _, _) = ctx.send(send(vec![("name", "偷改".into())])).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn a_person_is_registered_edited_and_moved_out_through_forms() {
    on_each_db!(|ctx| {
        let (_, _, session) = login(&ctx, "street1", "").await;
        let (s, html, _) = page(&ctx, "/persons/new", &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        let csrf = hidden(&html, "csrf");
        let number = common::id_number("19920304", 55);
        // A bad phone comes back on the form with the reason, the typed values kept.
        let (s, html, _) = form(
            &ctx,
            "/persons/new",
            &session,
            &[
                ("csrf", &csrf),
                ("name", "韩梅"),
                ("id_number", number.as_str()),
                ("phone", "123"),
                ("grid", common::GRID_A),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("form-error") && html.contains("手机号"),
            "{html}"
        );
        assert!(html.contains("value=\"韩梅\""));
        let (s, _, h) = form(
            &ctx,
            "/persons/new",
            &session,
            &[
                ("csrf", &csrf),
                ("name", "韩梅"),
                ("id_number", number.as_str()),
                ("phone", "13900001111"),
                ("grid", common::GRID_A),
                ("tags", "孕产妇"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let record = h["location"].to_str().unwrap().to_string();
        let (_, html, _) = page(&ctx, &record, &session).await;
        assert!(
            html.contains("韩梅") && html.contains("孕产妇") && html.contains("登记"),
            "{html}"
        );

        let (s, html, _) = page(&ctx, &format!("{record}/edit"), &session).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("value=\"pregnant\""),
            "tags are prefilled: {html}"
        );
        let (s, _, _) = form(
            &ctx,
            &format!("{record}/edit"),
            &session,
            &[
                ("csrf", &csrf),
                ("grid", common::GRID_B),
                ("tags", "pregnant"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = form(
            &ctx,
            &format!("{record}/end"),
            &session,
            &[
                ("csrf", &csrf),
                ("kind", "move_out"),
                ("note", "迁往株洲市"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = page(&ctx, &record, &session).await;
        assert!(
            html.contains("已迁出") && html.contains("迁往株洲市") && html.contains("迁移网格"),
            "{html}"
        );
        assert!(
            !html.contains("id=\"edit\""),
            "a moved-out record is not edited"
        );
    });
}

#[tokio::test]
async fn a_building_is_corrected_through_its_form() {
    on_each_db!(|ctx| {
        let (_, _, session) = login(&ctx, "street1", "").await;
        let token = ctx.token("street1").await;
        let (_, grid) = ctx
            .get(&format!("/api/v1/grids/{}", common::GRID_A), &token)
            .await;
        let id = grid["buildings"][0]["id"].as_i64().unwrap();
        let path = format!("/buildings/{id}/edit");
        let (s, html, _) = page(&ctx, &path, &session).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        let csrf = hidden(&html, "csrf");
        let (s, html, _) = form(
            &ctx,
            &path,
            &session,
            &[("csrf", &csrf), ("floors", "很多")],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("form-error") && html.contains("不是整数"),
            "{html}"
        );
        let (s, _, h) = form(&ctx, &path, &session, &[("csrf", &csrf), ("floors", "9")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(h["location"], format!("/grids/{}", common::GRID_A));
        let (_, grid) = ctx
            .get(&format!("/api/v1/grids/{}", common::GRID_A), &token)
            .await;
        assert_eq!(grid["buildings"][0]["floors"], 9);
    });
}

#[tokio::test]
async fn an_event_is_reported_and_worked_through_the_pages() {
    on_each_db!(|ctx| {
        let (_, _, worker) = login(&ctx, "worker_a", "").await;
        let (s, html, _) = page(&ctx, "/events", &worker).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("路灯不亮"), "the catalog is offered");
        let csrf = hidden(&html, "csrf");
        let (s, html, _) = form(
            &ctx,
            "/events",
            &worker,
            &[
                ("csrf", &csrf),
                ("category", "A01-003"),
                ("description", ""),
                ("lng", "113.105"),
                ("lat", "27.855"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("不能为空"), "{html}");
        let (s, _, h2) = form(
            &ctx,
            "/events",
            &worker,
            &[
                ("csrf", &csrf),
                ("category", "A01-003"),
                ("description", "3栋门口积存垃圾"),
                ("lng", "113.105"),
                ("lat", "27.855"),
                ("crs", "wgs84"),
                ("urgency", "normal"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let location = h2["location"].to_str().unwrap().to_string();
        assert!(location.starts_with("/events/"));

        // The command center opens and dispatches it from the event page.
        let (_, _, street) = login(&ctx, "street1", "").await;
        let (_, html, _) = page(&ctx, &location, &street).await;
        assert!(
            html.contains("待受理") && html.contains("校验完整"),
            "{html}"
        );
        let csrf = hidden(&html, "csrf");
        let path = format!("{location}/actions");
        let (s, _, _) = form(
            &ctx,
            &path,
            &street,
            &[("csrf", &csrf), ("action", "verify")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = form(
            &ctx,
            &path,
            &street,
            &[("csrf", &csrf), ("action", "dispatch"), ("department", "")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = page(&ctx, &location, &street).await;
        assert!(
            html.contains("待签收") && html.contains("区城市管理和综合执法局"),
            "{html}"
        );
        // A step out of order shows its reason on the page.
        let (s, html, _) = form(
            &ctx,
            &path,
            &street,
            &[("csrf", &csrf), ("action", "check_pass")],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("form-error"), "{html}");
    });
}
