//! Browser test: a district operator logs in through the real binary's pages in headless
//! Chromium, opens a grid's server-rendered SVG map, then imports a CSV through the upload
//! page (dry-run errors shown, valid rows applied) and finds the new person by name.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::server::DemoServer;
use support::webdriver::{Browser, browser_tests_enabled};

const WAIT: Duration = Duration::from_secs(30);

/// Screenshots go to the workspace's `target/` so a human can look at them after a run.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target")
}

/// The path part of an absolute URL (`http://h:p/a?b` gives `/a?b`).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

#[test]
fn login_and_open_grid_map() {
    if !browser_tests_enabled() {
        return;
    }
    let server = DemoServer::start(&[]);
    let accounts = server.accounts();
    // The operator with the widest scope (shortest code prefix) is the district operator.
    let operator = accounts
        .iter()
        .filter(|a| a.role == "operator")
        .min_by_key(|a| a.scope.len())
        .unwrap_or_else(|| panic!("no operator among demo accounts: {accounts:?}"));
    // The login form here has no second-factor field; the contract is that operators log in
    // with a password alone.
    assert!(
        operator.totp_secret.is_none(),
        "district operator {} requires TOTP, which this test cannot enter",
        operator.username
    );
    let browser = Browser::start().unwrap_or_else(|e| panic!("cannot start Chromium: {e}"));

    if let Err(e) = walk(
        &browser,
        server.base_url(),
        &operator.username,
        &operator.password,
    ) {
        // Keep what the browser saw: the failing page is usually the fastest explanation.
        let shot = target_dir().join("browser-failure.png");
        let saved = browser.screenshot_png(&shot).map_or_else(
            |err| format!("(no screenshot: {err})"),
            |()| format!("screenshot: {}", shot.display()),
        );
        let url = browser.current_url().unwrap_or_default();
        let source = browser.page_source().unwrap_or_default();
        let excerpt: String = source.chars().take(3000).collect();
        panic!("{e}\nat {url}; {saved}\n--- page source (start) ---\n{excerpt}");
    }
}

/// Login form, home page region tree, grid page map; an `Err` names the step that failed.
fn walk(browser: &Browser, base: &str, username: &str, password: &str) -> Result<(), String> {
    browser.goto(&format!("{base}/login"))?;
    let user_input = browser.wait_for("input[name=username]", WAIT)?;
    browser.send_keys(&user_input, username)?;
    let password_input = browser.find("input[name=password]")?;
    browser.send_keys(&password_input, password)?;
    let submit = browser.find("button[type=submit]")?;
    browser.click(&submit)?;

    browser
        .wait_for_url(|u| path_of(u) == "/", WAIT)
        .map_err(|e| format!("login as {username} did not land on /: {e}"))?;

    // The home page's region tree links each grid to /grids/{code}.
    browser.wait_for("a[href^=\"/grids/\"]", WAIT)?;
    let links = browser.find_all("a[href^=\"/grids/\"]")?;
    // A collapsed branch of the tree may hide links; click the first one a user can see.
    let mut visible = None;
    for link in &links {
        if browser.displayed(link)? {
            visible = Some(link.clone());
            break;
        }
    }
    let link = visible
        .ok_or_else(|| format!("{} grid links on the home page, none visible", links.len()))?;
    let href = browser.attr(&link, "href")?.unwrap_or_default();
    browser.click(&link)?;
    browser
        .wait_for_url(|u| path_of(u).starts_with("/grids/"), WAIT)
        .map_err(|e| format!("clicking {href} did not open a grid page: {e}"))?;

    browser.wait_for("svg.grid-map", WAIT)?;
    let boundary = browser
        .find("svg.grid-map path.grid-boundary")
        .map_err(|e| format!("grid map has no boundary path: {e}"))?;
    let d = browser.attr(&boundary, "d")?.unwrap_or_default();
    if d.trim().is_empty() {
        return Err("path.grid-boundary has an empty d attribute".to_string());
    }
    let h1 = browser.find("h1")?;
    let title = browser.text(&h1)?;
    if !title.contains("网格") {
        return Err(format!("grid page h1 {title:?} does not contain 网格"));
    }

    let shot = target_dir().join("browser-grid.png");
    browser.screenshot_png(&shot)?;
    println!("grid page screenshot: {}", shot.display());

    let grid = path_of(&href).trim_start_matches("/grids/").to_string();
    import_a_file(browser, base, &grid)
}

/// A valid GB 11643 number for a birth date and sequence.
fn id_number(birth: &str, seq: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let first17 = format!("430204{birth}{seq:03}");
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!(
        "{first17}{}",
        char::from(b"10X98765432"[(sum % 11) as usize])
    )
}

/// Upload page → dry-run errors → apply → the person is found by a two-character name.
fn import_a_file(browser: &Browser, base: &str, grid: &str) -> Result<(), String> {
    let file = target_dir().join("browser-import.csv");
    let csv = format!(
        "姓名,身份证号,联系电话,网格\r\n禤珂,{},13807310001,{grid}\r\n错号,430204199001010000,,{grid}\r\n",
        id_number("19910909", 901)
    );
    std::fs::create_dir_all(target_dir()).map_err(|e| e.to_string())?;
    std::fs::write(&file, csv).map_err(|e| e.to_string())?;
    // Chromium takes only canonical paths for a file input.
    let file = std::fs::canonicalize(&file).map_err(|e| e.to_string())?;
    browser.goto(&format!("{base}/imports"))?;
    let input = browser.wait_for("input[type=file]", WAIT)?;
    browser.send_keys(&input, &file.to_string_lossy())?;
    browser.click(&browser.find("form.upload button[type=submit]")?)?;

    browser
        .wait_for("#report", WAIT)
        .map_err(|e| format!("the dry run did not report: {e}"))?;
    let errors = browser.text(&browser.find("table.errors")?)?;
    if !errors.contains("校验位") {
        return Err(format!(
            "dry-run errors do not name the check digit: {errors}"
        ));
    }
    browser.click(&browser.find("#apply")?)?;
    let done = browser
        .wait_for("#applied", WAIT)
        .map_err(|e| format!("the import did not finish: {e}"))?;
    let summary = browser.text(&done)?;
    if !summary.contains("新增 1 人") {
        return Err(format!("import summary: {summary}"));
    }
    browser.goto(&format!("{base}/persons?q=%E7%A6%A4%E7%8F%82"))?;
    let table = browser.wait_for("table", WAIT)?;
    let text = browser.text(&table)?;
    if !text.contains("禤珂") {
        return Err(format!("禤珂 not found after the import: {text}"));
    }
    let shot = target_dir().join("browser-import.png");
    browser.screenshot_png(&shot)?;
    Ok(())
}
