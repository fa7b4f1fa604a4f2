//! Which deployment gets the next attempt: the setup's groups in order (fallbacks),
//! a weighted random pick within a group, deployments that keep failing cooled down
//! for a while, and what each kind of upstream error leads to.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_core::chat::Params;
use switchboard_core::providers::Endpoint;
use switchboard_core::ErrorKind;
use tokio::time::Instant;

/// Failures are counted over this window for the cooldown (LiteLLM's minute).
pub(crate) const FAIL_WINDOW: Duration = Duration::from_secs(60);

/// One alias, ready to serve.
pub(crate) struct Route {
    pub alias: String,
    pub groups: Vec<Vec<Deployment>>,
    /// Retries within a group before falling back.
    pub retries: u32,
    /// Until the first token (streams) or for the whole answer (non-streamed).
    pub timeout: Duration,
}

/// Where a deployment's calls go, resolved once when the router starts.
pub(crate) struct Resolved {
    pub endpoint: Endpoint,
    /// The provider's own model name (`gpt-4o`).
    pub model: String,
}

/// One target of a setup.
pub(crate) struct Deployment {
    /// `provider/model`.
    pub id: Arc<str>,
    pub weight: u32,
    pub params: Params,
    /// `Err` = why it cannot be called (unknown provider…): each attempt fails like a
    /// refused key would, so the fallbacks still work.
    pub target: Result<Arc<Resolved>, String>,
    health: Mutex<Health>,
}

#[derive(Default)]
struct Health {
    fails: VecDeque<Instant>,
    cooling_until: Option<Instant>,
}

impl Deployment {
    pub fn new(
        id: &str,
        weight: u32,
        params: Params,
        target: Result<Arc<Resolved>, String>,
    ) -> Self {
        Self {
            id: id.into(),
            weight,
            params,
            target,
            health: Mutex::default(),
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn cooling(&self, now: Instant) -> bool {
        self.health().cooling_until.is_some_and(|t| t > now)
    }

    /// Counts a failure; `allowed` failures within [`FAIL_WINDOW`] cool it down.
    pub fn failed(&self, now: Instant, allowed: u32, cooldown: Duration) {
        let mut h = self.health();
        while h
            .fails
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > FAIL_WINDOW)
        {
            h.fails.pop_front();
        }
        h.fails.push_back(now);
        if h.fails.len() >= allowed.max(1) as usize {
            h.cooling_until = Some(now + cooldown);
            h.fails.clear();
        }
    }
}

impl Route {
    /// Whether every deployment of every group is cooling (then they are all tried
    /// anyway: a slow answer beats a refusal).
    pub fn all_cooling(&self, now: Instant) -> bool {
        self.groups.iter().flatten().all(|d| d.cooling(now))
    }

    /// The next deployment of `group` (an index into it): never one in `exhausted`
    /// nor, unless `ignore_cooling`, one cooling down; one not yet `failed` in this
    /// call when there is any; weighted random among those. `None` = the group has
    /// nothing left to try.
    pub fn pick(
        &self,
        group: usize,
        failed: &[usize],
        exhausted: &[usize],
        ignore_cooling: bool,
        now: Instant,
    ) -> Option<usize> {
        let deps = self.groups.get(group)?;
        let usable =
            |i: &usize| !exhausted.contains(i) && (ignore_cooling || !deps[*i].cooling(now));
        let fresh: Vec<usize> = (0..deps.len())
            .filter(|i| usable(i) && !failed.contains(i))
            .collect();
        let pool = if fresh.is_empty() {
            (0..deps.len()).filter(usable).collect()
        } else {
            fresh
        };
        weighted(&pool, |i| deps[i].weight)
    }
}

/// A weighted random element of `pool` (uniform when every weight is 0).
fn weighted(pool: &[usize], weight: impl Fn(usize) -> u32) -> Option<usize> {
    match pool {
        [] => None,
        [only] => Some(*only),
        _ => {
            let total: u64 = pool.iter().map(|&i| u64::from(weight(i))).sum();
            if total == 0 {
                return pool.get(fastrand::usize(..pool.len())).copied();
            }
            let mut r = fastrand::u64(..total);
            for &i in pool {
                let w = u64::from(weight(i));
                if r < w {
                    return Some(i);
                }
                r -= w;
            }
            pool.last().copied()
        }
    }
}

/// What an upstream error leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Transient: retry within the group (another deployment first), then fall back.
    Retry,
    /// This deployment cannot serve (key refused, no such model): the next group.
    Fallback,
    /// The request itself is at fault: the client gets it at once.
    Return,
    /// The client went away.
    Stop,
}

