//! OpenAI Chat Completions, and every OpenAI-compatible server.
//!
//! Quirks handled here (PROVIDERS.md):
//! - usage comes in a stream only with `stream_options.include_usage`, in an extra chunk
//!   with `choices: []` just before `data: [DONE]`; a local server may send none;
//! - reasoning text arrives as `delta.reasoning_content` (DeepSeek, llama.cpp) or
//!   `delta.reasoning` (OpenRouter), kept apart from the answer;
//! - reasoning models (o1/o3/o4, gpt-5) take `max_completion_tokens` and no `temperature`;
//! - OpenRouter sends comment lines (framing drops them) and reports `usage.cost`;
//! - some servers send an error inside the stream as `data: {"error":{…}}`;
//! - the stream ends with `data: [DONE]`; without it the answer was cut.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{
    finish, parse_event, text_event, with_key, Endpoint, ProviderKind, ResolvedRequest, Text,
};
use crate::chat::{ChatEvent, Role, Usage, UsageSource};
use crate::error::ProviderError;
use crate::http::{classify_error, HttpRequestSpec};
use crate::sse::SseEvent;

/// Models that reject `temperature`/`top_p` and want `max_completion_tokens`.
pub fn is_reasoning_model(model: &str) -> bool {
    let m = model.rsplit('/').next().unwrap_or(model);
    ["o1", "o3", "o4", "gpt-5"]
        .iter()
        .any(|p| m == *p || m.starts_with(&format!("{p}-")))
}

pub fn build_request(req: &ResolvedRequest<'_>, ep: &Endpoint) -> HttpRequestSpec {
    let p = &req.params;
    let mut messages = Vec::with_capacity(req.request.messages.len() + 1);
    if let Some(system) = &req.request.system {
        messages.push(json!({"role": "system", "content": system}));
    }
    for m in &req.request.messages {
        let role = match m.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        messages.push(json!({"role": role, "content": m.content}));
    }
    let mut body = Map::new();
    body.insert("model".into(), json!(req.model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(req.stream));
    if req.stream && ep.include_usage {
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    let openrouter = ep.provider == "openrouter";
    let reasoning_model = ep.kind == ProviderKind::OpenAi && is_reasoning_model(req.model);
    if !reasoning_model {
        if let Some(t) = p.temperature {
            body.insert("temperature".into(), json!(t));
        }
        if let Some(t) = p.top_p {
            body.insert("top_p".into(), json!(t));
        }
    }
    if let Some(n) = p.max_tokens {
        let key = if reasoning_model {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body.insert(key.into(), json!(n));
    }
    if !p.stop.is_empty() {
        body.insert("stop".into(), json!(p.stop));
    }
    if let Some(seed) = p.seed {
        body.insert("seed".into(), json!(seed));
    }
    if openrouter {
        let mut r = Map::new();
        if let Some(e) = p.reasoning_effort {
            r.insert("effort".into(), json!(e.as_str()));
        } else if let Some(b) = p.thinking_budget {
            r.insert("max_tokens".into(), json!(b));
        }
        if !r.is_empty() {
            body.insert("reasoning".into(), Value::Object(r));
        }
    } else if let Some(e) = p.reasoning_effort {
        body.insert("reasoning_effort".into(), json!(e.as_str()));
    }
    let mut spec = HttpRequestSpec::post(
        format!("{}/chat/completions", ep.base_url),
        Value::Object(body),
    )
    .header("accept", super::accept(req.stream));
    spec = with_key(spec, ep);
    spec
}

/// A whole `chat.completion` (unknown fields are ignored).
#[derive(Deserialize)]
struct Completion<'a> {
    #[serde(borrow)]
    choices: Option<Vec<CompletionChoice<'a>>>,
    usage: Option<WireUsage>,
    error: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct CompletionChoice<'a> {
    index: Option<u64>,
    /// The same fields as a stream's `delta`.
    #[serde(borrow)]
    message: Option<Delta<'a>>,
    #[serde(borrow)]
    finish_reason: Option<Text<'a>>,
}

/// A non-streamed answer as the events its stream would have given.
pub fn complete_events(body: &str) -> Vec<Result<ChatEvent, ProviderError>> {
    let c: Completion<'_> = match parse_event(body) {
        Ok(c) => c,
        Err(e) => return vec![Err(e)],
    };
    if c.error.is_some() {
        return vec![Err(classify_error(None, body, None))];
    }
    let Some(choice) = c
        .choices
        .into_iter()
        .flatten()
        .find(|c| c.index.unwrap_or(0) == 0)
    else {
        return vec![Err(ProviderError::malformed(
            "the completion has no `choices`",
            body,
        ))];
    };
    let mut out = Vec::new();
    if let Some(m) = choice.message {
        out.extend(text_event(m.reasoning_content, true));
        out.extend(text_event(m.reasoning, true));
        out.extend(text_event(m.content, false));
    }
    if let Some(u) = c.usage {
        out.push(Ok(ChatEvent::Usage(u.into())));
    }
    out.push(finish(
        choice.finish_reason.map(|f| f.0.into_owned()),
        "finish_reason",
    ));
    out
}

/// Stream state: the finish reason and usage are held until `[DONE]` so that `usage`
/// always precedes `finished`.
#[derive(Debug, Default)]
pub struct OpenAiParser {
    finish: Option<String>,
    usage: Option<Usage>,
    done: bool,
}

/// One `data:` chunk (unknown fields are ignored).
#[derive(Deserialize)]
struct Chunk<'a> {
    #[serde(borrow)]
    choices: Option<Vec<Choice<'a>>>,
    usage: Option<WireUsage>,
    error: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Choice<'a> {
    index: Option<u64>,
    #[serde(borrow)]
    delta: Option<Delta<'a>>,
    #[serde(borrow)]
    finish_reason: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Delta<'a> {
    #[serde(borrow)]
    reasoning_content: Option<Text<'a>>,
    #[serde(borrow)]
    reasoning: Option<Text<'a>>,
    #[serde(borrow)]
    content: Option<Text<'a>>,
}

