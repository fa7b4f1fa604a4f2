//! A chat request, before it is translated for one provider.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Params;

/// Who said a message. The system prompt is not a message (Anthropic and Gemini keep it
/// apart); it lives in [`ChatRequest::system`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// What is sent to every target of a comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct ChatRequest {
    /// The system prompt, if any.
    #[serde(default)]
    pub system: Option<String>,
    /// The conversation, oldest first, ending with the user's prompt.
    pub messages: Vec<Message>,
    /// Defaults for every target; a target's own params override them field by field.
    #[serde(default)]
    pub params: Params,
}

impl ChatRequest {
    /// A one-turn request.
    pub fn prompt(text: impl Into<String>) -> Self {
        Self {
            system: None,
            messages: vec![Message::user(text)],
            params: Params::default(),
        }
    }
}
