//! A target: one model, with its own parameter overrides and, optionally, its own
//! system prompt and conversation (so each column of the playground can hold a prompt
//! variant or its own multi-turn history).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{ChatRequest, Message, Params};

/// One column of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Target {
    /// `provider/model`, as LiteLLM writes it: `openai/gpt-4o`,
    /// `openrouter/meta-llama/llama-3.3-70b-instruct`, or `<custom endpoint>/<model>`.
    pub model: String,
    /// Overrides laid over the request's params.
    #[serde(default)]
    pub params: Params,
    /// This column's system prompt, replacing the request's; a blank one means "no
    /// system prompt" (so a column can drop a shared prompt). Absent: the request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub system: Option<String>,
    /// This column's own conversation, oldest first, replacing the request's: a column
    /// that keeps its own history across turns, or a prompt variant. Absent: the
    /// request's messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub messages: Option<Vec<Message>>,
}

impl Target {
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            params: Params::default(),
            system: None,
            messages: None,
        }
    }

    /// The request this target actually sends (and is counted and priced with):
    /// `base` with this target's system prompt and conversation laid over it. Borrowed
    /// when the target overrides neither, so the common case copies nothing.
    pub fn request_for<'a>(&self, base: &'a ChatRequest) -> Cow<'a, ChatRequest> {
        if self.system.is_none() && self.messages.is_none() {
            return Cow::Borrowed(base);
        }
        let system = match &self.system {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(s.clone()),
            None => base.system.clone(),
        };
        let messages = match &self.messages {
            Some(m) => m.clone(),
            None => base.messages.clone(),
        };
        Cow::Owned(ChatRequest {
            system,
            messages,
            params: base.params.clone(),
        })
    }
}

/// A model id split into its provider prefix and the provider's own model name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelId<'a> {
    pub provider: &'a str,
    pub model: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model id `{0}` is not `provider/model` (e.g. openai/gpt-4o)")]
pub struct ModelIdError(pub String);

impl<'a> ModelId<'a> {
    /// Splits at the first `/`: `openrouter/meta-llama/x` → (`openrouter`, `meta-llama/x`).
    pub fn parse(id: &'a str) -> Result<Self, ModelIdError> {
        match id.split_once('/') {
            Some((p, m)) if !p.is_empty() && !m.is_empty() => Ok(Self {
                provider: p,
                model: m,
            }),
            _ => Err(ModelIdError(id.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_slash() {
        let id = ModelId::parse("openrouter/meta-llama/llama-3.3-70b-instruct").unwrap();
        assert_eq!(id.provider, "openrouter");
        assert_eq!(id.model, "meta-llama/llama-3.3-70b-instruct");
        assert!(ModelId::parse("gpt-4o").is_err());
        assert!(ModelId::parse("openai/").is_err());
    }

    #[test]
    fn a_target_without_overrides_borrows_the_request() {
        let base = ChatRequest {
            system: Some("be brief".into()),
            ..ChatRequest::prompt("hi")
        };
        let eff = Target::new("openai/gpt-4o").request_for(&base);
        assert!(matches!(eff, Cow::Borrowed(_)));
        assert_eq!(*eff, base);
    }

    #[test]
    fn own_system_and_messages_replace_the_requests() {
        let base = ChatRequest {
            system: Some("shared".into()),
            ..ChatRequest::prompt("hi")
        };
        let mut t = Target::new("openai/gpt-4o");
        t.system = Some("mine".into());
        let eff = t.request_for(&base);
        assert_eq!(eff.system.as_deref(), Some("mine"));
        assert_eq!(eff.messages, base.messages);

        t.system = Some("  ".into());
        t.messages = Some(vec![
            Message::user("a"),
            Message::assistant("b"),
            Message::user("c"),
        ]);
        let eff = t.request_for(&base);
        assert_eq!(eff.system, None, "a blank override means no system prompt");
        assert_eq!(eff.messages.len(), 3);
        assert_eq!(eff.params, base.params);
    }

    #[test]
    fn overrides_are_left_out_of_the_json_when_absent() {
        let v = serde_json::to_value(Target::new("a/b")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"model": "a/b", "params": serde_json::to_value(Params::default()).unwrap()})
        );
        let t: Target = serde_json::from_value(serde_json::json!({
            "model": "a/b", "system": "", "messages": [{"role": "user", "content": "x"}]
        }))
        .unwrap();
        assert_eq!(t.system.as_deref(), Some(""));
        assert_eq!(t.messages, Some(vec![Message::user("x")]));
    }
}
