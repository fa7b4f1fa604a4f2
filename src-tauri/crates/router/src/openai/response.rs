//! The answer in OpenAI's format: `chat.completion.chunk` SSE lines written straight
//! into bytes (one buffer per chunk, no intermediate JSON values), and the
//! `chat.completion` object of a non-streamed answer.

use bytes::{BufMut, Bytes, BytesMut};
use rust_decimal::Decimal;
use switchboard_core::chat::{FinishReason, Usage};
use switchboard_core::TargetSummary;

pub(crate) const DONE: &[u8] = b"data: [DONE]\n\n";

/// OpenAI's word for why an answer ended.
pub(crate) fn finish_reason(r: Option<FinishReason>) -> &'static str {
    match r {
        Some(FinishReason::Length) => "length",
        Some(FinishReason::ContentFilter) => "content_filter",
        Some(FinishReason::ToolCalls) => "tool_calls",
        Some(FinishReason::Stop | FinishReason::Other) | None => "stop",
    }
}

/// Writes the chunks of one streamed answer; the part every chunk shares is built once.
pub(crate) struct ChunkWriter {
    /// `data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"choices":`
    head: Bytes,
}

const CHOICE_OPEN: &[u8] = br#"[{"index":0,"delta":{"#;

impl ChunkWriter {
    pub fn new(id: &str, created: u64, model: &str) -> Self {
        let mut b = BytesMut::with_capacity(96 + id.len() + model.len());
        b.put_slice(b"data: {\"id\":");
        escape_into(&mut b, id);
        b.put_slice(b",\"object\":\"chat.completion.chunk\",\"created\":");
        b.put_slice(itoa::Buffer::new().format(created).as_bytes());
        b.put_slice(b",\"model\":");
        escape_into(&mut b, model);
        b.put_slice(b",\"choices\":");
        Self { head: b.freeze() }
    }

