//! Every provider's stream, through the router, comes out in OpenAI's format: the
//! right text, reasoning and finish reason, the usage chunk (with its cost) when
//! asked for, and the non-streamed completion with its headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use support::mock::{Mock, Reply};
use support::*;
use switchboard_core::setups::SetupTarget;
use switchboard_core::TargetStatus;

async fn stream_of(r: &Router, body: Value) -> (reqwest::Response, Vec<Value>) {
    let resp = r.post(&body).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("text/event-stream")
    );
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    assert!(text.ends_with("data: [DONE]\n\n"), "{text}");
    let chunks = sse_data(&text);
    // Rebuild a response-like holder for the headers.
    let mut fake = http_response();
    *fake.headers_mut() = headers;
    (reqwest::Response::from(fake), chunks)
}

fn http_response() -> axum::http::Response<String> {
    axum::http::Response::new(String::new())
}

/// A router serving `alias` as `model`, whose provider replays its `basic.sse` fixture.
async fn basic(alias: &str, model: &str) -> (Mock, Router) {
    let provider = model.split('/').next().unwrap();
    serving(
        alias,
        model,
        Reply::sse(&fixture(&format!("{provider}/basic.sse"))),
    )
    .await
}

fn with_usage(alias: &str) -> Value {
    let mut b = chat_body(alias, "hi", true);
    b["stream_options"] = json!({"include_usage": true});
    b
}

