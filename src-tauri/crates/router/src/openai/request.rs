//! An OpenAI chat-completions request → the core's [`ChatRequest`], refusing (400, the
//! parameter named) whatever the core cannot carry rather than silently dropping it.

use std::fmt;

use axum::extract::{FromRequest, Request};
use axum::http::header;
use bytes::Bytes;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use switchboard_core::chat::{ChatRequest, Message, Params, ReasoningEffort, Role};

use super::ApiError;
use crate::app::AppState;

/// A request body read under the router's size limit; too large → 413 in OpenAI's
/// shape (axum's own rejections are plain text the SDKs cannot show).
pub(crate) struct Body(pub Bytes);

impl FromRequest<AppState> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.settings().max_body_bytes;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(ApiError::too_large(limit));
        }
        match axum::body::to_bytes(req.into_body(), limit).await {
            Ok(b) => Ok(Body(b)),
            Err(e) if is_length_limit(&e) => Err(ApiError::too_large(limit)),
            Err(e) => Err(ApiError::invalid(
                format!("could not read the request body: {e}"),
                None,
            )),
        }
    }
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        src = s.source();
    }
    false
}

/// What the router needs from a request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    /// The `model` the client sent: a setup's alias.
    pub alias: String,
    pub request: ChatRequest,
    pub stream: bool,
    /// `stream_options.include_usage`: a usage chunk before `[DONE]`.
    pub include_usage: bool,
}

#[derive(Deserialize)]
struct Wire {
    model: String,
    messages: Vec<WireMessage>,
    #[serde(default)]
    stream: Option<bool>,
    #[serde(default)]
    stream_options: Option<StreamOptions>,
    #[serde(default)]
    temperature: Option<f64>,
    #[serde(default)]
    top_p: Option<f64>,
    #[serde(default)]
    max_tokens: Option<u32>,
    #[serde(default)]
    max_completion_tokens: Option<u32>,
    #[serde(default)]
    stop: Option<Stop>,
    #[serde(default)]
    seed: Option<i64>,
    #[serde(default)]
    reasoning_effort: Option<String>,
    // What the core cannot carry: refused by name when set.
    #[serde(default)]
    n: Option<u32>,
    #[serde(default)]
    logprobs: Option<bool>,
    #[serde(default)]
    tools: Option<Value>,
    #[serde(default)]
    tool_choice: Option<Value>,
    #[serde(default)]
    functions: Option<Value>,
    #[serde(default)]
    function_call: Option<Value>,
    #[serde(default)]
    response_format: Option<Value>,
    #[serde(default)]
    audio: Option<Value>,
    #[serde(default)]
    modalities: Option<Value>,
    #[serde(default)]
    prediction: Option<Value>,
    #[serde(default)]
    web_search_options: Option<Value>,
}

