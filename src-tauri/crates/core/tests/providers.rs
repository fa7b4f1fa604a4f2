//! Every provider quirk and failure mode, against mock servers on 127.0.0.1 that speak
//! each wire format byte for byte. One test per quirk, named after it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/mock.rs"]
mod mock;

use std::time::Duration;

use futures::StreamExt;
use mock::{Mock, Recorded, Reply, Step};
use switchboard_core::chat::{ChatEvent, ChatRequest, FinishReason, Params, Usage, UsageSource};
use switchboard_core::http::{Executor, Timeouts};
use switchboard_core::providers::{Endpoint, ProviderKind};
use switchboard_core::stream::chat_stream;
use switchboard_core::{ErrorKind, ProviderError, TimeoutPhase};

const KEY: &str = "sk-test-PLANTED-KEY-0123456789";

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

struct Outcome {
    events: Vec<ChatEvent>,
    error: Option<ProviderError>,
}

impl Outcome {
    fn text(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Delta { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn reasoning(&self) -> String {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Reasoning { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    fn usage(&self) -> Option<Usage> {
        self.events.iter().find_map(|e| match e {
            ChatEvent::Usage(u) => Some(u.clone()),
            _ => None,
        })
    }

    fn finish(&self) -> Option<FinishReason> {
        self.events.iter().find_map(|e| match e {
            ChatEvent::Finished { finish_reason, .. } => Some(*finish_reason),
            _ => None,
        })
    }

    fn err(&self) -> &ProviderError {
        self.error.as_ref().expect("an error")
    }
}

async fn run_with(
    kind: ProviderKind,
    provider: &str,
    mock: &Mock,
    timeouts: Timeouts,
    params: Params,
) -> Outcome {
    let base = match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => format!("{}/v1", mock.url()),
        _ => mock.url(),
    };
    let ep = Endpoint::new(provider, kind, &base, Some(KEY));
    let req = ChatRequest {
        system: Some("Be brief.".into()),
        ..ChatRequest::prompt("Say hi")
    };
    let exec = Executor::new(timeouts).unwrap();
    let mut s = chat_stream(exec, &ep, "test-model", &req, &params);
    let mut events = Vec::new();
    let mut error = None;
    while let Some(item) = s.next().await {
        match item {
            Ok(e) => events.push(e),
            Err(e) => {
                assert!(error.is_none(), "an error must be the last item");
                error = Some(e);
            }
        }
    }
    if let Some(e) = &error {
        assert!(!e.to_string().contains(KEY), "key leaked: {e}");
        assert!(!format!("{e:?}").contains(KEY), "key leaked: {e:?}");
    }
    Outcome { events, error }
}

async fn run(kind: ProviderKind, mock: &Mock) -> Outcome {
    run_with(
        kind,
        provider_name(kind),
        mock,
        Timeouts::default(),
        Params::default(),
    )
    .await
}

fn provider_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "openai",
        ProviderKind::Anthropic => "anthropic",
        ProviderKind::Gemini => "gemini",
        ProviderKind::OpenAiCompatible => "custom",
    }
}

/// Short waits for the timeout tests. Only the wait under test is short, so a loaded
/// machine cannot make the other one fire.
fn short_timeouts(first_token_ms: u64, idle_ms: u64) -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(5),
        first_token: Duration::from_millis(first_token_ms),
        idle: Duration::from_millis(idle_ms),
    }
}

/// Every `n` bytes, a new TCP write: cuts land inside `data:`, inside JSON and inside
/// multi-byte characters.
fn every(n: usize, body: &str) -> Vec<Vec<u8>> {
    body.as_bytes().chunks(n).map(<[u8]>::to_vec).collect()
}

// ---------------------------------------------------------------- OpenAI

#[tokio::test]
async fn openai_streams_exact_text_and_reported_usage() {
    let mock = Mock::always(Reply::sse(&fixture("openai/basic.sse"))).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.events[0], ChatEvent::Started);
    assert_eq!(o.text(), "Hello, wörld — 日本語 🎉 done.");
    let u = o.usage().unwrap();
    assert_eq!(
        (u.input_tokens, u.cached_input_tokens, u.output_tokens),
        (23, 11, 9)
    );
    assert_eq!(u.source, UsageSource::Reported);
    assert_eq!(o.finish(), Some(FinishReason::Stop));
    assert!(matches!(o.events.last(), Some(ChatEvent::Finished { .. })));
}