pub(crate) fn next_after(kind: ErrorKind) -> Next {
    match kind {
        ErrorKind::RateLimited
        | ErrorKind::Overloaded
        | ErrorKind::Server
        | ErrorKind::Timeout
        | ErrorKind::Network
        // Nothing reached the client yet (else it would not be retried at all).
        | ErrorKind::StreamInterrupted => Next::Retry,
        ErrorKind::Auth
        | ErrorKind::Permission
        | ErrorKind::ModelNotFound
        | ErrorKind::MalformedResponse => Next::Fallback,
        ErrorKind::InvalidRequest | ErrorKind::ContextLength | ErrorKind::ContentFiltered => {
            Next::Return
        }
        ErrorKind::Cancelled => Next::Stop,
    }
}

/// Whether an error counts against the deployment's health.
pub(crate) fn counts_as_failure(kind: ErrorKind) -> bool {
    matches!(next_after(kind), Next::Retry | Next::Fallback)
}

/// The wait before retry number `n` (0-based): `base` doubled each time, ±25% jitter
/// so clients that failed together do not retry together, at most `max`.
pub(crate) fn backoff(base: Duration, n: u32, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << n.min(16));
    let jitter = 0.75 + fastrand::f64() * 0.5;
    exp.mul_f64(jitter).min(max)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn route(weights: &[u32]) -> Route {
        Route {
            alias: "a".into(),
            groups: vec![weights
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    Deployment::new(&format!("p/m{i}"), *w, Params::default(), Err("x".into()))
                })
                .collect()],
            retries: 2,
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn picks_prefer_deployments_not_yet_failed_and_skip_cooling_ones() {
        let r = route(&[1, 1]);
        let now = Instant::now();
        for _ in 0..20 {
            assert_eq!(r.pick(0, &[0], &[], false, now), Some(1));
        }
        // Both failed: either may be retried; exhausted ones never.
        assert_eq!(r.pick(0, &[0, 1], &[1], false, now), Some(0));
        r.groups[0][1].failed(now, 1, Duration::from_secs(5));
        assert!(r.groups[0][1].cooling(now));
        for _ in 0..20 {
            assert_eq!(r.pick(0, &[], &[], false, now), Some(0));
        }
        assert_eq!(r.pick(0, &[], &[0], false, now), None);
        assert_eq!(r.pick(0, &[], &[0], true, now), Some(1));
        assert!(!r.groups[0][1].cooling(now + Duration::from_secs(6)));
    }

    #[test]
    fn failures_cool_down_only_when_enough_come_within_a_minute() {
        let d = Deployment::new("p/m", 1, Params::default(), Err("x".into()));
        let t0 = Instant::now();
        d.failed(t0, 2, Duration::from_secs(5));
        d.failed(t0 + Duration::from_secs(61), 2, Duration::from_secs(5));
        assert!(!d.cooling(t0 + Duration::from_secs(61)));
        d.failed(t0 + Duration::from_secs(62), 2, Duration::from_secs(5));
        assert!(d.cooling(t0 + Duration::from_secs(62)));
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let b = Duration::from_millis(100);
        for _ in 0..50 {
            let d1 = backoff(b, 1, Duration::from_secs(8));
            assert!(d1 >= Duration::from_millis(150) && d1 <= Duration::from_millis(250));
            assert_eq!(
                backoff(b, 10, Duration::from_secs(1)),
                Duration::from_secs(1)
            );
        }
    }

    #[test]
    fn errors_lead_where_they_should() {
        assert_eq!(next_after(ErrorKind::RateLimited), Next::Retry);
        assert_eq!(next_after(ErrorKind::Auth), Next::Fallback);
        assert_eq!(next_after(ErrorKind::ContextLength), Next::Return);
        assert!(!counts_as_failure(ErrorKind::InvalidRequest));
    }
}
