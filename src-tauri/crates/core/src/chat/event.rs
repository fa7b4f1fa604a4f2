//! The one event vocabulary every provider stream is translated into.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Usage;

/// Why an answer ended, normalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// A natural end or a stop sequence (`stop`, `end_turn`, `STOP`, `stop_sequence`).
    Stop,
    /// The output token limit (`length`, `max_tokens`, `MAX_TOKENS`).
    Length,
    /// The model asked to call a tool.
    ToolCalls,
    /// A safety filter ended it (reported as a `content_filtered` error as well).
    ContentFilter,
    /// Anything else; the provider's word is in `raw`.
    Other,
}

/// One thing that happened in a provider's stream.
///
/// Order for a healthy answer: `started`, then `delta`/`reasoning` events, then at most
/// one `usage` (only when the provider reported one), then `finished`. A failed stream
/// ends with one `error` instead, after whatever text had arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChatEvent {
    /// The provider accepted the request and its stream began.
    Started,
    /// A piece of the answer.
    Delta { text: String },
    /// A piece of reasoning/thinking text, kept apart from the answer.
    Reasoning { text: String },
    /// The provider's final token counts.
    Usage(Usage),
    /// The answer ended normally.
    Finished {
        finish_reason: FinishReason,
        /// The provider's own finish reason (`end_turn`, `STOP`, …).
        raw: Option<String>,
    },
}

impl FinishReason {
    /// Normalizes any provider's finish/stop reason.
    pub fn from_provider(raw: &str) -> Self {
        match raw {
            "stop" | "end_turn" | "stop_sequence" | "STOP" | "eos" | "pause_turn" => Self::Stop,
            "length" | "max_tokens" | "MAX_TOKENS" | "model_length" => Self::Length,
            "tool_calls" | "tool_use" | "function_call" => Self::ToolCalls,
            "content_filter" | "refusal" | "SAFETY" | "RECITATION" | "BLOCKLIST"
            | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => Self::ContentFilter,
            _ => Self::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_by_event() {
        let v = serde_json::to_value(ChatEvent::Delta { text: "hi".into() }).unwrap();
        assert_eq!(v, serde_json::json!({"event": "delta", "text": "hi"}));
        let v = serde_json::to_value(ChatEvent::Usage(Usage::default())).unwrap();
        assert_eq!(v["event"], "usage");
        assert_eq!(v["output_tokens"], 0);
    }

    #[test]
    fn finish_reasons_normalize() {
        assert_eq!(FinishReason::from_provider("end_turn"), FinishReason::Stop);
        assert_eq!(
            FinishReason::from_provider("MAX_TOKENS"),
            FinishReason::Length
        );
        assert_eq!(
            FinishReason::from_provider("SAFETY"),
            FinishReason::ContentFilter
        );
        assert_eq!(FinishReason::from_provider("weird"), FinishReason::Other);
    }
}