#[tokio::test]
async fn openai_usage_is_only_sent_when_include_usage_is_requested() {
    let mock = Mock::always(Reply::sse(&fixture("openai/basic.sse"))).await;
    run(ProviderKind::OpenAi, &mock).await;
    let r: Recorded = mock.last_request();
    assert_eq!(r.path, "/v1/chat/completions");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let b = r.json();
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"]["include_usage"], true);
    assert_eq!(b["model"], "test-model");
    assert_eq!(
        b["messages"][0],
        serde_json::json!({"role": "system", "content": "Be brief."})
    );
}

#[tokio::test]
async fn openai_split_inside_utf8_characters_and_inside_data_prefix() {
    let body = fixture("openai/basic.sse");
    for n in [1, 2, 3, 5, 7, 13] {
        let mock = Mock::always(Reply::sse_chunks(every(n, &body))).await;
        let o = run(ProviderKind::OpenAi, &mock).await;
        assert!(o.error.is_none(), "split {n}: {:?}", o.error);
        assert_eq!(o.text(), "Hello, wörld — 日本語 🎉 done.", "split {n}");
        assert_eq!(o.usage().unwrap().output_tokens, 9);
    }
}

#[tokio::test]
async fn openai_server_without_usage_sends_no_usage_event() {
    let mock = Mock::always(Reply::sse(&fixture("openai/no_usage.sse"))).await;
    let o = run(ProviderKind::OpenAiCompatible, &mock).await;
    assert!(o.error.is_none());
    assert_eq!(o.text(), "Local answer");
    assert!(o.usage().is_none());
    assert_eq!(o.finish(), Some(FinishReason::Stop));
}

#[tokio::test]
async fn openai_reasoning_content_is_kept_apart_from_the_answer() {
    let mock = Mock::always(Reply::sse(&fixture("openai/reasoning_content.sse"))).await;
    let o = run(ProviderKind::OpenAiCompatible, &mock).await;
    assert_eq!(o.reasoning(), "Let me think.");
    assert_eq!(o.text(), "The answer is 4.");
    let u = o.usage().unwrap();
    assert_eq!((u.output_tokens, u.reasoning_tokens), (20, 12));
}

#[tokio::test]
async fn openrouter_comment_lines_are_skipped_and_cost_is_reported() {
    let mock = Mock::always(Reply::sse(&fixture("openrouter/comments_and_cost.sse"))).await;
    let o = run_with(
        ProviderKind::OpenAiCompatible,
        "openrouter",
        &mock,
        Timeouts::default(),
        Params::default(),
    )
    .await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text(), "Llama says hi");
    assert_eq!(o.reasoning(), "Considering.");
    let u = o.usage().unwrap();
    assert_eq!(u.cost_usd.unwrap().to_string(), "0.0000123");
    assert_eq!(
        (u.input_tokens, u.output_tokens, u.reasoning_tokens),
        (14, 6, 2)
    );
}

#[tokio::test]
async fn openai_error_event_mid_stream_is_typed_and_ends_the_stream() {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Part\"}}]}\n\n\
                data: {\"error\":{\"message\":\"Rate limit reached for tokens\",\"type\":\"tokens\",\"code\":\"rate_limit_exceeded\"}}\n\n";
    let mock = Mock::always(Reply::sse(body)).await;
    let o = run(ProviderKind::OpenAiCompatible, &mock).await;
    assert_eq!(o.text(), "Part");
    assert_eq!(o.err().kind(), ErrorKind::RateLimited);
    assert!(o
        .err()
        .to_string()
        .contains("Rate limit reached for tokens"));
}

#[tokio::test]
async fn openai_connection_cut_before_done_is_stream_interrupted() {
    let body = fixture("openai/basic.sse");
    let cut = body.find("data: [DONE]").unwrap();
    let cut = body[..cut].rfind(",\"usage\"").unwrap(); // mid-chunk
    let mock = Mock::always(Reply::sse(&body[..cut])).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.text(), "Hello, wörld — 日本語 🎉 done.");
    assert_eq!(o.err().kind(), ErrorKind::StreamInterrupted);
    assert!(o.usage().is_none());
}

