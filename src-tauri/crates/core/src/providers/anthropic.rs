//! Anthropic Messages.
//!
//! Quirks handled here (PROVIDERS.md):
//! - `max_tokens` is required (4096 when unset; raised above the thinking budget);
//!   `system` is a top-level field, not a message; no seed;
//! - with thinking on, `temperature`/`top_p` are not allowed, so they are dropped;
//! - `message_start` carries input usage (cache reads and writes reported apart:
//!   normalized input = input + cache_creation + cache_read);
//! - `message_delta.usage.output_tokens` is a running TOTAL: the last one wins;
//! - `thinking_delta` is reasoning, kept apart; `signature_delta`/`input_json_delta`
//!   are ignored; `ping` may come anywhere;
//! - an `error` event (e.g. `overloaded_error`) may arrive mid-stream;
//! - the stream ends with `message_stop`; without it the answer was cut.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{finish, parse_event, text_event, with_key, Endpoint, ResolvedRequest, Text};
use crate::chat::{ChatEvent, Role, Usage, UsageSource};
use crate::error::ProviderError;
use crate::http::{classify_error, HttpRequestSpec};
use crate::sse::SseEvent;

pub const API_VERSION: &str = "2023-06-01";
/// `max_tokens` sent when the user set none (Anthropic requires one).
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

pub fn build_request(req: &ResolvedRequest<'_>, ep: &Endpoint) -> HttpRequestSpec {
    let p = &req.params;
    let thinking = p.effective_thinking_budget();
    let max_tokens = match (p.max_tokens, thinking) {
        (Some(m), Some(b)) if m <= b => b + m,
        (Some(m), _) => m,
        (None, Some(b)) => b + DEFAULT_MAX_TOKENS,
        (None, None) => DEFAULT_MAX_TOKENS,
    };
    let messages: Vec<Value> = req
        .request
        .messages
        .iter()
        .map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            json!({"role": role, "content": m.content})
        })
        .collect();
    let mut body = Map::new();
    body.insert("model".into(), json!(req.model));
    body.insert("max_tokens".into(), json!(max_tokens));
    if let Some(system) = &req.request.system {
        body.insert("system".into(), json!(system));
    }
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(req.stream));
    if let Some(budget) = thinking {
        body.insert(
            "thinking".into(),
            json!({"type": "enabled", "budget_tokens": budget}),
        );
    } else {
        if let Some(t) = p.temperature {
            body.insert("temperature".into(), json!(t));
        }
        if let Some(t) = p.top_p {
            body.insert("top_p".into(), json!(t));
        }
    }
    if !p.stop.is_empty() {
        body.insert("stop_sequences".into(), json!(p.stop));
    }
    let mut spec =
        HttpRequestSpec::post(format!("{}/v1/messages", ep.base_url), Value::Object(body))
            .header("anthropic-version", API_VERSION)
            .header("accept", super::accept(req.stream));
    spec = with_key(spec, ep);
    spec
}

/// A whole `message` (unknown fields are ignored).
#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    content: Option<Vec<Block<'a>>>,
    #[serde(borrow)]
    stop_reason: Option<Text<'a>>,
    usage: Option<WireUsage>,
}

/// A non-streamed answer as the events its stream would have given: the text and
/// thinking blocks in order, the usage (normalized as in a stream), the stop reason.
pub fn complete_events(body: &str) -> Vec<Result<ChatEvent, ProviderError>> {
    let m: Message<'_> = match parse_event(body) {
        Ok(m) => m,
        Err(e) => return vec![Err(e)],
    };
    if m.kind.as_ref().is_some_and(|k| k.0 == "error") {
        return vec![Err(classify_error(None, body, None))];
    }
    let Some(content) = m.content else {
        return vec![Err(ProviderError::malformed(
            "the message has no `content`",
            body,
        ))];
    };
    let mut out: Vec<_> = content.into_iter().filter_map(Block::text_event).collect();
    if let Some(u) = m.usage {
        let mut p = AnthropicParser::default();
        p.take_usage(u);
        out.push(Ok(ChatEvent::Usage(Usage {
            source: UsageSource::Reported,
            ..p.usage
        })));
    }
    out.push(finish(
        m.stop_reason.map(|r| r.0.into_owned()),
        "stop_reason",
    ));
    out
}

#[derive(Debug, Default)]
pub struct AnthropicParser {
    usage: Usage,
    saw_usage: bool,
    stop_reason: Option<String>,
    done: bool,
}

/// One event's data, read flat with `type` as a plain field. (A serde-tagged enum
/// buffers every event into serde's intermediate `Content` before reading it; with
/// twice as many events per MB as the other formats, that cost Anthropic a third of
/// its parse speed.) `ping`, `content_block_stop` and future types are ignored, and so
/// are unknown fields.
#[derive(Deserialize)]
struct Event<'a> {
    #[serde(borrow, rename = "type")]
    kind: Text<'a>,
    message: Option<StartMessage>,
    #[serde(borrow)]
    content_block: Option<Block<'a>>,
    #[serde(borrow)]
    delta: Option<Block<'a>>,
    usage: Option<WireUsage>,
}

