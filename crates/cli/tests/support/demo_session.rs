//! Signing in to the demo in the browser as one of its accounts.
use std::time::Duration;

use super::server::DemoAccount;
use super::webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);

/// The path of a URL (`/events?queue=inbox`).
pub fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// The demo account of `role` with the widest scope.
pub fn account<'a>(accounts: &'a [DemoAccount], role: &str) -> &'a DemoAccount {
    accounts
        .iter()
        .filter(|a| a.role == role)
        .min_by_key(|a| a.scope.len())
        .unwrap_or_else(|| panic!("no {role} among the demo accounts"))
}

/// Signs in on the login page and waits to leave it.
pub fn login(browser: &Browser, base: &str, a: &DemoAccount) -> Result<(), String> {
    browser.goto(&format!("{base}/login"))?;
    let user = browser.wait_for("input[name=username]", WAIT)?;
    browser.send_keys(&user, &a.username)?;
    browser.send_keys(&browser.find("input[name=password]")?, &a.password)?;
    browser.click(&browser.find("button[type=submit]")?)?;
    browser
        // A grid worker lands on their grid, the others on the region tree.
        .wait_for_url(|u| !path_of(u).starts_with("/login"), WAIT)
        .map(drop)
        .map_err(|e| format!("login as {} ({}): {e}", a.username, a.role))
}

/// The middle of a grid's bounding box `(lng, lat)`, as the signed-in session reads it
/// from the API.
pub fn grid_centre(browser: &Browser, grid: &str) -> Result<(f64, f64), String> {
    let text = browser.execute(
        "var x = new XMLHttpRequest(); x.open('GET', '/api/v1/grids/' + arguments[0], false);\
         x.send(); return x.responseText;",
        &[serde_json::json!(grid)],
    )?;
    let grid: serde_json::Value =
        serde_json::from_str(text.as_str().unwrap_or("")).map_err(|e| e.to_string())?;
    let bbox = grid["bbox"].as_array().ok_or(format!("no bbox: {grid}"))?;
    let f = |i: usize| bbox[i].as_f64().unwrap_or_default();
    Ok(((f(0) + f(2)) / 2.0, (f(1) + f(3)) / 2.0))
}