#[tokio::test]
async fn openai_stream_with_include_usage_ends_with_a_priced_usage_chunk() {
    let (_up, r) = basic("chat", "openai/gpt-4o").await;
    let (resp, chunks) = stream_of(&r, with_usage("chat")).await;
    assert_eq!(deployment(&resp).as_deref(), Some("openai/gpt-4o"));
    assert_eq!(attempts(&resp).as_deref(), Some("1"));
    assert!(header(&resp, "x-request-id").is_some());
    // First chunk: the role, empty content.
    assert_eq!(
        chunks[0]["choices"][0]["delta"],
        json!({"role": "assistant", "content": ""})
    );
    assert_eq!(chunks[0]["object"], "chat.completion.chunk");
    assert_eq!(chunks[0]["model"], "openai/gpt-4o");
    assert!(chunks[0]["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(joined(&chunks, "content"), "Hello, wörld — 日本語 🎉 done.");
    assert_eq!(finishes(&chunks), ["stop"]);
    let usage_chunk = &chunks[chunks.len() - 2];
    assert_eq!(usage_chunk["choices"], json!([]));
    let u = &usage_chunk["usage"];
    assert_eq!(
        (
            u["prompt_tokens"].as_u64(),
            u["completion_tokens"].as_u64(),
            u["total_tokens"].as_u64()
        ),
        (Some(23), Some(9), Some(32))
    );
    assert_eq!(u["prompt_tokens_details"]["cached_tokens"], 11);
    assert_eq!(u["completion_tokens_details"]["reasoning_tokens"], 0);
    let cost = u["cost"].as_f64().unwrap();
    assert!(cost > 0.0 && cost < 0.01, "{cost}");
    // The call is recorded with the same cost.
    let rec = &r.log.wait(1).await[0];
    assert_eq!(rec.alias, "chat");
    assert_eq!(rec.deployment.as_deref(), Some("openai/gpt-4o"));
    assert_eq!((rec.attempts, rec.http_status, rec.stream), (1, 200, true));
    assert_eq!(rec.client.as_deref(), Some("router-tests/1"));
    assert_eq!(rec.summary.status, TargetStatus::Ok);
    assert_eq!(rec.summary.text, "Hello, wörld — 日本語 🎉 done.");
    let usd: f64 = rec.summary.cost.usd.unwrap().to_string().parse().unwrap();
    assert!((usd - cost).abs() < 1e-12);
    assert_eq!(rec.request.messages[0].content, "hi");
}

#[tokio::test]
async fn without_include_usage_there_is_no_usage_chunk() {
    let (_up, r) = basic("chat", "openai/gpt-4o").await;
    let (_resp, chunks) = stream_of(&r, chat_body("chat", "hi", true)).await;
    assert!(
        chunks.iter().all(|c| c.get("usage").is_none()),
        "{chunks:?}"
    );
    assert_eq!(chunks.last().unwrap(), "[DONE]");
    assert_eq!(joined(&chunks, "content"), "Hello, wörld — 日本語 🎉 done.");
}

#[tokio::test]
async fn anthropic_stream_comes_out_as_openai_chunks_with_reasoning_content() {
    let (up, r) = basic("claude", "anthropic/claude-sonnet-4-5").await;
    let (resp, chunks) = stream_of(&r, with_usage("claude")).await;
    assert_eq!(
        deployment(&resp).as_deref(),
        Some("anthropic/claude-sonnet-4-5")
    );
    assert_eq!(joined(&chunks, "content"), "Hi from Claude — ünïcode ✓");
    assert_eq!(joined(&chunks, "reasoning_content"), "Two plus two.");
    assert_eq!(finishes(&chunks), ["stop"]);
    let u = &chunks[chunks.len() - 2]["usage"];
    // Anthropic's input = its input + cache writes + cache reads.
    assert_eq!(u["prompt_tokens"], 2112);
    assert_eq!(u["prompt_tokens_details"]["cached_tokens"], 2000);
    assert_eq!(u["completion_tokens"], 42);
    assert!(u["cost"].as_f64().unwrap() > 0.0);
    // The upstream got Anthropic's format.
    assert_eq!(up.last_request().path, "/v1/messages");
}

#[tokio::test]
async fn gemini_stream_comes_out_as_openai_chunks() {
    let (up, r) = basic("gem", "gemini/gemini-2.5-flash").await;
    let (_resp, chunks) = stream_of(&r, with_usage("gem")).await;
    assert_eq!(joined(&chunks, "content"), "Gemini says héllo 👋");
    assert_eq!(joined(&chunks, "reasoning_content"), "Thinking about it");
    assert_eq!(finishes(&chunks), ["stop"]);
    let u = &chunks[chunks.len() - 2]["usage"];
    assert_eq!(u["completion_tokens"], 37);
    assert_eq!(u["completion_tokens_details"]["reasoning_tokens"], 30);
    assert!(up
        .last_request()
        .path
        .contains("gemini-2.5-flash:streamGenerateContent"));
}

#[tokio::test]
async fn a_length_finish_is_passed_on() {
    let body = fixture("openai/basic.sse")
        .replace("\"finish_reason\":\"stop\"", "\"finish_reason\":\"length\"");
    let (_up, r) = serving("chat", "openai/gpt-4o", Reply::sse(&body)).await;
    let (_resp, chunks) = stream_of(&r, chat_body("chat", "hi", true)).await;
    assert_eq!(finishes(&chunks), ["length"]);
}

#[tokio::test]
async fn a_non_streamed_answer_is_one_completion_with_usage_cost_and_headers() {
    let (_up, r) = basic("chat", "openai/gpt-4o").await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(deployment(&resp).as_deref(), Some("openai/gpt-4o"));
    assert_eq!(attempts(&resp).as_deref(), Some("1"));
    let cost: Decimal = header(&resp, "x-switchboard-cost")
        .unwrap()
        .parse()
        .unwrap();
    assert!(cost > Decimal::ZERO);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["model"], "openai/gpt-4o");
    assert_eq!(v["choices"][0]["message"]["role"], "assistant");
    assert_eq!(answer(&v), "Hello, wörld — 日本語 🎉 done.");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["usage"]["prompt_tokens"], 23);
    assert_eq!(v["usage"]["total_tokens"], 32);
    assert_eq!(
        v["usage"]["cost"].as_f64().unwrap(),
        cost.to_string().parse::<f64>().unwrap()
    );
    let rec = &r.log.wait(1).await[0];
    assert!(!rec.stream);
    assert_eq!(rec.summary.cost.usd, Some(cost));
}

#[tokio::test]
async fn an_unpriced_model_has_no_cost_header_or_field() {
    let (_up, r) = basic("chat", "openai/no-such-model-zz").await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "x-switchboard-cost").is_none());
    let v: Value = resp.json().await.unwrap();
    assert!(v["usage"].get("cost").is_none(), "{v}");
}