/// An OpenAI-format `usage` object (OpenRouter's `cost` included).
#[derive(Deserialize)]
struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    prompt_tokens_details: Option<Details>,
    completion_tokens_details: Option<Details>,
    /// A number or a string; kept as `Value` so its text becomes an exact decimal.
    cost: Option<Value>,
    /// DeepSeek's cache hits, at the top level instead of in `prompt_tokens_details`.
    prompt_cache_hit_tokens: Option<u64>,
}

#[derive(Default, Deserialize)]
struct Details {
    cached_tokens: Option<u64>,
    cache_write_tokens: Option<u64>,
    reasoning_tokens: Option<u64>,
}

/// `0.000123` or `1.23e-4` as an exact decimal.
fn parse_decimal(s: &str) -> Option<Decimal> {
    s.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
        .map(|d| d.normalize())
}

impl From<WireUsage> for Usage {
    fn from(w: WireUsage) -> Self {
        let cost = match w.cost {
            Some(Value::Number(n)) => {
                parse_decimal(&n.to_string()).or_else(|| n.as_f64().and_then(Decimal::from_f64))
            }
            Some(Value::String(s)) => parse_decimal(&s),
            _ => None,
        };
        let p = w.prompt_tokens_details.unwrap_or_default();
        let c = w.completion_tokens_details.unwrap_or_default();
        Usage {
            input_tokens: w.prompt_tokens.unwrap_or(0),
            cached_input_tokens: p.cached_tokens.or(w.prompt_cache_hit_tokens).unwrap_or(0),
            cache_write_tokens: p.cache_write_tokens.unwrap_or(0),
            cache_write_1h_tokens: 0,
            output_tokens: w.completion_tokens.unwrap_or(0),
            reasoning_tokens: c.reasoning_tokens.unwrap_or(0),
            source: UsageSource::Reported,
            cost_usd: cost,
        }
    }
}

impl OpenAiParser {
    pub fn is_done(&self) -> bool {
        self.done
    }

