//! Per-address limits for the public endpoints (a citizen's report, a photo upload), kept
//! in the server's memory: each server counts the addresses it sees. Per-phone limits are
//! in the database (`wangge_store::citizen`).
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use wangge_domain::rate::Limit;

use crate::error::ApiError;

/// Keys remembered at most; beyond, idle keys are dropped first.
const MAX_KEYS: usize = 100_000;

#[derive(Clone)]
pub struct RateLimiter {
    limit: Limit,
    hits: Arc<Mutex<HashMap<String, VecDeque<i64>>>>,
}

impl RateLimiter {
    pub fn new(max: usize, window_ms: i64) -> RateLimiter {
        RateLimiter {
            limit: Limit { max, window_ms },
            hits: Arc::default(),
        }
    }

    /// Counts a hit of `key` at `now`, or answers 429 naming the limit.
    pub fn check(&self, key: &str, now: i64, what: &str) -> Result<(), ApiError> {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() >= MAX_KEYS {
            let window = self.limit.window_ms;
            hits.retain(|_, h| h.back().is_some_and(|&t| t > now - window));
        }
        if self
            .limit
            .allow(hits.entry(key.to_string()).or_default(), now)
        {
            Ok(())
        } else {
            Err(ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                "too_many",
                format!(
                    "同一网络地址每{}分钟最多{}{}次，请稍后再试",
                    self.limit.window_ms / 60_000,
                    what,
                    self.limit.max
                ),
            ))
        }
    }
}

/// The public endpoints' limits: reports and photo uploads per address per hour.
#[derive(Clone)]
pub struct PublicLimits {
    pub reports: RateLimiter,
    pub uploads: RateLimiter,
}

impl Default for PublicLimits {
    fn default() -> Self {
        PublicLimits {
            reports: RateLimiter::new(20, 3_600_000),
            uploads: RateLimiter::new(60, 3_600_000),
        }
    }
}