#[tokio::test]
async fn chunked_body_cut_mid_chunk_is_stream_interrupted() {
    let body = fixture("openai/basic.sse");
    let mut chunks = mock::split_events(body.as_bytes());
    chunks.truncate(3);
    let mock = Mock::always(Reply::sse_chunks(chunks).chunked(false)).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.text(), "Hello, wörld");
    assert_eq!(o.err().kind(), ErrorKind::StreamInterrupted);
}

#[tokio::test]
async fn openai_malformed_json_chunk_is_malformed_response_with_excerpt() {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"broken\n\n";
    let mock = Mock::always(Reply::sse(body)).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.text(), "ok");
    let ProviderError::MalformedResponse { excerpt, .. } = o.err() else {
        panic!("{:?}", o.err())
    };
    assert!(excerpt.contains("broken"), "{excerpt}");
}

#[tokio::test]
async fn openai_401_is_auth_with_the_providers_message_and_no_key() {
    let mock = Mock::start(|r: &Recorded| {
        let key = r.header("authorization").unwrap_or_default().trim_start_matches("Bearer ").to_owned();
        Reply::error(
            401,
            &format!(r#"{{"error":{{"message":"Incorrect API key provided: {key}. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}}}"#),
        )
    })
    .await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    let e = o.err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert_eq!(e.status(), Some(401));
    assert!(e.to_string().contains("Incorrect API key provided"));
    assert!(e.to_string().contains("[redacted]"));
}

#[tokio::test]
async fn openai_429_carries_retry_after_ms_over_retry_after() {
    let mock = Mock::always(
        Reply::error(429, r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#)
            .with_header("retry-after", "2")
            .with_header("retry-after-ms", "1500"),
    )
    .await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::RateLimited);
    assert_eq!(o.err().retry_after(), Some(Duration::from_millis(1500)));
    let info = o.err().info();
    assert_eq!(info.retry_after_s, Some(1.5));
    assert_eq!(info.status, Some(429));
}

#[tokio::test]
async fn retry_after_seconds_alone() {
    let mock = Mock::always(Reply::error(429, "slow down").with_header("retry-after", "7")).await;
    let o = run(ProviderKind::OpenAiCompatible, &mock).await;
    assert_eq!(o.err().retry_after(), Some(Duration::from_secs(7)));
    assert!(o.err().to_string().contains("slow down"));
}

#[tokio::test]
async fn http_500_is_server() {
    let mock = Mock::always(Reply::error(
        500,
        r#"{"error":{"message":"The server had an error","type":"server_error"}}"#,
    ))
    .await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::Server);
    assert_eq!(o.err().status(), Some(500));
}

