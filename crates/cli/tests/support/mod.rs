//! Helpers shared by the integration tests: a WebDriver client for Chromium and a runner for
//! the real `wangge demo` binary.

// Every test binary that says `mod support;` compiles all of this but uses only a part.
#![allow(dead_code)]

pub mod demo_session;
pub mod http;
pub mod pdf;
pub mod server;
pub mod webdriver;

use std::path::PathBuf;

/// A port that was free a moment ago; the OS rarely hands it out again that quickly, and
/// never to two callers in this process (tests run in parallel threads: two demo servers
/// given the same port, one of them failed to listen).
pub fn free_port() -> Result<u16, String> {
    use std::collections::BTreeSet;
    use std::sync::Mutex;
    static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
    for _ in 0..100 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?;
        let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        if handed_out.insert(port) {
            return Ok(port);
        }
    }
    Err("no free port: the OS kept offering ports already handed out".into())
}

/// Creates a new empty folder under the system temp dir, unique per process and call.
pub fn unique_temp_dir(prefix: &str) -> Result<PathBuf, String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    // create_dir, not create_dir_all: a leftover folder of the same name must not be reused.
    std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}
