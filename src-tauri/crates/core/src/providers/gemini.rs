//! Google Gemini (AI Studio), `streamGenerateContent?alt=sse`.
//!
//! Quirks handled here (PROVIDERS.md):
//! - the key goes in `x-goog-api-key` (never in the URL, where it would reach logs);
//! - `systemInstruction` and `generationConfig` (camelCase) carry the system prompt and
//!   parameters; roles are `user`/`model`;
//! - events are `data:` lines with CRLF line ends and no `[DONE]`: the stream is complete
//!   when a candidate carried a `finishReason` and the connection closed;
//! - `usageMetadata` is cumulative: the last one holds the totals;
//!   `candidatesTokenCount` EXCLUDES `thoughtsTokenCount` (output = both);
//!   `promptTokenCount` INCLUDES `cachedContentTokenCount`;
//! - parts with `thought: true` are reasoning;
//! - a blocked prompt is `promptFeedback.blockReason`, a blocked answer
//!   `finishReason: "SAFETY"` (and friends): both are `content_filtered`.

use secrecy::ExposeSecret;
use secrecy::SecretString;
use serde_json::{json, Map, Value};

use super::{Endpoint, ResolvedRequest};
use crate::chat::{ChatEvent, FinishReason, Role, Usage, UsageSource};
use crate::error::ProviderError;
use crate::http::{classify_error_value, HttpRequestSpec};
use crate::sse::SseEvent;

/// `gemini-2.5-flash` or `models/gemini-2.5-flash` → `models/gemini-2.5-flash`.
fn model_path(model: &str) -> String {
    if model.starts_with("models/") || model.starts_with("tunedModels/") {
        model.to_owned()
    } else {
        format!("models/{model}")
    }
}

pub fn build_request(req: &ResolvedRequest<'_>, ep: &Endpoint) -> HttpRequestSpec {
    let p = &req.params;
    let contents: Vec<Value> = req
        .request
        .messages
        .iter()
        .map(|m| {
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "model",
            };
            json!({"role": role, "parts": [{"text": m.content}]})
        })
        .collect();
    let mut body = Map::new();
    body.insert("contents".into(), Value::Array(contents));
    if let Some(system) = &req.request.system {
        body.insert(
            "systemInstruction".into(),
            json!({"parts": [{"text": system}]}),
        );
    }
    let mut gc = Map::new();
    if let Some(t) = p.temperature {
        gc.insert("temperature".into(), json!(t));
    }
    if let Some(t) = p.top_p {
        gc.insert("topP".into(), json!(t));
    }
    if let Some(m) = p.max_tokens {
        gc.insert("maxOutputTokens".into(), json!(m));
    }
    if !p.stop.is_empty() {
        gc.insert("stopSequences".into(), json!(p.stop));
    }
    if let Some(s) = p.seed {
        gc.insert("seed".into(), json!(s));
    }
    if let Some(b) = p.effective_thinking_budget() {
        gc.insert(
            "thinkingConfig".into(),
            json!({"thinkingBudget": b, "includeThoughts": true}),
        );
    }
    if !gc.is_empty() {
        body.insert("generationConfig".into(), Value::Object(gc));
    }
    let url = format!(
        "{}/v1beta/{}:streamGenerateContent?alt=sse",
        ep.base_url,
        model_path(req.model)
    );
    let mut spec =
        HttpRequestSpec::post(url, Value::Object(body)).header("accept", "text/event-stream");
    if let Some(key) = &ep.api_key {
        spec = spec.secret_header(
            "x-goog-api-key",
            SecretString::from(key.expose_secret().to_owned()),
        );
    }
    spec
}

#[derive(Debug, Default)]
pub struct GeminiParser {
    usage: Option<Usage>,
    finish: Option<String>,
    failed: bool,
}