#[tokio::test]
async fn http_404_is_model_not_found() {
    let mock = Mock::always(Reply::error(404, r#"{"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#)).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::ModelNotFound);
}

#[tokio::test]
async fn http_403_is_permission() {
    let mock = Mock::always(Reply::error(
        403,
        r#"{"error":{"message":"not allowed","type":"invalid_request_error"}}"#,
    ))
    .await;
    assert_eq!(
        run(ProviderKind::OpenAi, &mock).await.err().kind(),
        ErrorKind::Permission
    );
}

#[tokio::test]
async fn context_length_400_is_context_length() {
    let mock = Mock::always(Reply::error(400, r#"{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#)).await;
    assert_eq!(
        run(ProviderKind::OpenAi, &mock).await.err().kind(),
        ErrorKind::ContextLength
    );
}

#[tokio::test]
async fn plain_400_is_invalid_request() {
    let mock = Mock::always(Reply::error(400, r#"{"error":{"message":"Unrecognized request argument supplied: foo","type":"invalid_request_error"}}"#)).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::InvalidRequest);
    assert!(o
        .err()
        .to_string()
        .contains("Unrecognized request argument"));
}

#[tokio::test]
async fn content_filter_finish_reason_is_content_filtered() {
    let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"I\"},\"finish_reason\":null}]}\n\n\
                data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n";
    let mock = Mock::always(Reply::sse(body)).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert_eq!(o.text(), "I");
    assert_eq!(o.err().kind(), ErrorKind::ContentFiltered);
}

#[tokio::test]
async fn a_one_megabyte_chunk_arrives_whole() {
    let big = "x".repeat(1 << 20);
    let body = format!(
        "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{big}\"}}}}]}}\n\n\
         data: {{\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"length\"}}]}}\n\ndata: [DONE]\n\n"
    );
    let mock = Mock::always(Reply::sse(&body)).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text().len(), 1 << 20);
    assert_eq!(o.finish(), Some(FinishReason::Length));
}

#[tokio::test]
async fn a_100000_token_answer_streams_completely() {
    let mut body = String::with_capacity(8 << 20);
    for i in 0..100_000 {
        body.push_str(&format!(
            "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"t{} \"}}}}]}}\n\n",
            i % 10
        ));
    }
    body.push_str(
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    );
    body.push_str("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":100000,\"total_tokens\":100003}}\n\ndata: [DONE]\n\n");
    // Realistic reads: 16 KiB at a time.
    let mock = Mock::always(Reply::sse_chunks(every(16 * 1024, &body))).await;
    let o = run(ProviderKind::OpenAi, &mock).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    let deltas = o
        .events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Delta { .. }))
        .count();
    assert_eq!(deltas, 100_000);
    assert_eq!(o.text().len(), 300_000);
    assert_eq!(o.usage().unwrap().output_tokens, 100_000);
}

#[tokio::test]
async fn first_token_timeout_fires_when_nothing_comes() {
    let mock = Mock::always(Reply::sse("").first(Step::Sleep(Duration::from_secs(30)))).await;
    let o = run_with(
        ProviderKind::OpenAi,
        "openai",
        &mock,
        short_timeouts(300, 30_000),
        Params::default(),
    )
    .await;
    assert!(
        matches!(
            o.err(),
            ProviderError::Timeout {
                phase: TimeoutPhase::FirstToken,
                ..
            }
        ),
        "{:?}",
        o.err()
    );
}

/// `reply` read as an OpenAI stream with a 300 ms idle timeout (and a first-token one
/// long enough never to matter).
async fn openai_idle_300ms(reply: Reply) -> Outcome {
    let mock = Mock::always(reply).await;
    run_with(
        ProviderKind::OpenAi,
        "openai",
        &mock,
        short_timeouts(30_000, 300),
        Params::default(),
    )
    .await
}

#[tokio::test]
async fn idle_timeout_fires_between_chunks_and_keeps_partial_text() {
    let mut reply =
        Reply::sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"partial\"}}]}\n\n");
    reply.steps.push(Step::Sleep(Duration::from_secs(30)));
    let o = openai_idle_300ms(reply).await;
    assert_eq!(o.text(), "partial");
    assert!(
        matches!(
            o.err(),
            ProviderError::Timeout {
                phase: TimeoutPhase::Idle,
                ..
            }
        ),
        "{:?}",
        o.err()
    );
}

#[tokio::test]
async fn the_idle_wait_runs_from_the_last_bytes_keep_alives_included() {
    // Idle 300 ms; the answer takes ~1.2 s, never silent for 300 ms: deltas 200 ms
    // apart, then a stretch of comment keep-alives (bytes that complete no event, as
    // OpenRouter sends) 200 ms apart. None of it may time out, and the answer is whole.
    let delta = |t: &str| {
        Step::Bytes(
            format!(
                "data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{t}\"}}}}]}}\n\n"
            )
            .into_bytes(),
        )
    };
    let pause = || Step::Sleep(Duration::from_millis(200));
    let keep_alive = || Step::Bytes(b": OPENROUTER PROCESSING\n\n".to_vec());
    let mut reply = Reply::sse_chunks(Vec::new());
    reply.steps = vec![
        delta("a"),
        pause(),
        delta("b"),
        pause(),
        keep_alive(),
        pause(),
        keep_alive(),
        pause(),
        keep_alive(),
        pause(),
        delta("c"),
        pause(),
        Step::Bytes(b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".to_vec()),
    ];
    let o = openai_idle_300ms(reply).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text(), "abc");
    assert_eq!(o.finish(), Some(FinishReason::Stop));
}

#[tokio::test]
async fn connection_refused_is_network() {
    // Bind then drop: the port is (almost certainly) closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let ep = Endpoint::new(
        "openai",
        ProviderKind::OpenAi,
        &format!("http://127.0.0.1:{port}/v1"),
        Some(KEY),
    );
    let exec = Executor::new(Timeouts::default()).unwrap();
    let mut s = chat_stream(
        exec,
        &ep,
        "m",
        &ChatRequest::prompt("hi"),
        &Params::default(),
    );
    let e = s.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Network);
    assert!(s.next().await.is_none());
}

