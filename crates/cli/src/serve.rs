//! `wangge serve`: the web UI and JSON API on one address, until Ctrl-C.
use std::net::SocketAddr;

use clap::Args;
use wangge_store::Store;
use wangge_web::WebConfig;

use crate::open::DataArgs;

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "WANGGE_LISTEN")]
    pub listen: SocketAddr,
    /// Set when a TLS proxy fronts the server: cookies become Secure with the __Host- prefix.
    #[arg(long, env = "WANGGE_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

pub async fn serve(store: Store, listen: SocketAddr, secure_cookies: bool) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("无法监听 {listen}：{e}（端口被占用？可用 --listen 换一个地址）"))?;
    spawn_sweeper(store.clone());
    spawn_visit_warmup(store.clone());
    let app = wangge_web::router(store, WebConfig { secure_cookies });
    println!("网格化服务管理平台已启动：http://{listen}/  （Ctrl-C 停止）");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| format!("服务异常退出：{e}"))
}

/// Reads the counties' households for the visit lists in the background, so that the
/// first overseer to open the county's list does not wait for it.
fn spawn_visit_warmup(store: Store) {
    tokio::spawn(async move {
        if let Err(e) = store.warm_visit_ledgers().await {
            tracing::warn!(error = %e, "reading households for the visit lists failed");
        }
    });
}

/// Raises deadline warnings and overdue flags every minute while the server runs, and
/// forgets expired idempotency answers, unattached photos and tracks past their
/// retention; several
/// servers may do so at once (see `wangge_store::sweeper`).
fn spawn_sweeper(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match store.sweep_deadlines().await {
                Ok(s) if s.warnings + s.overdue > 0 => {
                    tracing::info!(
                        warnings = s.warnings,
                        overdue = s.overdue,
                        "deadlines swept"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
            }
            // Housekeeping: answers kept for retries and photos never attached expire.
            if let Err(e) = store.purge_idempotency().await {
                tracing::warn!(error = %e, "idempotency purge failed");
            }
            if let Err(e) = store.purge_orphan_uploads().await {
                tracing::warn!(error = %e, "upload purge failed");
            }
            // Patrol tracks are personal whereabouts: kept only for the retention period.
            if let Err(e) = store.sweep_tracks().await {
                tracing::warn!(error = %e, "track sweep failed");
            }
            // The social-governance index of each day that has ended, once.
            if let Err(e) = store.keep_governance_index().await {
                tracing::warn!(error = %e, "governance index failed");
            }
        }
    });
}