#[derive(Deserialize)]
struct StreamOptions {
    #[serde(default)]
    include_usage: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Stop {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct WireMessage {
    role: String,
    #[serde(default)]
    content: Content,
    #[serde(default)]
    tool_calls: Option<Value>,
    #[serde(default)]
    function_call: Option<Value>,
}

/// A message's content: a string, an array of parts, or null.
#[derive(Default)]
enum Content {
    #[default]
    Null,
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Deserialize)]
struct Part {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Content;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of content parts")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Content, E> {
                Ok(Content::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Content, E> {
                Ok(Content::Text(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Content, E> {
                Ok(Content::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Content, E> {
                Ok(Content::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Content, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Content, A::Error> {
                let mut parts = Vec::new();
                while let Some(p) = seq.next_element::<Part>()? {
                    parts.push(p);
                }
                Ok(Content::Parts(parts))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses and checks a request body.
pub(crate) fn parse(body: &[u8]) -> Result<Parsed, ApiError> {
    let wire: Wire = serde_json::from_slice(body).map_err(json_error)?;
    refuse_unsupported(&wire)?;
    let mut system: Vec<String> = Vec::new();
    let mut messages = Vec::with_capacity(wire.messages.len());
    for (i, m) in wire.messages.into_iter().enumerate() {
        let at = |field: &str| format!("messages[{i}].{field}");
        let role = match m.role.as_str() {
            "system" | "developer" => None,
            "user" => Some(Role::User),
            "assistant" => Some(Role::Assistant),
            "tool" | "function" => {
                return Err(ApiError::unsupported(format!("{}: {}", at("role"), m.role)))
            }
            other => {
                return Err(ApiError::invalid(
                    format!(
                        "`{other}` is not a message role (system, developer, user or assistant)"
                    ),
                    Some(at("role")),
                ))
            }
        };
        if is_set(&m.tool_calls) {
            return Err(ApiError::unsupported(at("tool_calls")));
        }
        if m.function_call.is_some() {
            return Err(ApiError::unsupported(at("function_call")));
        }
        let text = match m.content {
            Content::Text(t) => t,
            Content::Null if role == Some(Role::Assistant) => String::new(),
            Content::Null => {
                return Err(ApiError::invalid(
                    format!("a {} message needs content", m.role),
                    Some(at("content")),
                ))
            }
            Content::Parts(parts) => {
                let mut text = String::new();
                for (j, p) in parts.into_iter().enumerate() {
                    if p.kind != "text" {
                        return Err(ApiError::unsupported(format!(
                            "{}: {}",
                            at(&format!("content[{j}].type")),
                            p.kind
                        )));
                    }
                    // Parts are one text in order, as the model reads them.
                    text.push_str(p.text.as_deref().unwrap_or_default());
                }
                text
            }
        };
        match role {
            None => system.push(text),
            Some(role) => messages.push(Message {
                role,
                content: text,
            }),
        }
    }
    if messages.is_empty() {
        return Err(ApiError::invalid(
            "`messages` needs at least one user message",
            Some("messages".into()),
        ));
    }
    let reasoning_effort = match wire.reasoning_effort.as_deref() {
        None => None,
        // The core knows three levels; OpenAI's `minimal` is the lowest of them.
        Some("minimal" | "low") => Some(ReasoningEffort::Low),
        Some("medium") => Some(ReasoningEffort::Medium),
        Some("high") => Some(ReasoningEffort::High),
        Some(other) => {
            return Err(ApiError::invalid(
                format!("`{other}` is not a reasoning effort the router knows (minimal, low, medium or high)"),
                Some("reasoning_effort".into()),
            ))
        }
    };
    let params = Params {
        temperature: wire.temperature,
        top_p: wire.top_p,
        max_tokens: wire.max_completion_tokens.or(wire.max_tokens),
        stop: match wire.stop {
            None => Vec::new(),
            Some(Stop::One(s)) => vec![s],
            Some(Stop::Many(v)) => v,
        },
        seed: wire.seed,
        reasoning_effort,
        thinking_budget: None,
    };
    Ok(Parsed {
        alias: wire.model,
        request: ChatRequest {
            system: (!system.is_empty()).then(|| system.join("\n\n")),
            messages,
            params,
        },
        stream: wire.stream.unwrap_or(false),
        include_usage: wire
            .stream_options
            .and_then(|o| o.include_usage)
            .unwrap_or(false),
    })
}

/// A value that asks for something: not null, not an empty array or object.
fn is_set(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

fn refuse_unsupported(w: &Wire) -> Result<(), ApiError> {
    if is_set(&w.tools) {
        return Err(ApiError::unsupported("tools"));
    }
    if is_set(&w.functions) {
        return Err(ApiError::unsupported("functions"));
    }
    // "none" and "auto" without tools ask for nothing.
    let forces = |v: &Option<Value>| match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => s != "none" && s != "auto",
        Some(_) => true,
    };
    if forces(&w.tool_choice) {
        return Err(ApiError::unsupported("tool_choice"));
    }
    if forces(&w.function_call) {
        return Err(ApiError::unsupported("function_call"));
    }
    if w.n.is_some_and(|n| n > 1) {
        return Err(ApiError::unsupported("n"));
    }
    if w.logprobs == Some(true) {
        return Err(ApiError::unsupported("logprobs"));
    }
    if let Some(rf) = &w.response_format {
        let kind = rf.get("type").and_then(Value::as_str);
        if !matches!(rf, Value::Null) && kind != Some("text") {
            return Err(ApiError::unsupported(format!(
                "response_format: {}",
                kind.unwrap_or("?")
            )));
        }
    }
    if is_set(&w.audio) {
        return Err(ApiError::unsupported("audio"));
    }
    if let Some(Value::Array(m)) = &w.modalities {
        if m.iter().any(|x| x.as_str() != Some("text")) {
            return Err(ApiError::unsupported("modalities"));
        }
    }
    if is_set(&w.prediction) {
        return Err(ApiError::unsupported("prediction"));
    }
    if is_set(&w.web_search_options) {
        return Err(ApiError::unsupported("web_search_options"));
    }
    Ok(())
}

/// serde's message, as a 400: unparseable JSON, or the wrong shape (a missing field is
/// named in `param`).
fn json_error(e: serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::invalid(
            format!("We could not parse the JSON body of your request ({e}). Send a JSON object with `model` and `messages`."),
            None,
        ),
        Category::Data => {
            let text = e.to_string();
            let param = text
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
                .map(str::to_owned);
            ApiError::invalid(format!("Invalid request body: {text}."), param)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ok(body: &str) -> Parsed {
        parse(body.as_bytes()).unwrap()
    }

    fn err(body: &str) -> ApiError {
        parse(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn system_and_developer_messages_become_the_system_prompt() {
        let p = ok(r#"{"model":"chat","messages":[
            {"role":"system","content":"Be brief."},
            {"role":"developer","content":[{"type":"text","text":"Use "},{"type":"text","text":"French."}]},
            {"role":"user","content":"hi"},
            {"role":"assistant","content":null},
            {"role":"user","content":[{"type":"text","text":"again"}]}]}"#);
        assert_eq!(
            p.request.system.as_deref(),
            Some("Be brief.\n\nUse French.")
        );
        assert_eq!(p.request.messages.len(), 3);
        assert_eq!(p.request.messages[2].content, "again");
        assert!(!p.stream);
    }

    #[test]
    fn params_map_and_max_completion_tokens_wins() {
        let p = ok(r#"{"model":"m","messages":[{"role":"user","content":"x"}],
            "temperature":0.2,"top_p":0.9,"max_tokens":10,"max_completion_tokens":20,
            "stop":"END","seed":7,"reasoning_effort":"minimal","stream":true,
            "stream_options":{"include_usage":true},"user":"u1","metadata":{"a":"b"},"store":false,
            "n":1,"logprobs":false,"tools":[],"response_format":{"type":"text"}}"#);
        let q = &p.request.params;
        assert_eq!(
            (q.temperature, q.top_p, q.max_tokens),
            (Some(0.2), Some(0.9), Some(20))
        );
        assert_eq!(q.stop, vec!["END"]);
        assert_eq!(q.seed, Some(7));
        assert_eq!(q.reasoning_effort, Some(ReasoningEffort::Low));
        assert!(p.stream && p.include_usage);
    }

    #[test]
    fn what_the_core_cannot_carry_is_refused_by_name() {
        for (body, param) in [
            (
                r#""tools":[{"type":"function","function":{"name":"f"}}]"#,
                "tools",
            ),
            (r#""tool_choice":"required""#, "tool_choice"),
            (r#""n":2"#, "n"),
            (r#""logprobs":true"#, "logprobs"),
            (
                r#""response_format":{"type":"json_object"}"#,
                "response_format: json_object",
            ),
        ] {
            let e = err(&format!(
                r#"{{"model":"m","messages":[{{"role":"user","content":"x"}}],{body}}}"#
            ));
            assert_eq!(e.param.as_deref(), Some(param), "{body}");
            assert!(e
                .message
                .contains("not supported by the Switchboard router yet"));
        }
        let e = err(
            r#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}"#,
        );
        assert_eq!(
            e.param.as_deref(),
            Some("messages[0].content[0].type: image_url")
        );
        let e =
            err(r#"{"model":"m","messages":[{"role":"tool","content":"x","tool_call_id":"1"}]}"#);
        assert_eq!(e.param.as_deref(), Some("messages[0].role: tool"));
    }

    #[test]
    fn shape_errors_name_the_field() {
        let e = err(r#"{"messages":[]}"#);
        assert_eq!(e.param.as_deref(), Some("model"));
        assert!(e.message.contains("missing field `model`"), "{}", e.message);
        let e = err(r#"{"model":"m","messages":[{"role":"system","content":"x"}]}"#);
        assert_eq!(e.param.as_deref(), Some("messages"));
        let e = err("{not json");
        assert!(e.message.starts_with("We could not parse the JSON body"));
    }
}