#[tokio::test]
async fn a_missing_key_is_auth_naming_the_variable_without_a_request() {
    let mut ep = Endpoint::new(
        "openai",
        ProviderKind::OpenAi,
        "http://127.0.0.1:9/v1",
        None,
    );
    ep.needs_key = true;
    ep.key_env = vec!["OPENAI_API_KEY".into()];
    let exec = Executor::new(Timeouts::default()).unwrap();
    let mut s = chat_stream(
        exec,
        &ep,
        "m",
        &ChatRequest::prompt("hi"),
        &Params::default(),
    );
    let e = s.next().await.unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth);
    assert!(e.to_string().contains("OPENAI_API_KEY"));
}

// ---------------------------------------------------------------- Anthropic

#[tokio::test]
async fn anthropic_streams_text_thinking_and_cache_usage() {
    let mock = Mock::always(Reply::sse(&fixture("anthropic/basic.sse"))).await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text(), "Hi from Claude — ünïcode ✓");
    assert_eq!(o.reasoning(), "Two plus two.");
    let u = o.usage().unwrap();
    // input = 12 + 100 (cache write) + 2000 (cache read)
    assert_eq!(
        (u.input_tokens, u.cache_write_tokens, u.cached_input_tokens),
        (2112, 100, 2000)
    );
    assert_eq!(o.finish(), Some(FinishReason::Stop));
    let r = mock.last_request();
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    let b = r.json();
    assert_eq!(b["system"], "Be brief.");
    assert_eq!(b["max_tokens"], 4096);
    assert_eq!(b["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn anthropic_output_tokens_is_the_last_running_total_not_a_sum() {
    let mock = Mock::always(Reply::sse(&fixture("anthropic/basic.sse"))).await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.usage().unwrap().output_tokens, 42);
}

#[tokio::test]
async fn anthropic_overloaded_error_event_mid_stream() {
    let body = fixture("anthropic/basic.sse");
    let cut = body
        .find("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}")
        .unwrap();
    let body = format!(
        "{}event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}}}\n\n",
        &body[..cut]
    );
    let mock = Mock::always(Reply::sse(&body)).await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.text(), "Hi from Claude — ünïcode ✓");
    assert_eq!(o.err().kind(), ErrorKind::Overloaded);
    assert!(o.err().to_string().contains("Overloaded"));
}

#[tokio::test]
async fn anthropic_cut_before_message_stop_is_stream_interrupted() {
    let body = fixture("anthropic/basic.sse");
    let cut = body.find("event: message_stop").unwrap();
    let mock = Mock::always(Reply::sse(&body[..cut])).await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::StreamInterrupted);
    assert_eq!(o.text(), "Hi from Claude — ünïcode ✓");
}

#[tokio::test]
async fn anthropic_529_is_overloaded() {
    let mock = Mock::always(Reply::error(
        529,
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
    ))
    .await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::Overloaded);
    assert_eq!(o.err().status(), Some(529));
}

