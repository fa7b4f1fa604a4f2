//! A generated history, for tests and benchmarks only (`make bench` fills one with
//! 100,000 runs × 4 responses). Deterministic for a seed. Writes straight into the
//! tables in large transactions on the writer thread, not through recorders, so a big
//! history takes seconds.

use rusqlite::params;

use super::writer::MAX_TARGETS;
use super::{History, HistoryError};

const WORDS: &[&str] = &[
    "latency",
    "token",
    "stream",
    "model",
    "router",
    "prompt",
    "answer",
    "budget",
    "cache",
    "python",
    "rust",
    "sqlite",
    "index",
    "search",
    "invoice",
    "customer",
    "refund",
    "summary",
    "translate",
    "french",
    "poem",
    "haiku",
    "database",
    "migration",
    "kubernetes",
    "deploy",
    "gateway",
    "fallback",
    "retry",
    "timeout",
    "pricing",
    "contract",
    "email",
    "meeting",
    "agenda",
    "recipe",
    "weather",
    "travel",
    "itinerary",
    "budgeting",
    "marketing",
    "launch",
    "feature",
    "roadmap",
    "bug",
    "stacktrace",
    "function",
    "closure",
    "lifetime",
    "borrow",
    "async",
    "future",
    "tokio",
    "thread",
    "mutex",
    "channel",
    "vector",
    "matrix",
    "embedding",
    "benchmark",
    "quality",
    "winner",
    "compare",
    "explain",
    "simply",
    "quickly",
    "carefully",
];

const MODELS: &[&str] = &[
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-haiku-4-5",
    "gemini/gemini-2.5-pro",
    "gemini/gemini-2.5-flash",
    "openrouter/meta-llama/llama-3.3-70b-instruct",
    "ollama/llama3.2",
];

/// xorshift64*: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn words(&mut self, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(WORDS[self.below(WORDS.len() as u64) as usize]);
        }
        s
    }
}

/// Runs written per transaction.
const BATCH: u64 = 5_000;

/// Adds `runs` finished runs of `responses_per_run` responses each (at most 16) to
/// `history`, spread over the past year, oldest first, priced (one model in eight is
/// unpriced), some starred, tagged or with a winner. Returns the last run id.
pub fn generate(
    history: &History,
    runs: u64,
    responses_per_run: u32,
    seed: u64,
) -> Result<i64, HistoryError> {
    let per_run = responses_per_run.min(MAX_TARGETS as u32);
    history.inner.writer.call(move |conn| {
        let mut rng = Rng(seed | 1);
        let end = chrono::Utc::now();
        let span_ms: i64 = 365 * 24 * 3600 * 1000;
        let mut last = 0;
        let mut done = 0u64;
        while done < runs {
            let n = BATCH.min(runs - done);
            let tx = conn.transaction()?;
            {
                let mut run_stmt = tx.prepare_cached(
                    "INSERT INTO runs (created_at, source, title, prompt, system, starred, writer_pid) \
                     VALUES (?1, ?2, NULL, ?3, NULL, ?4, NULL)",
                )?;
                let mut resp_stmt = tx.prepare_cached(
                    "INSERT INTO responses (run_id, position, model, provider, params, system, \
                     messages, text, reasoning, status, finish_reason, input_tokens, \
                     cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, \
                     reasoning_tokens, usage_source, cost_usd, cost_source, price_version, ttft_ms, \
                     total_ms, winner, started_at, ended_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, '{}', NULL, ?5, ?6, '', 'ok', 'stop', ?7, 0, 0, 0, ?8, 0, \
                     'reported', ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?15)",
                )?;
                let mut tag_stmt =
                    tx.prepare_cached("INSERT INTO run_tags (run_id, tag) VALUES (?1, ?2)")?;
                let mut fts =
                    tx.prepare_cached("INSERT INTO search (rowid, body) VALUES (?1, ?2)")?;
                for i in 0..n {
                    let k = done + i;
                    let at = end - chrono::Duration::milliseconds(
                        span_ms - span_ms * (k as i64 + 1) / runs.max(1) as i64,
                    );
                    let at = super::time::format(at);
                    let len = 8 + rng.below(12) as usize;
                    let prompt = rng.words(len);
                    let source = if rng.below(10) == 0 { "cli" } else { "app" };
                    run_stmt.execute(params![at, source, prompt, rng.below(20) == 0])?;
                    let run_id = tx.last_insert_rowid();
                    last = run_id;
                    let mut body = prompt.clone();
                    let messages = serde_json::to_string(&[crate::chat::Message::user(&prompt)])?;
                    let winner = if rng.below(3) == 0 {
                        Some(rng.below(u64::from(per_run.max(1))) as u32)
                    } else {
                        None
                    };
                    let first = rng.below(MODELS.len() as u64) as usize;
                    for pos in 0..per_run {
                        let model = MODELS[(first + pos as usize) % MODELS.len()];
                        let provider = model.split('/').next().unwrap_or("");
                        let len = 30 + rng.below(60) as usize;
                        let text = rng.words(len);
                        let input = 20 + rng.below(400);
                        let output = 50 + rng.below(900);
                        let (cost, cost_source, version) = if model.starts_with("ollama/") {
                            (None, "unpriced", None)
                        } else {
                            let micro = (input + 3 * output) * (1 + rng.below(10));
                            let usd = rust_decimal::Decimal::new(micro as i64, 8).normalize();
                            (Some(usd.to_string()), "computed", Some("generated"))
                        };
                        resp_stmt.execute(params![
                            run_id,
                            pos,
                            model,
                            provider,
                            messages,
                            text,
                            input as i64,
                            output as i64,
                            cost,
                            cost_source,
                            version,
                            (200 + rng.below(1500)) as i64,
                            (1000 + rng.below(20000)) as i64,
                            winner == Some(pos),
                            at
                        ])?;
                        body.push_str("\n\n");
                        body.push_str(&text);
                    }
                    fts.execute(params![run_id, body])?;
                    if rng.below(10) == 0 {
                        tag_stmt.execute(params![run_id, "bench"])?;
                    }
                }
            }
            tx.commit()?;
            done += n;
        }
        Ok(last)
    })
}