fn n(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

/// Reads a (cumulative) `usageMetadata`.
pub fn parse_usage(m: &Value) -> Usage {
    let thoughts = n(m, "thoughtsTokenCount");
    Usage {
        input_tokens: n(m, "promptTokenCount"),
        cached_input_tokens: n(m, "cachedContentTokenCount"),
        cache_write_tokens: 0,
        output_tokens: n(m, "candidatesTokenCount") + thoughts,
        reasoning_tokens: thoughts,
        source: UsageSource::Reported,
        cost_usd: None,
    }
}

impl GeminiParser {
    pub fn on_event(&mut self, ev: &SseEvent) -> Vec<Result<ChatEvent, ProviderError>> {
        if self.failed {
            return Vec::new();
        }
        let data = ev.data.trim();
        if data.is_empty() {
            return Vec::new();
        }
        let v: Value = match serde_json::from_str(data) {
            Ok(v) => v,
            Err(e) => {
                self.failed = true;
                return vec![Err(ProviderError::malformed(
                    format!("a chunk is not JSON ({e})"),
                    data,
                ))];
            }
        };
        if v.get("error").is_some_and(Value::is_object) {
            self.failed = true;
            return vec![Err(classify_error_value(None, Some(&v), data, None))];
        }
        if let Some(reason) = v
            .get("promptFeedback")
            .and_then(|f| f.get("blockReason"))
            .and_then(Value::as_str)
        {
            self.failed = true;
            return vec![Err(ProviderError::ContentFiltered {
                status: None,
                message: format!("the prompt was blocked (blockReason: {reason})"),
            })];
        }
        if let Some(m) = v.get("usageMetadata").filter(|m| m.is_object()) {
            self.usage = Some(parse_usage(m));
        }
        let mut out = Vec::new();
        if let Some(c) = v
            .get("candidates")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
        {
            if let Some(parts) = c
                .get("content")
                .and_then(|c| c.get("parts"))
                .and_then(Value::as_array)
            {
                for part in parts {
                    if let Some(t) = part.get("text").and_then(Value::as_str) {
                        if t.is_empty() {
                            continue;
                        }
                        let text = t.to_owned();
                        if part.get("thought").and_then(Value::as_bool) == Some(true) {
                            out.push(Ok(ChatEvent::Reasoning { text }));
                        } else {
                            out.push(Ok(ChatEvent::Delta { text }));
                        }
                    }
                }
            }
            if let Some(f) = c.get("finishReason").and_then(Value::as_str) {
                if FinishReason::from_provider(f) == FinishReason::ContentFilter {
                    self.failed = true;
                    out.push(Err(ProviderError::ContentFiltered {
                        status: None,
                        message: format!("the answer was blocked (finishReason: {f})"),
                    }));
                    return out;
                }
                self.finish = Some(f.to_owned());
            }
        }
        out
    }

    /// Gemini has no end marker: a stream that closed after a `finishReason` is whole.
    pub fn on_end(&mut self) -> Vec<Result<ChatEvent, ProviderError>> {
        if self.failed {
            return Vec::new();
        }
        self.failed = true;
        match self.finish.take() {
            Some(raw) => {
                let mut out = Vec::new();
                if let Some(u) = self.usage.take() {
                    out.push(Ok(ChatEvent::Usage(u)));
                }
                out.push(Ok(ChatEvent::Finished {
                    finish_reason: FinishReason::from_provider(&raw),
                    raw: Some(raw),
                }));
                out
            }
            None => vec![Err(ProviderError::StreamInterrupted {
                message: "the connection closed before a candidate carried a finishReason".into(),
            })],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{ChatRequest, Params};
    use crate::providers::ProviderKind;

    #[test]
    fn system_instruction_and_generation_config() {
        let req = ChatRequest {
            system: Some("sys".into()),
            messages: vec![
                crate::chat::Message::user("a"),
                crate::chat::Message::assistant("b"),
            ],
            ..ChatRequest::default()
        };
        let ep = Endpoint::new("gemini", ProviderKind::Gemini, "http://h", Some("gk"));
        let params = Params {
            temperature: Some(0.1),
            max_tokens: Some(9),
            thinking_budget: Some(100),
            ..Params::default()
        };
        let spec = build_request(
            &ResolvedRequest {
                request: &req,
                model: "gemini-2.5-flash",
                params,
            },
            &ep,
        );
        assert_eq!(
            spec.url,
            "http://h/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        );
        let b = spec.body.unwrap();
        assert_eq!(b["systemInstruction"]["parts"][0]["text"], "sys");
        assert_eq!(b["contents"][1]["role"], "model");
        assert_eq!(b["generationConfig"]["maxOutputTokens"], 9);
        assert_eq!(
            b["generationConfig"]["thinkingConfig"]["thinkingBudget"],
            100
        );
        assert!(!spec.url.contains("gk"));
    }

    #[test]
    fn usage_is_cumulative_and_thoughts_count_as_output() {
        let mut p = GeminiParser::default();
        p.on_event(&SseEvent::data(r#"{"candidates":[{"content":{"parts":[{"text":"hm","thought":true}]}}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1}}"#));
        p.on_event(&SseEvent::data(r#"{"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"cachedContentTokenCount":2,"candidatesTokenCount":3,"thoughtsTokenCount":4}}"#));
        let out = p.on_end();
        let ChatEvent::Usage(u) = out[0].as_ref().unwrap() else {
            panic!()
        };
        assert_eq!(
            (
                u.input_tokens,
                u.cached_input_tokens,
                u.output_tokens,
                u.reasoning_tokens
            ),
            (5, 2, 7, 4)
        );
    }
}
