//! Accounting off the hot path: a request hands its finished call to [`HistoryLog`],
//! which queues it (never blocking, never waiting on the disk) for one writer thread
//! that saves calls to the history in batches. If the writer falls behind, calls queue
//! up to a bound; past it they are counted in [`HistoryLog::dropped`] — which `serve`
//! and the app report — never silently lost.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchboard_core::history::History;

use crate::{CallLog, CallRecord};

/// Calls written in one transaction at most.
const BATCH: usize = 256;
/// The queue's default bound: ~minutes of a busy app's calls.
pub const DEFAULT_CAPACITY: usize = 10_000;

type Observer = Arc<dyn Fn(&CallRecord) + Send + Sync>;

/// Saves router calls into the history, off the request path.
#[derive(Clone)]
pub struct HistoryLog {
    tx: SyncSender<CallRecord>,
    counters: Arc<Counters>,
    observer: Option<Observer>,
}

#[derive(Default)]
struct Counters {
    /// Handed to the writer and not yet written (or failed).
    pending: AtomicUsize,
    written: AtomicU64,
    dropped: AtomicU64,
    failed: AtomicU64,
    error: Mutex<Option<String>>,
}

impl HistoryLog {
    /// Starts the writer thread. `capacity` calls may wait for it; more are dropped
    /// and counted.
    pub fn start(history: History, capacity: usize) -> std::io::Result<Self> {
        Self::start_with(capacity, move |batch| {
            history
                .record_router_calls(batch)
                .map_err(|e| e.to_string())
        })
    }

    /// The same queue in front of any `save` (tests hold the writer with it).
    pub fn start_with(
        capacity: usize,
        mut save: impl FnMut(Vec<CallRecord>) -> Result<(), String> + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::sync_channel::<CallRecord>(capacity.max(1));
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        std::thread::Builder::new()
            .name("router-accounting".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match rx.try_recv() {
                            Ok(call) => batch.push(call),
                            Err(_) => break,
                        }
                    }
                    let n = batch.len();
                    match save(batch) {
                        Ok(()) => {
                            c.written.fetch_add(n as u64, Ordering::Relaxed);
                        }
                        Err(e) => {
                            c.failed.fetch_add(n as u64, Ordering::Relaxed);
                            *c.error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                        }
                    }
                    c.pending.fetch_sub(n, Ordering::Release);
                }
            })?;
        Ok(Self {
            tx,
            counters,
            observer: None,
        })
    }

    /// Also shows every call to `f` (the app's live log), on the request's task: `f`
    /// must return at once.
    pub fn with_observer(mut self, f: Arc<dyn Fn(&CallRecord) + Send + Sync>) -> Self {
        self.observer = Some(f);
        self
    }

    /// Calls saved so far.
    pub fn written(&self) -> u64 {
        self.counters.written.load(Ordering::Relaxed)
    }

    /// Calls that did not fit in the queue: not saved.
    pub fn dropped(&self) -> u64 {
        self.counters.dropped.load(Ordering::Relaxed)
    }

    /// Calls the history refused (a full disk, a read-only folder), with the last error.
    pub fn failed(&self) -> (u64, Option<String>) {
        let e = self
            .counters
            .error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        (self.counters.failed.load(Ordering::Relaxed), e)
    }

    /// Waits (blocking) until every queued call is written, or `timeout` passes.
    /// Returns whether the queue emptied.
    pub fn flush(&self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        while self.counters.pending.load(Ordering::Acquire) > 0 {
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }
}