/// A `content_block` (a block may open with text already in it), a block's `delta`
/// (`text_delta`, `thinking_delta`; `signature_delta`, `input_json_delta` and the like
/// carry no answer text), or `message_delta`'s `delta` with the stop reason.
#[derive(Deserialize)]
struct Block<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Text<'a>>,
    #[serde(borrow)]
    text: Option<Text<'a>>,
    #[serde(borrow)]
    thinking: Option<Text<'a>>,
    #[serde(borrow)]
    stop_reason: Option<Text<'a>>,
}

impl<'a> Block<'a> {
    /// The block's answer or reasoning text as an event, if it is a text or thinking block.
    fn text_event(self) -> Option<Result<ChatEvent, ProviderError>> {
        match self.kind.as_ref().map(|k| &*k.0) {
            Some("text" | "text_delta") => text_event(self.text, false),
            Some("thinking" | "thinking_delta") => text_event(self.thinking, true),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct StartMessage {
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireUsage {
    input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    /// The cache writes split by TTL (`ephemeral_5m_input_tokens`, `ephemeral_1h_input_tokens`).
    cache_creation: Option<CacheCreation>,
}

#[derive(Deserialize)]
struct CacheCreation {
    ephemeral_1h_input_tokens: Option<u64>,
}

impl AnthropicParser {
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Takes every usage field present; later values replace earlier ones (running totals).
    fn take_usage(&mut self, u: WireUsage) {
        self.saw_usage = true;
        let (input, write, read) = (
            u.input_tokens,
            u.cache_creation_input_tokens,
            u.cache_read_input_tokens,
        );
        if input.is_some() || write.is_some() || read.is_some() {
            // Keep fields not repeated in this message.
            let prev_write = self.usage.cache_write_tokens;
            let prev_read = self.usage.cached_input_tokens;
            let prev_base = self
                .usage
                .input_tokens
                .saturating_sub(prev_write + prev_read);
            let base = input.unwrap_or(prev_base);
            let write = write.unwrap_or(prev_write);
            let read = read.unwrap_or(prev_read);
            self.usage.input_tokens = base + write + read;
            self.usage.cache_write_tokens = write;
            self.usage.cached_input_tokens = read;
        }
        if let Some(h) = u.cache_creation.and_then(|c| c.ephemeral_1h_input_tokens) {
            self.usage.cache_write_1h_tokens = h;
        }
        if let Some(o) = u.output_tokens {
            self.usage.output_tokens = o;
        }
    }

    pub fn on_event(&mut self, ev: &SseEvent) -> Vec<Result<ChatEvent, ProviderError>> {
        let data = ev.data.trim();
        if self.done || data.is_empty() {
            return Vec::new();
        }
        let event: Event<'_> = match parse_event(data) {
            Ok(e) => e,
            Err(e) => return vec![Err(e)],
        };
        match &*event.kind.0 {
            "message_start" => {
                if let Some(u) = event.message.and_then(|m| m.usage) {
                    self.take_usage(u);
                }
                Vec::new()
            }
            "content_block_start" => event
                .content_block
                .and_then(Block::text_event)
                .into_iter()
                .collect(),
            "content_block_delta" => event
                .delta
                .and_then(Block::text_event)
                .into_iter()
                .collect(),
            "message_delta" => {
                if let Some(r) = event.delta.and_then(|d| d.stop_reason) {
                    self.stop_reason = Some(r.0.into_owned());
                }
                if let Some(u) = event.usage {
                    self.take_usage(u);
                }
                Vec::new()
            }
            "message_stop" => {
                self.done = true;
                let mut out = Vec::new();
                if self.saw_usage {
                    out.push(Ok(ChatEvent::Usage(Usage {
                        source: UsageSource::Reported,
                        ..self.usage.clone()
                    })));
                }
                out.push(finish(self.stop_reason.take(), "stop_reason"));
                out
            }
            "error" => {
                self.done = true;
                vec![Err(classify_error(None, data, None))]
            }
            _ => Vec::new(),
        }
    }

    pub fn on_end(&mut self) -> Vec<Result<ChatEvent, ProviderError>> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        vec![Err(ProviderError::StreamInterrupted {
            message: "the connection closed before `message_stop`".into(),
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{ChatRequest, Params};
    use crate::providers::ProviderKind;

    fn build(params: Params) -> HttpRequestSpec {
        let req = ChatRequest {
            system: Some("sys".into()),
            ..ChatRequest::prompt("hi")
        };
        let ep = Endpoint::new("anthropic", ProviderKind::Anthropic, "http://h", Some("ak"));
        build_request(
            &ResolvedRequest {
                request: &req,
                model: "claude-x",
                params,
                stream: true,
            },
            &ep,
        )
    }

    #[test]
    fn max_tokens_is_always_sent_and_system_is_top_level() {
        let spec = build(Params::default());
        let b = spec.body.clone().unwrap();
        assert_eq!(b["max_tokens"], DEFAULT_MAX_TOKENS);
        assert_eq!(b["system"], "sys");
        assert_eq!(b["messages"].as_array().unwrap().len(), 1);
        assert_eq!(spec.url, "http://h/v1/messages");
        assert_eq!(spec.secrets(), vec!["ak".to_owned()]);
    }

    #[test]
    fn thinking_budget_drops_temperature_and_raises_max_tokens() {
        let b = build(Params {
            temperature: Some(0.3),
            max_tokens: Some(1000),
            thinking_budget: Some(2048),
            stop: vec!["END".into()],
            ..Params::default()
        })
        .body
        .unwrap();
        assert_eq!(b["thinking"]["budget_tokens"], 2048);
        assert!(b.get("temperature").is_none());
        assert_eq!(b["max_tokens"], 3048);
        assert_eq!(b["stop_sequences"][0], "END");
    }

    #[test]
    fn output_tokens_is_a_running_total_the_last_one_wins() {
        let mut p = AnthropicParser::default();
        let evs = [
            (
                "message_start",
                r#"{"type":"message_start","message":{"usage":{"input_tokens":10,"cache_creation_input_tokens":3,"cache_read_input_tokens":5,"cache_creation":{"ephemeral_5m_input_tokens":1,"ephemeral_1h_input_tokens":2},"output_tokens":1}}}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":null},"usage":{"output_tokens":7}}"#,
            ),
            (
                "message_delta",
                r#"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}}"#,
            ),
            ("message_stop", r#"{"type":"message_stop"}"#),
        ];
        let mut out = Vec::new();
        for (e, d) in evs {
            out.extend(p.on_event(&SseEvent {
                event: e.into(),
                data: d.into(),
            }));
        }
        let ChatEvent::Usage(u) = out[0].as_ref().unwrap() else {
            panic!()
        };
        assert_eq!(u.output_tokens, 12);
        assert_eq!(u.input_tokens, 18);
        assert_eq!(u.cached_input_tokens, 5);
        assert_eq!(u.cache_write_tokens, 3);
        assert_eq!(u.cache_write_1h_tokens, 2);
    }

    #[test]
    fn ping_and_unknown_event_types_are_ignored() {
        let mut p = AnthropicParser::default();
        for d in [
            r#"{"type":"ping"}"#,
            r#"{"type":"future_event","data":[1]}"#,
            r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}"#,
        ] {
            assert!(p.on_event(&SseEvent::data(d)).is_empty(), "{d}");
        }
    }

    #[test]
    fn a_whole_message_gives_the_events_of_its_stream() {
        let req = ChatRequest::prompt("hi");
        let ep = Endpoint::new("anthropic", ProviderKind::Anthropic, "http://h", Some("ak"));
        let spec = build_request(
            &ResolvedRequest {
                request: &req,
                model: "claude-x",
                params: Params::default(),
                stream: false,
            },
            &ep,
        );
        assert_eq!(spec.body.as_ref().unwrap()["stream"], false);
        let body = r#"{"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"thinking","thinking":"Let me think.","signature":"EqQB"},{"type":"text","text":"Hello"},{"type":"tool_use","id":"t","name":"x","input":{}},{"type":"text","text":" there."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":100,"cache_read_input_tokens":200,"cache_creation":{"ephemeral_5m_input_tokens":60,"ephemeral_1h_input_tokens":40},"output_tokens":25,"service_tier":"standard"}}"#;
        let evs: Vec<ChatEvent> = complete_events(body)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            evs[..3],
            [
                ChatEvent::Reasoning {
                    text: "Let me think.".into()
                },
                ChatEvent::Delta {
                    text: "Hello".into()
                },
                ChatEvent::Delta {
                    text: " there.".into()
                },
            ]
        );
        let ChatEvent::Usage(u) = &evs[3] else {
            panic!("{evs:?}")
        };
        // input EXCLUDES cache reads and writes: the whole prompt is 10 + 100 + 200.
        assert_eq!(
            (
                u.input_tokens,
                u.cache_write_tokens,
                u.cache_write_1h_tokens,
                u.cached_input_tokens,
                u.output_tokens
            ),
            (310, 100, 40, 200, 25)
        );
        assert_eq!(
            evs[4],
            ChatEvent::Finished {
                finish_reason: crate::chat::FinishReason::Stop,
                raw: Some("end_turn".into())
            }
        );
    }

    #[test]
    fn a_whole_message_that_is_an_error_is_an_error() {
        let err = complete_events(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        );
        assert!(matches!(err[..], [Err(_)]), "{err:?}");
        let err = complete_events(r#"{"type":"message"}"#);
        assert!(
            matches!(err[..], [Err(ProviderError::MalformedResponse { .. })]),
            "{err:?}"
        );
    }
}