    pub fn on_event(&mut self, ev: &SseEvent) -> Vec<Result<ChatEvent, ProviderError>> {
        let data = ev.data.trim();
        if self.done || data.is_empty() {
            return Vec::new();
        }
        if data == "[DONE]" {
            self.done = true;
            return self.finish_events();
        }
        let chunk: Chunk<'_> = match parse_event(data) {
            Ok(c) => c,
            Err(e) => return vec![Err(e)],
        };
        if chunk.error.is_some() {
            return vec![Err(classify_error(None, data, None))];
        }
        let mut out = Vec::new();
        // Objects without `choices` (keep-alives, vendor metadata) carry nothing for us.
        for c in chunk.choices.into_iter().flatten() {
            if c.index.unwrap_or(0) != 0 {
                continue;
            }
            if let Some(d) = c.delta {
                out.extend(text_event(d.reasoning_content, true));
                out.extend(text_event(d.reasoning, true));
                out.extend(text_event(d.content, false));
            }
            if let Some(f) = c.finish_reason {
                self.finish = Some(f.0.into_owned());
            }
        }
        if let Some(u) = chunk.usage {
            self.usage = Some(u.into());
        }
        out
    }

    fn finish_events(&mut self) -> Vec<Result<ChatEvent, ProviderError>> {
        let mut out = Vec::new();
        if let Some(u) = self.usage.take() {
            out.push(Ok(ChatEvent::Usage(u)));
        }
        out.push(finish(self.finish.take(), "finish_reason"));
        out
    }

    pub fn on_end(&mut self) -> Vec<Result<ChatEvent, ProviderError>> {
        if self.done {
            return Vec::new();
        }
        self.done = true;
        vec![Err(ProviderError::StreamInterrupted {
            message: "the connection closed before `data: [DONE]`".into(),
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{ChatRequest, FinishReason, Params};

    fn ep(kind: ProviderKind, provider: &str) -> Endpoint {
        Endpoint::new(provider, kind, "http://h/v1", Some("sk-test"))
    }

    fn body(model: &str, params: Params, e: &Endpoint) -> Value {
        let req = ChatRequest {
            system: Some("be brief".into()),
            ..ChatRequest::prompt("hi")
        };
        let r = ResolvedRequest {
            request: &req,
            model,
            params,
            stream: true,
        };
        build_request(&r, e).body.unwrap()
    }

    #[test]
    fn include_usage_is_requested_with_stream_true() {
        let b = body(
            "gpt-4o",
            Params::default(),
            &ep(ProviderKind::OpenAi, "openai"),
        );
        assert_eq!(b["stream"], true);
        assert_eq!(b["stream_options"]["include_usage"], true);
        assert_eq!(b["messages"][0]["role"], "system");
        assert_eq!(b["messages"][1]["content"], "hi");
    }

    #[test]
    fn reasoning_models_take_max_completion_tokens_and_no_temperature() {
        let p = Params {
            temperature: Some(0.2),
            max_tokens: Some(50),
            reasoning_effort: Some(crate::chat::ReasoningEffort::High),
            ..Params::default()
        };
        let b = body("o3-mini", p.clone(), &ep(ProviderKind::OpenAi, "openai"));
        assert!(b.get("temperature").is_none());
        assert_eq!(b["max_completion_tokens"], 50);
        assert!(b.get("max_tokens").is_none());
        assert_eq!(b["reasoning_effort"], "high");
        let b = body("gpt-4o", p, &ep(ProviderKind::OpenAi, "openai"));
        assert_eq!(b["temperature"], 0.2);
        assert_eq!(b["max_tokens"], 50);
    }

    #[test]
    fn openrouter_reasoning_is_an_object() {
        let p = Params {
            thinking_budget: Some(2000),
            ..Params::default()
        };
        let b = body("x/y", p, &ep(ProviderKind::OpenAiCompatible, "openrouter"));
        assert_eq!(b["reasoning"]["max_tokens"], 2000);
    }

    #[test]
    fn the_key_is_a_bearer_secret_header() {
        let req = ChatRequest::prompt("hi");
        let e = ep(ProviderKind::OpenAi, "openai");
        let r = ResolvedRequest {
            request: &req,
            model: "m",
            params: Params::default(),
            stream: true,
        };
        let spec = build_request(&r, &e);
        assert_eq!(spec.url, "http://h/v1/chat/completions");
        assert_eq!(spec.secrets(), vec!["sk-test".to_owned()]);
    }

    #[test]
    fn usage_arrives_before_finished_even_though_it_is_sent_after_finish_reason() {
        let mut p = OpenAiParser::default();
        let mut out = Vec::new();
        for d in [
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":2}}}"#,
            "[DONE]",
        ] {
            out.extend(
                p.on_event(&SseEvent::data(d))
                    .into_iter()
                    .map(Result::unwrap),
            );
        }
        assert_eq!(out[0], ChatEvent::Delta { text: "Hi".into() });
        let ChatEvent::Usage(u) = &out[1] else {
            panic!("{out:?}")
        };
        assert_eq!(
            (
                u.input_tokens,
                u.cached_input_tokens,
                u.output_tokens,
                u.reasoning_tokens
            ),
            (10, 4, 5, 2)
        );
        assert!(matches!(
            out[2],
            ChatEvent::Finished {
                finish_reason: FinishReason::Stop,
                ..
            }
        ));
        assert!(p.on_end().is_empty());
    }

    #[test]
    fn openrouter_cost_is_kept_as_a_decimal() {
        let w: WireUsage =
            serde_json::from_str(r#"{"prompt_tokens":1,"completion_tokens":2,"cost":0.000123}"#)
                .unwrap();
        let u = Usage::from(w);
        assert_eq!(u.cost_usd.unwrap().to_string(), "0.000123");
    }

    #[test]
    fn deepseek_cache_hits_count_as_cached_input() {
        let w: WireUsage = serde_json::from_str(
            r#"{"prompt_tokens":100,"completion_tokens":2,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36}"#,
        )
        .unwrap();
        let u = Usage::from(w);
        assert_eq!((u.input_tokens, u.cached_input_tokens), (100, 64));
    }

    #[test]
    fn reasoning_content_and_reasoning_are_kept_apart() {
        let mut p = OpenAiParser::default();
        let a = p.on_event(&SseEvent::data(
            r#"{"choices":[{"index":0,"delta":{"reasoning_content":"think"}}]}"#,
        ));
        let b = p.on_event(&SseEvent::data(
            r#"{"choices":[{"index":0,"delta":{"reasoning":"more"}}]}"#,
        ));
        assert_eq!(
            a[0].as_ref().unwrap(),
            &ChatEvent::Reasoning {
                text: "think".into()
            }
        );
        assert_eq!(
            b[0].as_ref().unwrap(),
            &ChatEvent::Reasoning {
                text: "more".into()
            }
        );
    }

    #[test]
    fn no_done_marker_is_stream_interrupted() {
        let mut p = OpenAiParser::default();
        let e = p.on_end();
        assert_eq!(
            e[0].as_ref().unwrap_err().kind(),
            crate::error::ErrorKind::StreamInterrupted
        );
    }

    #[test]
    fn a_whole_completion_gives_the_events_of_its_stream() {
        let e = ep(ProviderKind::OpenAi, "openai");
        let req = ChatRequest::prompt("hi");
        let r = ResolvedRequest {
            request: &req,
            model: "gpt-4o",
            params: Params::default(),
            stream: false,
        };
        let spec = build_request(&r, &e);
        let b = spec.body.as_ref().unwrap();
        assert_eq!(b["stream"], false);
        // `stream_options` without `stream: true` is a 400 at OpenAI.
        assert!(b.get("stream_options").is_none());
        let body = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1731000000,"model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","reasoning_content":"The capital…","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":30,"total_tokens":42,"prompt_tokens_details":{"cached_tokens":4},"completion_tokens_details":{"reasoning_tokens":20}}}"#;
        let evs: Vec<ChatEvent> = complete_events(body)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            evs[..2],
            [
                ChatEvent::Reasoning {
                    text: "The capital…".into()
                },
                ChatEvent::Delta {
                    text: "Paris.".into()
                },
            ]
        );
        let ChatEvent::Usage(u) = &evs[2] else {
            panic!("{evs:?}")
        };
        assert_eq!(
            (
                u.input_tokens,
                u.cached_input_tokens,
                u.output_tokens,
                u.reasoning_tokens
            ),
            (12, 4, 30, 20)
        );
        assert_eq!(
            evs[3],
            ChatEvent::Finished {
                finish_reason: FinishReason::Stop,
                raw: Some("stop".into())
            }
        );
    }

    #[test]
    fn a_whole_completion_that_is_an_error_or_not_json_is_an_error() {
        let err =
            complete_events(r#"{"error":{"message":"model overloaded","type":"server_error"}}"#);
        assert!(matches!(err[..], [Err(_)]), "{err:?}");
        let err = complete_events("<html>bad gateway</html>");
        assert!(
            matches!(err[..], [Err(ProviderError::MalformedResponse { .. })]),
            "{err:?}"
        );
        let err = complete_events(r#"{"id":"x","choices":[]}"#);
        assert!(
            matches!(err[..], [Err(ProviderError::MalformedResponse { .. })]),
            "{err:?}"
        );
        let filtered = complete_events(
            r#"{"choices":[{"index":0,"message":{"content":"Part"},"finish_reason":"content_filter"}]}"#,
        );
        assert!(matches!(filtered[0], Ok(ChatEvent::Delta { .. })));
        assert!(
            matches!(filtered[1], Err(ProviderError::ContentFiltered { .. })),
            "{filtered:?}"
        );
    }
}