#[tokio::test]
async fn anthropic_429_rate_limit_with_retry_after() {
    let mock = Mock::always(
        Reply::error(429, r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#)
            .with_header("retry-after", "30"),
    )
    .await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::RateLimited);
    assert_eq!(o.err().retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn anthropic_401_is_auth() {
    let mock = Mock::always(Reply::error(
        401,
        r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
    ))
    .await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::Auth);
    assert!(o.err().to_string().contains("invalid x-api-key"));
}

#[tokio::test]
async fn anthropic_split_at_every_byte() {
    let body = fixture("anthropic/basic.sse");
    let mock = Mock::always(Reply::sse_chunks(every(1, &body))).await;
    let o = run(ProviderKind::Anthropic, &mock).await;
    assert_eq!(o.text(), "Hi from Claude — ünïcode ✓");
    assert_eq!(o.usage().unwrap().output_tokens, 42);
}

// ---------------------------------------------------------------- Gemini

#[tokio::test]
async fn gemini_crlf_events_and_cumulative_usage() {
    let body = fixture("gemini/basic.sse");
    assert!(body.contains("\r\n\r\n"));
    let mock = Mock::always(Reply::sse(&body)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text(), "Gemini says héllo 👋");
    assert_eq!(o.reasoning(), "Thinking about it");
    let u = o.usage().unwrap();
    // output = candidates (7) + thoughts (30); the LAST usageMetadata wins.
    assert_eq!(
        (
            u.input_tokens,
            u.cached_input_tokens,
            u.output_tokens,
            u.reasoning_tokens
        ),
        (8, 4, 37, 30)
    );
    assert_eq!(o.finish(), Some(FinishReason::Stop));
    let r = mock.last_request();
    assert_eq!(
        r.path,
        "/v1beta/models/test-model:streamGenerateContent?alt=sse"
    );
    assert_eq!(r.header("x-goog-api-key"), Some(KEY));
    assert!(!r.path.contains(KEY));
    assert_eq!(
        r.json()["systemInstruction"]["parts"][0]["text"],
        "Be brief."
    );
}

#[tokio::test]
async fn gemini_crlf_split_between_cr_and_lf() {
    let body = fixture("gemini/basic.sse");
    let mut chunks = Vec::new();
    let mut rest = body.as_str();
    while let Some(i) = rest.find('\r') {
        chunks.push(rest.as_bytes()[..=i].to_vec());
        rest = &rest[i + 1..];
    }
    chunks.push(rest.as_bytes().to_vec());
    let mock = Mock::always(Reply::sse_chunks(chunks)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.text(), "Gemini says héllo 👋");
}

#[tokio::test]
async fn gemini_generation_config_maps_parameters() {
    let mock = Mock::always(Reply::sse(&fixture("gemini/basic.sse"))).await;
    let params = Params {
        temperature: Some(0.5),
        top_p: Some(0.9),
        max_tokens: Some(256),
        stop: vec!["END".into()],
        thinking_budget: Some(512),
        ..Params::default()
    };
    run_with(
        ProviderKind::Gemini,
        "gemini",
        &mock,
        Timeouts::default(),
        params,
    )
    .await;
    let gc = mock.last_request().json()["generationConfig"].clone();
    assert_eq!(gc["temperature"], 0.5);
    assert_eq!(gc["topP"], 0.9);
    assert_eq!(gc["maxOutputTokens"], 256);
    assert_eq!(gc["stopSequences"][0], "END");
    assert_eq!(gc["thinkingConfig"]["thinkingBudget"], 512);
}

#[tokio::test]
async fn gemini_close_without_finish_reason_is_stream_interrupted() {
    let body = fixture("gemini/basic.sse");
    let cut = body.rfind("data: ").unwrap();
    let mock = Mock::always(Reply::sse(&body[..cut])).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert_eq!(o.text(), "Gemini ");
    assert_eq!(o.err().kind(), ErrorKind::StreamInterrupted);
}

#[tokio::test]
async fn gemini_bad_key_400_is_auth() {
    let mock = Mock::always(Reply::error(400, r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}"#)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::Auth);
    assert!(o.err().to_string().contains("API key not valid"));
}

#[tokio::test]
async fn gemini_429_retry_info_retry_delay() {
    let mock = Mock::always(Reply::error(429, r#"{"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}"#)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::RateLimited);
    assert_eq!(o.err().retry_after(), Some(Duration::from_secs(12)));
}

#[tokio::test]
async fn gemini_safety_finish_reason_is_content_filtered() {
    let body = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Some\"}],\"role\":\"model\"},\"index\":0}]}\r\n\r\n\
                data: {\"candidates\":[{\"finishReason\":\"SAFETY\",\"index\":0,\"safetyRatings\":[]}]}\r\n\r\n";
    let mock = Mock::always(Reply::sse(body)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert_eq!(o.text(), "Some");
    assert_eq!(o.err().kind(), ErrorKind::ContentFiltered);
}

#[tokio::test]
async fn gemini_blocked_prompt_is_content_filtered() {
    let body = "data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":5}}\r\n\r\n";
    let mock = Mock::always(Reply::sse(body)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert_eq!(o.err().kind(), ErrorKind::ContentFiltered);
    assert!(o.err().to_string().contains("PROHIBITED_CONTENT"));
}

#[tokio::test]
async fn gemini_error_event_mid_stream() {
    let body = "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hal\"}],\"role\":\"model\"},\"index\":0}]}\r\n\r\n\
                data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";
    let mock = Mock::always(Reply::sse(body)).await;
    let o = run(ProviderKind::Gemini, &mock).await;
    assert_eq!(o.text(), "Hal");
    assert_eq!(o.err().kind(), ErrorKind::Overloaded);
}