#[tokio::test]
async fn reasoning_content_is_kept_apart_streamed_or_not() {
    let reply = Reply::sse(&fixture("openai/reasoning_content.sse"));
    let (_up, r) = serving("think", "openai/gpt-4o", reply).await;
    let (_resp, chunks) = stream_of(&r, chat_body("think", "2+2?", true)).await;
    assert_eq!(joined(&chunks, "reasoning_content"), "Let me think.");
    assert_eq!(joined(&chunks, "content"), "The answer is 4.");
    let v: Value = r
        .post(&chat_body("think", "2+2?", false))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["choices"][0]["message"]["reasoning_content"],
        "Let me think."
    );
    assert_eq!(answer(&v), "The answer is 4.");
    assert_eq!(
        v["usage"]["completion_tokens_details"]["reasoning_tokens"],
        12
    );
}

#[tokio::test]
async fn the_request_reaches_the_provider_with_the_clients_params_over_the_setups() {
    let up = Mock::always(Reply::sse(&fixture("openai/basic.sse"))).await;
    let mut target = SetupTarget::new("openai/gpt-4o");
    target.params.temperature = Some(0.9);
    target.params.max_tokens = Some(100);
    let setup = switchboard_core::setups::Setup::fallback("chat", vec![target]);
    let r = openai_router(&up, setup).await;
    let body = json!({"model": "chat", "temperature": 0.1, "stop": "END", "seed": 3,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]}]});
    assert_eq!(r.post(&body).await.status(), 200);
    let sent = up.last_request().json();
    assert_eq!(sent["model"], "gpt-4o");
    assert_eq!(sent["temperature"], 0.1);
    assert!(
        sent["max_tokens"] == 100 || sent["max_completion_tokens"] == 100,
        "{sent}"
    );
    assert_eq!(sent["seed"], 3);
    // A client that wants the whole answer: so does the upstream request.
    assert_eq!(sent["stream"], false);
    assert!(sent.get("stream_options").is_none(), "{sent}");
    assert_eq!(
        sent["messages"][0],
        json!({"role": "system", "content": "Be brief."})
    );
    assert_eq!(sent["messages"][1]["content"], "hi");
    // The router's token is never forwarded; the provider's key is.
    assert_eq!(support::mock::bearer(&up.last_request()), "sk-up-openai");
}

#[tokio::test]
async fn a_non_streamed_client_gets_each_providers_whole_answer_asked_whole() {
    // Claude: `stream: false` to /v1/messages; the message's blocks and usage back.
    let (up, r) = basic("claude", "anthropic/claude-sonnet-4-5").await;
    let v: Value = r.ask("claude", false).await.json().await.unwrap();
    assert_eq!(answer(&v), "Hi from Claude — ünïcode ✓");
    assert_eq!(
        v["choices"][0]["message"]["reasoning_content"],
        "Two plus two."
    );
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["usage"]["prompt_tokens"], 2112);
    assert_eq!(v["usage"]["completion_tokens"], 42);
    let sent = up.last_request();
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.json()["stream"], false);
    assert_eq!(sent.header("accept"), Some("application/json"));
    // Gemini: generateContent, not the stream.
    let (up, r) = basic("gem", "gemini/gemini-2.5-flash").await;
    let v: Value = r.ask("gem", false).await.json().await.unwrap();
    assert_eq!(answer(&v), "Gemini says héllo 👋");
    assert_eq!(
        v["choices"][0]["message"]["reasoning_content"],
        "Thinking about it"
    );
    assert_eq!(v["usage"]["completion_tokens"], 37);
    assert!(up
        .last_request()
        .path
        .ends_with("/models/gemini-2.5-flash:generateContent"));
    let rec = &r.log.wait(1).await[0];
    assert_eq!(rec.summary.status, TargetStatus::Ok);
    assert!(rec.summary.cost.usd.is_some_and(|c| c > Decimal::ZERO));
}

#[tokio::test]
async fn a_whole_answer_that_is_not_json_is_a_502_naming_the_deployment() {
    let (_up, r) = serving(
        "chat",
        "openai/gpt-4o",
        Reply::json("<html><body>502 Bad Gateway</body></html>"),
    )
    .await;
    let resp = r.ask("chat", false).await;
    assert_eq!(resp.status(), 502);
    let v: Value = resp.json().await.unwrap();
    assert!(error_message(&v).contains("openai/gpt-4o"), "{v}");
    let rec = &r.log.wait(1).await[0];
    assert_eq!(rec.summary.status, TargetStatus::Error);
}
