//! Mock providers' answers in each wire format (OpenAI, Anthropic, Gemini), shaped as
//! the real APIs send them, with fixed usage: for the tests that put the router or a
//! gateway in front of mocks. `#[path]`-included beside `mod mock`, which it answers with.

use serde_json::{json, Value};

use crate::mock::{Recorded, Reply};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wire {
    OpenAi,
    Anthropic,
    Gemini,
}

/// Usage every mock reports for an answer (the cost checks price it).
pub const PROMPT_TOKENS: u64 = 11;
pub const COMPLETION_TOKENS: u64 = 7;

/// One chunk of an OpenAI stream.
pub fn openai_chunk(model: &str, delta: Value, finish: Value) -> Value {
    json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1731000000,
        "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

/// `text` as `wire`'s API answers it, in two pieces when streamed (so a stream really
/// is a stream), with the usage above.
pub fn answer(wire: Wire, text: &str, r: &Recorded) -> Reply {
    let body: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    let model = body["model"].as_str().unwrap_or("unknown").to_owned();
    let (a, b) = text.split_at(text.len() / 2);
    match wire {
        Wire::OpenAi if body["stream"] == true => {
            let chunk = |delta: Value, finish: Value| openai_chunk(&model, delta, finish);
            let mut s = String::new();
            for c in [
                chunk(json!({"role": "assistant", "content": ""}), Value::Null),
                chunk(json!({"content": a}), Value::Null),
                chunk(json!({"content": b}), Value::Null),
                chunk(json!({}), json!("stop")),
            ] {
                s.push_str(&format!("data: {c}\n\n"));
            }
            if body["stream_options"]["include_usage"] == true {
                let u = json!({"id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1731000000,
                    "model": model, "choices": [], "usage": {"prompt_tokens": PROMPT_TOKENS,
                    "completion_tokens": COMPLETION_TOKENS, "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}});
                s.push_str(&format!("data: {u}\n\n"));
            }
            s.push_str("data: [DONE]\n\n");
            Reply::sse(&s)
        }
        Wire::OpenAi => Reply::json(
            &json!({"id": "chatcmpl-mock", "object": "chat.completion", "created": 1731000000,
                "model": model, "choices": [{"index": 0, "message": {"role": "assistant",
                "content": text, "refusal": null}, "logprobs": null, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS,
                "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}})
            .to_string(),
        ),
        Wire::Anthropic if body["stream"] == true => {
            let events = [
                (
                    "message_start",
                    json!({"type": "message_start", "message": {"id": "msg_mock",
                    "type": "message", "role": "assistant", "model": model, "content": [],
                    "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": PROMPT_TOKENS,
                    "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1}}}),
                ),
                (
                    "content_block_start",
                    json!({"type": "content_block_start", "index": 0,
                    "content_block": {"type": "text", "text": ""}}),
                ),
                ("ping", json!({"type": "ping"})),
                (
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": a}}),
                ),
                (
                    "content_block_delta",
                    json!({"type": "content_block_delta", "index": 0,
                    "delta": {"type": "text_delta", "text": b}}),
                ),
                (
                    "content_block_stop",
                    json!({"type": "content_block_stop", "index": 0}),
                ),
                (
                    "message_delta",
                    json!({"type": "message_delta", "delta": {"stop_reason": "end_turn",
                    "stop_sequence": null}, "usage": {"output_tokens": COMPLETION_TOKENS}}),
                ),
                ("message_stop", json!({"type": "message_stop"})),
            ];
            let s: String = events
                .iter()
                .map(|(e, d)| format!("event: {e}\ndata: {d}\n\n"))
                .collect();
            Reply::sse(&s)
        }
        Wire::Anthropic => Reply::json(
            &json!({"id": "msg_mock", "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "stop_sequence": null, "usage": {"input_tokens": PROMPT_TOKENS,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                "output_tokens": COMPLETION_TOKENS}})
            .to_string(),
        ),
        Wire::Gemini => {
            let version = r
                .path
                .split("/models/")
                .nth(1)
                .and_then(|m| m.split(':').next())
                .unwrap_or("unknown")
                .to_owned();
            let piece = |t: &str, last: bool, done: u64| {
                let mut cand =
                    json!({"content": {"parts": [{"text": t}], "role": "model"}, "index": 0});
                if last {
                    cand["finishReason"] = json!("STOP");
                }
                json!({"candidates": [cand], "usageMetadata": {"promptTokenCount": PROMPT_TOKENS,
                    "candidatesTokenCount": done, "totalTokenCount": PROMPT_TOKENS + done},
                    "modelVersion": version, "responseId": "mock"})
            };
            if r.path.contains(":streamGenerateContent") {
                // Gemini's SSE: CRLF line endings, no [DONE].
                let s = format!(
                    "data: {}\r\n\r\ndata: {}\r\n\r\n",
                    piece(a, false, 3),
                    piece(b, true, COMPLETION_TOKENS)
                );
                Reply::sse(&s)
            } else {
                Reply::json(&piece(text, true, COMPLETION_TOKENS).to_string())
            }
        }
    }
}

/// `wire`'s API refusing with `status`: a rate limit (with `retry-after: 0`) for 429,
/// a server error otherwise.
pub fn error_reply(wire: Wire, status: u16) -> Reply {
    let reply = match (wire, status) {
        (Wire::OpenAi, 429) => Reply::error(429, r#"{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#)
            .with_header("retry-after", "0"),
        (Wire::OpenAi, s) => Reply::error(s, r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}"#),
        (Wire::Anthropic, 429) => Reply::error(429, r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}"#)
            .with_header("retry-after", "0"),
        (Wire::Anthropic, s) => Reply::error(s, r#"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#),
        (Wire::Gemini, 429) => Reply::error(429, r#"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}"#),
        (Wire::Gemini, s) => Reply::error(s, &format!(r#"{{"error":{{"code":{s},"message":"An internal error has occurred.","status":"INTERNAL"}}}}"#)),
    };
    reply
}

/// What the bundled price catalog charges for the mocks' usage on `deployment`.
pub fn catalog_cost(deployment: &str) -> f64 {
    let usage = switchboard_core::chat::Usage {
        input_tokens: PROMPT_TOKENS,
        output_tokens: COMPLETION_TOKENS,
        ..Default::default()
    };
    let usd = switchboard_core::prices::book::PriceBook::bundled()
        .cost(deployment, &usage, chrono::Utc::now())
        .usd
        .unwrap_or_else(|| panic!("{deployment} is not in the bundled price catalog"));
    usd.to_string().parse().unwrap()
}
