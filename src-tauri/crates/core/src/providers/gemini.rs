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

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{content_filtered, parse_event, text_event, with_key, Endpoint, ResolvedRequest, Text};
use crate::chat::{ChatEvent, FinishReason, Role, Usage, UsageSource};
use crate::error::ProviderError;
use crate::http::{classify_error, HttpRequestSpec};
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
    let method = if req.stream {
        "streamGenerateContent?alt=sse"
    } else {
        "generateContent"
    };
    let url = format!("{}/v1beta/{}:{method}", ep.base_url, model_path(req.model));
    let mut spec =
        HttpRequestSpec::post(url, Value::Object(body)).header("accept", super::accept(req.stream));
    spec = with_key(spec, ep);
    spec
}

/// A non-streamed answer (`generateContent`): the same object as one stream chunk,
/// read as a stream of that one chunk that then closed.
pub fn complete_events(body: &str) -> Vec<Result<ChatEvent, ProviderError>> {
    let mut p = GeminiParser::default();
    let mut out = p.on_event(&SseEvent::data(body));
    // After an error the parser has failed, and its end adds nothing.
    out.extend(p.on_end());
    out
}

#[derive(Debug, Default)]
pub struct GeminiParser {
    usage: Option<Usage>,
    finish: Option<String>,
    failed: bool,
}

/// One `data:` chunk (unknown fields are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Chunk<'a> {
    #[serde(borrow)]
    candidates: Option<Vec<Candidate<'a>>>,
    usage_metadata: Option<UsageMetadata>,
    #[serde(borrow)]
    prompt_feedback: Option<PromptFeedback<'a>>,
    error: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate<'a> {
    #[serde(borrow)]
    content: Option<Content<'a>>,
    #[serde(borrow)]
    finish_reason: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct Content<'a> {
    #[serde(borrow)]
    parts: Option<Vec<Part<'a>>>,
}

#[derive(Deserialize)]
struct Part<'a> {
    #[serde(borrow)]
    text: Option<Text<'a>>,
    thought: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback<'a> {
    #[serde(borrow)]
    block_reason: Option<Text<'a>>,
}

/// A (cumulative) `usageMetadata`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    prompt_token_count: Option<u64>,
    cached_content_token_count: Option<u64>,
    candidates_token_count: Option<u64>,
    thoughts_token_count: Option<u64>,
}

impl From<UsageMetadata> for Usage {
    fn from(m: UsageMetadata) -> Self {
        let thoughts = m.thoughts_token_count.unwrap_or(0);
        Usage {
            input_tokens: m.prompt_token_count.unwrap_or(0),
            cached_input_tokens: m.cached_content_token_count.unwrap_or(0),
            cache_write_tokens: 0,
            cache_write_1h_tokens: 0,
            output_tokens: m.candidates_token_count.unwrap_or(0) + thoughts,
            reasoning_tokens: thoughts,
            source: UsageSource::Reported,
            cost_usd: None,
        }
    }
}

impl GeminiParser {
    pub fn on_event(&mut self, ev: &SseEvent) -> Vec<Result<ChatEvent, ProviderError>> {
        let data = ev.data.trim();
        if self.failed || data.is_empty() {
            return Vec::new();
        }
        let chunk: Chunk<'_> = match parse_event(data) {
            Ok(c) => c,
            Err(e) => {
                self.failed = true;
                return vec![Err(e)];
            }
        };
        if chunk.error.is_some() {
            self.failed = true;
            return vec![Err(classify_error(None, data, None))];
        }
        if let Some(reason) = chunk.prompt_feedback.and_then(|f| f.block_reason) {
            self.failed = true;
            return vec![Err(ProviderError::ContentFiltered {
                status: None,
                message: format!("the prompt was blocked (blockReason: {})", reason.0),
            })];
        }
        if let Some(m) = chunk.usage_metadata {
            self.usage = Some(m.into());
        }
        let mut out = Vec::new();
        if let Some(c) = chunk.candidates.into_iter().flatten().next() {
            for part in c.content.and_then(|c| c.parts).into_iter().flatten() {
                out.extend(text_event(part.text, part.thought == Some(true)));
            }
            if let Some(Text(f)) = c.finish_reason {
                if FinishReason::from_provider(&f) == FinishReason::ContentFilter {
                    self.failed = true;
                    out.push(Err(content_filtered("finishReason", &f)));
                    return out;
                }
                self.finish = Some(f.into_owned());
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
                stream: true,
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

    #[test]
    fn a_whole_answer_comes_from_generate_content() {
        let req = ChatRequest::prompt("hi");
        let ep = Endpoint::new("gemini", ProviderKind::Gemini, "http://h", Some("gk"));
        let spec = build_request(
            &ResolvedRequest {
                request: &req,
                model: "gemini-2.5-flash",
                params: Params::default(),
                stream: false,
            },
            &ep,
        );
        assert_eq!(
            spec.url,
            "http://h/v1beta/models/gemini-2.5-flash:generateContent"
        );
        let body = "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \"Thinking…\",\n            \"thought\": true\n          },\n          {\n            \"text\": \"Bonjour.\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      \"finishReason\": \"STOP\",\n      \"index\": 0\n    }\n  ],\n  \"usageMetadata\": {\n    \"promptTokenCount\": 8,\n    \"candidatesTokenCount\": 3,\n    \"totalTokenCount\": 31,\n    \"thoughtsTokenCount\": 20\n  },\n  \"modelVersion\": \"gemini-2.5-flash\"\n}\n";
        let evs: Vec<ChatEvent> = complete_events(body)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            evs[..2],
            [
                ChatEvent::Reasoning {
                    text: "Thinking…".into()
                },
                ChatEvent::Delta {
                    text: "Bonjour.".into()
                },
            ]
        );
        let ChatEvent::Usage(u) = &evs[2] else {
            panic!("{evs:?}")
        };
        assert_eq!(
            (u.input_tokens, u.output_tokens, u.reasoning_tokens),
            (8, 23, 20)
        );
        assert_eq!(
            evs[3],
            ChatEvent::Finished {
                finish_reason: FinishReason::Stop,
                raw: Some("STOP".into())
            }
        );
        let blocked = complete_events(
            r#"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5}}"#,
        );
        assert!(
            matches!(blocked[..], [Err(ProviderError::ContentFiltered { .. })]),
            "{blocked:?}"
        );
    }
}