impl CallLog for HistoryLog {
    fn record(&self, call: CallRecord) {
        if let Some(f) = &self.observer {
            f(&call);
        }
        self.counters.pending.fetch_add(1, Ordering::AcqRel);
        match self.tx.try_send(call) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.counters.pending.fetch_sub(1, Ordering::AcqRel);
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::chat::ChatRequest;
    use switchboard_core::chat::Usage;
    use switchboard_core::prices::answer_cost::{Cost, CostSource};
    use switchboard_core::runner::{Metrics, TargetStatus, TargetSummary};

    pub(crate) fn call(alias: &str, usd: &str) -> CallRecord {
        CallRecord {
            alias: alias.into(),
            deployment: Some("openai/gpt-4o-mini".into()),
            attempts: 2,
            client: Some("OpenAI/Python 2.8.1".into()),
            request: ChatRequest::prompt("What is 2+2?"),
            stream: true,
            http_status: 200,
            summary: TargetSummary {
                model: "openai/gpt-4o-mini".into(),
                status: TargetStatus::Ok,
                text: "4".into(),
                reasoning: String::new(),
                finish_reason: None,
                usage: Usage {
                    input_tokens: 12,
                    output_tokens: 1,
                    ..Usage::default()
                },
                cost: Cost {
                    usd: Some(usd.parse().unwrap()),
                    source: CostSource::Computed,
                    free: false,
                    price_version: Some("test".into()),
                    price_key: Some("gpt-4o-mini".into()),
                    breakdown: None,
                },
                metrics: Metrics {
                    ttft_ms: Some(5),
                    total_ms: 9,
                    output_tokens_per_s: None,
                },
                error: None,
                hint: None,
            },
        }
    }

    #[test]
    fn calls_reach_the_history_with_route_usage_and_cost() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(dir.path()).unwrap();
        let seen = Arc::new(AtomicU64::new(0));
        let s = seen.clone();
        let log = HistoryLog::start(history.clone(), 16)
            .unwrap()
            .with_observer(Arc::new(move |_c: &CallRecord| {
                s.fetch_add(1, Ordering::Relaxed);
            }));
        log.record(call("chat", "0.0000123"));
        log.record(call("chat", "0.0000100"));
        assert!(log.flush(Duration::from_secs(10)));
        assert_eq!((log.written(), log.dropped()), (2, 0));
        assert_eq!(seen.load(Ordering::Relaxed), 2);
        let page = history
            .list(&switchboard_core::history::RunQuery::default())
            .unwrap();
        assert_eq!(page.runs.len(), 2);
        let run = history.run(page.runs[0].id).unwrap().unwrap();
        assert_eq!(run.prompt, "What is 2+2?");
        let r = &run.responses[0];
        assert_eq!(r.text, "4");
        assert_eq!(r.model, "openai/gpt-4o-mini");
        let route = r.route.as_ref().unwrap();
        assert_eq!(route.alias, "chat");
        assert_eq!(route.attempts, 2);
        assert_eq!(route.client.as_deref(), Some("OpenAI/Python 2.8.1"));
        let spent = history
            .router_spend_since(chrono::Utc::now() - chrono::Duration::hours(1))
            .unwrap();
        assert_eq!(spent["chat"], "0.0000223".parse().unwrap());
    }

    #[test]
    fn a_full_queue_counts_what_it_drops_and_never_blocks() {
        // The writer is held on its first batch until the test lets it go, and says
        // when it holds it.
        let (release, held) = mpsc::channel::<()>();
        let (entered, holding) = mpsc::channel::<()>();
        let held = Mutex::new(held);
        let saved = Arc::new(AtomicU64::new(0));
        let s = saved.clone();
        let log = HistoryLog::start_with(4, move |batch| {
            let _ = entered.send(());
            let _ = held.lock().unwrap().recv();
            s.fetch_add(batch.len() as u64, Ordering::Relaxed);
            Ok(())
        })
        .unwrap();
        log.record(call("chat", "0.01"));
        holding.recv().unwrap();
        for _ in 0..100 {
            log.record(call("chat", "0.01"));
        }
        // One call in the writer's hands, four queued; the other 96 counted, not waited for.
        assert_eq!(log.dropped(), 96);
        drop(release);
        assert!(log.flush(Duration::from_secs(30)));
        assert_eq!(log.written(), 5);
        assert_eq!(saved.load(Ordering::Relaxed), 5);
    }
}