    /// The first chunk: `delta: {"role":"assistant","content":""}`.
    pub fn role(&self, out: &mut BytesMut) {
        self.open(out, 64);
        out.put_slice(br#""role":"assistant","content":"""#);
        out.put_slice(b"},\"finish_reason\":null}]}\n\n");
    }

    /// A piece of the answer (`content`) or of its reasoning (`reasoning_content`).
    pub fn text(&self, out: &mut BytesMut, reasoning: bool, text: &str) {
        self.open(out, text.len() + 64);
        out.put_slice(if reasoning {
            b"\"reasoning_content\":".as_slice()
        } else {
            b"\"content\":".as_slice()
        });
        escape_into(out, text);
        out.put_slice(b"},\"finish_reason\":null}]}\n\n");
    }

    pub fn finish(&self, out: &mut BytesMut, reason: &str) {
        self.open(out, 48);
        out.put_slice(b"},\"finish_reason\":\"");
        out.put_slice(reason.as_bytes());
        out.put_slice(b"\"}]}\n\n");
    }

    /// The `include_usage` chunk: no choices, the usage with its cost.
    pub fn usage(&self, out: &mut BytesMut, usage: &Usage, cost: Option<Decimal>) {
        out.reserve(self.head.len() + 256);
        out.put_slice(&self.head);
        out.put_slice(b"[],\"usage\":");
        usage_into(out, usage, cost);
        out.put_slice(b"}\n\n");
    }

    fn open(&self, out: &mut BytesMut, extra: usize) {
        out.reserve(self.head.len() + CHOICE_OPEN.len() + extra);
        out.put_slice(&self.head);
        out.put_slice(CHOICE_OPEN);
    }
}

/// OpenAI's usage object, with `cost` in USD when the answer was priced.
fn usage_into(out: &mut BytesMut, u: &Usage, cost: Option<Decimal>) {
    let mut n = itoa::Buffer::new();
    let mut field = |out: &mut BytesMut, name: &[u8], v: u64| {
        out.put_slice(name);
        out.put_slice(n.format(v).as_bytes());
    };
    field(out, b"{\"prompt_tokens\":", u.input_tokens);
    field(out, b",\"completion_tokens\":", u.output_tokens);
    field(
        out,
        b",\"total_tokens\":",
        u.input_tokens.saturating_add(u.output_tokens),
    );
    field(
        out,
        b",\"prompt_tokens_details\":{\"cached_tokens\":",
        u.cached_input_tokens,
    );
    field(
        out,
        b"},\"completion_tokens_details\":{\"reasoning_tokens\":",
        u.reasoning_tokens,
    );
    out.put_u8(b'}');
    if let Some(c) = cost {
        out.put_slice(b",\"cost\":");
        // A plain decimal (no exponent) is a valid JSON number, exact to the cent's
        // millionth.
        out.put_slice(c.normalize().to_string().as_bytes());
    }
    out.put_u8(b'}');
}

/// The `chat.completion` object of a non-streamed answer.
pub(crate) fn completion(id: &str, created: u64, model: &str, s: &TargetSummary) -> Bytes {
    let mut out = BytesMut::with_capacity(s.text.len() + s.reasoning.len() + 512);
    out.put_slice(b"{\"id\":");
    escape_into(&mut out, id);
    out.put_slice(b",\"object\":\"chat.completion\",\"created\":");
    out.put_slice(itoa::Buffer::new().format(created).as_bytes());
    out.put_slice(b",\"model\":");
    escape_into(&mut out, model);
    out.put_slice(b",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
    escape_into(&mut out, &s.text);
    if !s.reasoning.is_empty() {
        out.put_slice(b",\"reasoning_content\":");
        escape_into(&mut out, &s.reasoning);
    }
    out.put_slice(b",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"");
    out.put_slice(finish_reason(s.finish_reason).as_bytes());
    out.put_slice(b"\"}],\"usage\":");
    usage_into(&mut out, &s.usage, s.cost.usd);
    out.put_u8(b'}');
    out.freeze()
}

/// `s` as a JSON string, quotes included.
pub(crate) fn escape_into(out: &mut BytesMut, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.put_u8(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.put_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.put_slice(b"\\u00");
            out.put_u8(HEX[usize::from(b >> 4)]);
            out.put_u8(HEX[usize::from(b & 0xf)]);
        } else {
            out.put_slice(esc);
        }
        start = i + 1;
    }
    out.put_slice(&bytes[start..]);
    out.put_u8(b'"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn json_of(chunk: &[u8]) -> serde_json::Value {
        let s = std::str::from_utf8(chunk).unwrap();
        let body = s
            .strip_prefix("data: ")
            .unwrap()
            .strip_suffix("\n\n")
            .unwrap();
        serde_json::from_str(body).unwrap()
    }

    #[test]
    fn chunks_are_valid_json_with_escapes() {
        let w = ChunkWriter::new("chatcmpl-1", 7, "openai/gpt-4o");
        let mut b = BytesMut::new();
        w.text(&mut b, false, "a \"q\" \\ \n\u{1} é🎉");
        let v = json_of(&b);
        assert_eq!(
            v["choices"][0]["delta"]["content"],
            "a \"q\" \\ \n\u{1} é🎉"
        );
        assert_eq!(v["model"], "openai/gpt-4o");
        assert_eq!(v["object"], "chat.completion.chunk");
        let mut b = BytesMut::new();
        w.role(&mut b);
        assert_eq!(json_of(&b)["choices"][0]["delta"]["role"], "assistant");
        let mut b = BytesMut::new();
        w.finish(&mut b, "length");
        assert_eq!(json_of(&b)["choices"][0]["finish_reason"], "length");
        let mut b = BytesMut::new();
        let u = Usage {
            input_tokens: 5,
            cached_input_tokens: 2,
            output_tokens: 7,
            reasoning_tokens: 3,
            ..Usage::default()
        };
        w.usage(&mut b, &u, Some("0.000125".parse().unwrap()));
        let v = json_of(&b);
        assert_eq!(v["choices"], serde_json::json!([]));
        assert_eq!(v["usage"]["total_tokens"], 12);
        assert_eq!(v["usage"]["prompt_tokens_details"]["cached_tokens"], 2);
        assert_eq!(
            v["usage"]["completion_tokens_details"]["reasoning_tokens"],
            3
        );
        assert_eq!(v["usage"]["cost"].as_f64(), Some(0.000125));
    }
}
