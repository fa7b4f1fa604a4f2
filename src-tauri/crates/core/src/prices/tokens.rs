//! Counting tokens ourselves: for answers whose provider sent no usage (a stream cut
//! short) and for estimating a prompt's input tokens before it is sent.
//!
//! OpenAI's tokenizers are public and bundled (tiktoken's `o200k_base` and
//! `cl100k_base`, via `tiktoken-rs`), so OpenAI models are counted exactly. Every other
//! family (Anthropic, Gemini, Mistral, Llama, ...) gets the usual approximation of
//! 4 characters per token: their tokenizers are not public (Anthropic, Gemini) or are
//! not bundled with Switchboard (the open-weight ones).
//!
//! Text is counted as *ordinary* text: a user who types `<|endoftext|>` gets the tokens
//! of those 13 characters, never the special token (and never a panic).

use serde::{Deserialize, Serialize};
use tiktoken_rs::CoreBPE;
use ts_rs::TS;

use crate::chat::{ChatRequest, Message, Role, Usage, UsageSource};

/// Characters per token assumed by [`TokenCounter::Approximate`]: the usual rule of
/// thumb for English text with BPE tokenizers.
const APPROX_CHARS_PER_TOKEN: usize = 4;

/// Chat-format tokens around every message, the system prompt included (OpenAI
/// cookbook, `num_tokens_from_messages`: `<|start|>`, the separator and `<|end|>`).
const TOKENS_PER_MESSAGE: u64 = 3;

/// Tokens priming the reply (`<|start|>assistant<|message|>`), once per request.
const REPLY_PRIMING_TOKENS: u64 = 3;

/// Tokens of a role name (`system`, `user`, `assistant`): one in both tiktoken
/// encodings; used as is by [`TokenCounter::Approximate`].
const APPROX_ROLE_TOKENS: u64 = 1;

/// Largest piece of text handed to the tokenizer at once, in bytes.
///
/// tiktoken's pre-tokenizing regex backtracks, and `tiktoken-rs` unwraps its result:
/// a run of a million spaces or tabs (700 000 still pass) makes `o200k_base` panic
/// (fancy-regex's `RuntimeError(StackOverflow)`). Text is therefore counted in pieces of at most this
/// size, cut where the regex itself would cut (see [`split_point`]), so counts stay
/// exact for real text.
const CHUNK_BYTES: usize = 32 * 1024;

/// Which tokenizer counts a model's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenCounter {
    /// tiktoken `o200k_base`: GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o1/o3/o4, gpt-oss, codex.
    O200kBase,
    /// tiktoken `cl100k_base`: GPT-4 (before 4o) and GPT-3.5.
    Cl100kBase,
    /// `ceil(chars / 4)`: every model whose tokenizer is not public or not bundled
    /// (Anthropic, Gemini, Mistral, Llama, ...). Rough on purpose.
    Approximate,
}

impl TokenCounter {
    /// The tokenizer for a model.
    ///
    /// `provider` is Switchboard's provider id (`openai`, `anthropic`, `gemini`,
    /// `openrouter`, `groq`, `azure`, ... or a custom name), `model` the model id
    /// without the provider prefix (for OpenRouter e.g. `openai/gpt-4o`).
    ///
    /// - OpenAI models (provider `openai` or `azure`, or a model id `openai/...` as
    ///   OpenRouter and Groq name them): `o200k_base` for gpt-4o, gpt-4.1, gpt-4.5,
    ///   gpt-5, o1, o3, o4, chatgpt-*, gpt-oss, codex; `cl100k_base` for the other
    ///   gpt-4 and gpt-3.5; `o200k_base` for any other name (newer models, and Azure
    ///   deployments, which are named by the user).
    /// - A known OpenAI model name served by any other provider (`gpt-oss-120b` on a
    ///   local server, `gpt-4o` behind a proxy) is still counted with its tokenizer.
    /// - Everything else (Anthropic, Gemini, Mistral, Llama, ...) is
    ///   [`Approximate`](Self::Approximate): their tokenizers are not public (Anthropic,
    ///   Gemini) or not bundled, and ~4 characters per token is the usual figure for
    ///   English.
    pub fn for_model(provider: &str, model: &str) -> Self {
        let model = model.trim().to_ascii_lowercase();
        // Fine-tuned OpenAI models: `ft:gpt-4o-mini-2024-07-18:org::id`.
        let model = model.strip_prefix("ft:").unwrap_or(&model);
        let (openai, name) = match model.strip_prefix("openai/") {
            Some(name) => (true, name),
            None => {
                let provider = provider.trim().to_ascii_lowercase();
                (matches!(provider.as_str(), "openai" | "azure"), model)
            }
        };
        match openai_family(name) {
            Some(counter) => counter,
            None if openai => Self::O200kBase,
            None => Self::Approximate,
        }
    }

    /// A human label, e.g. for a tooltip saying how a count was made.
    pub fn label(self) -> &'static str {
        match self {
            Self::O200kBase => "tiktoken o200k_base",
            Self::Cl100kBase => "tiktoken cl100k_base",
            Self::Approximate => "approximation (4 characters per token)",
        }
    }

    /// Tokens of `text`, special-token look-alikes counted as ordinary text.
    ///
    /// The first call with a tiktoken counter loads its BPE table (once per process,
    /// shared by all threads; a few hundred milliseconds for `o200k_base`).
    pub fn count_text(self, text: &str) -> u64 {
        match self {
            Self::O200kBase => count_bpe(tiktoken_rs::o200k_base_singleton(), text),
            Self::Cl100kBase => count_bpe(tiktoken_rs::cl100k_base_singleton(), text),
            Self::Approximate => approximate(text),
        }
    }

    /// Prompt tokens of a whole chat request as the provider would count them.
    ///
    /// The system prompt (when present, even empty: it is sent) and every message count
    /// as messages of the chat format, as in OpenAI's cookbook
    /// (`num_tokens_from_messages`): 3 tokens of framing per message, plus its role
    /// name (1 token: `system`, `user`, `assistant`), plus its content; then 3 tokens
    /// priming the reply. [`Approximate`](Self::Approximate) uses the same overhead
    /// with `ceil(chars / 4)` for each content.
    pub fn count_request(self, req: &ChatRequest) -> u64 {
        let system = req
            .system
            .as_deref()
            .map_or(0, |s| self.count_message("system", s));
        let messages: u64 = req.messages.iter().map(|m| self.count_chat(m)).sum();
        system + messages + REPLY_PRIMING_TOKENS
    }

    fn count_chat(self, message: &Message) -> u64 {
        let role = match message.role {
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        self.count_message(role, &message.content)
    }

    fn count_message(self, role: &str, content: &str) -> u64 {
        let role_tokens = match self {
            Self::Approximate => APPROX_ROLE_TOKENS,
            _ => self.count_text(role),
        };
        TOKENS_PER_MESSAGE + role_tokens + self.count_text(content)
    }
}

/// Usage estimated when no usage came back: input from
/// [`TokenCounter::count_request`], output = answer text + reasoning (reasoning is part
/// of the output, as in [`Usage`]), marked [`UsageSource::Estimated`].
pub fn estimate_usage(
    provider: &str,
    model: &str,
    req: &ChatRequest,
    text: &str,
    reasoning: &str,
) -> Usage {
    TokenCounter::for_model(provider, model).estimate_usage(req, text, reasoning)
}

impl TokenCounter {
    /// [`estimate_usage`] with this counter.
    pub fn estimate_usage(self, req: &ChatRequest, text: &str, reasoning: &str) -> Usage {
        let reasoning_tokens = self.count_text(reasoning);
        Usage {
            input_tokens: self.count_request(req),
            output_tokens: self.count_text(text) + reasoning_tokens,
            reasoning_tokens,
            source: UsageSource::Estimated,
            ..Usage::default()
        }
    }
}

/// The tiktoken encoding of an OpenAI model name, if it is a known family.
fn openai_family(name: &str) -> Option<TokenCounter> {
    // Order matters: "gpt-4" is a prefix of "gpt-4o", "gpt-4.1" and "gpt-4.5".
    const O200K_PREFIXES: &[&str] = &[
        "gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "chatgpt-", "gpt-oss", "codex",
    ];
    const O_SERIES: &[&str] = &["o1", "o3", "o4"];
    const CL100K_PREFIXES: &[&str] = &["gpt-4", "gpt-3.5", "gpt-35"];

    let o_series = O_SERIES
        .iter()
        .any(|p| name == *p || name.strip_prefix(p).is_some_and(|r| r.starts_with('-')));
    if o_series || O200K_PREFIXES.iter().any(|p| name.starts_with(p)) {
        Some(TokenCounter::O200kBase)
    } else if CL100K_PREFIXES.iter().any(|p| name.starts_with(p)) {
        Some(TokenCounter::Cl100kBase)
    } else {
        None
    }
}

fn approximate(text: &str) -> u64 {
    text.chars().count().div_ceil(APPROX_CHARS_PER_TOKEN) as u64
}

fn count_bpe(bpe: &CoreBPE, text: &str) -> u64 {
    let mut rest = text;
    let mut tokens = 0u64;
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(split_point(rest));
        tokens += bpe.encode_ordinary(chunk).len() as u64;
        rest = tail;
    }
    tokens
}

/// Where to end the next piece of `text` (> 0, on a char boundary): all of it when
/// short, else the last space after a non-whitespace character within
/// [`CHUNK_BYTES`].
///
/// tiktoken's regexes (cl100k and o200k) always start a new pre-token there: no
/// pattern matches a non-whitespace character followed by a space or tab (punctuation
/// only takes trailing `\r`, `\n`, `/`), and a chunk ending in non-whitespace leaves no
/// `\s+$` or `\s+(?!\S)` to the cut. Counting the pieces apart thus gives exactly the
/// count of the whole. Text without such a space in 32 KiB (a huge run of blanks or of
/// one character) is cut anywhere, off by a token or so per cut.
fn split_point(text: &str) -> usize {
    if text.len() <= CHUNK_BYTES {
        return text.len();
    }
    let window = text.as_bytes().get(..CHUNK_BYTES).unwrap_or_default();
    let clean = memchr::memrchr_iter(b' ', window).find(|&i| {
        // A space is ASCII, so `i` is a char boundary.
        text.get(..i)
            .and_then(|head| head.chars().next_back())
            .is_some_and(|c| !c.is_whitespace())
    });
    if let Some(i) = clean {
        return i;
    }
    // No clean cut: the last char boundary at or before the limit (a char is at most
    // 4 bytes, so this is > 0).
    (1..=CHUNK_BYTES)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn request(system: Option<&str>, messages: Vec<Message>) -> ChatRequest {
        ChatRequest {
            system: system.map(str::to_owned),
            messages,
            ..ChatRequest::default()
        }
    }

    /// Mixed prose, code, numbers, CJK and blank runs, longer than several chunks.
    fn mixed_text(min_bytes: usize) -> String {
        let para = "The quick brown fox jumps over the lazy dog; it's 42°C today!\n\
                    fn main() {\n    println!(\"{}\", 1_000_000 / 7);\n}\n\n\
                    Привет, мир! こんにちは世界。  Tabs\tand   spaces   \r\n\
                    https://example.com/path?q=token+count&x=1 -- ***bold*** ...\n";
        let mut s = String::new();
        while s.len() < min_bytes {
            s.push_str(para);
        }
        s
    }

    #[test]
    fn hello_world_is_four_o200k_tokens() {
        assert_eq!(TokenCounter::O200kBase.count_text("Hello, world!"), 4);
        assert_eq!(TokenCounter::O200kBase.count_text(""), 0);
    }

    #[test]
    fn gpt_35_counts_with_cl100k() {
        let counter = TokenCounter::for_model("openai", "gpt-3.5-turbo");
        assert_eq!(counter, TokenCounter::Cl100kBase);
        assert_eq!(counter.count_text("Hello, world!"), 4);
        // Where the encodings differ: o200k is much denser on non-English text.
        assert_eq!(counter.count_text("こんにちは世界"), 4);
        assert_eq!(TokenCounter::O200kBase.count_text("こんにちは世界"), 2);
        assert_eq!(counter.count_text("Привет, мир!"), 7);
        assert_eq!(TokenCounter::O200kBase.count_text("Привет, мир!"), 5);
    }

    #[test]
    fn role_names_are_one_token_in_both_encodings() {
        for counter in [TokenCounter::O200kBase, TokenCounter::Cl100kBase] {
            for role in ["system", "user", "assistant"] {
                assert_eq!(counter.count_text(role), 1, "{counter:?} {role}");
            }
        }
    }

    #[test]
    fn request_adds_the_chat_format_overhead() {
        let system = "You are a helpful assistant.";
        let prompt = "What is the capital of France?";
        let counter = TokenCounter::O200kBase;
        assert_eq!(counter.count_text(system), 6);
        assert_eq!(counter.count_text(prompt), 7);
        let req = request(Some(system), vec![Message::user(prompt)]);
        // text + role names (system, user) + 3 per message + 3 priming the reply.
        assert_eq!(counter.count_request(&req), 6 + 7 + 2 + 3 * 2 + 3);
        assert_eq!(counter.count_request(&req), 24);

        // Without a system prompt only the user message is framed.
        let req = request(None, vec![Message::user(prompt)]);
        assert_eq!(counter.count_request(&req), 7 + 1 + 3 + 3);

        // Earlier turns count too, assistant ones included.
        let req = request(
            None,
            vec![
                Message::user("Hi"),
                Message::assistant("Hello!"),
                Message::user(prompt),
            ],
        );
        let text = counter.count_text("Hi") + counter.count_text("Hello!") + 7;
        assert_eq!(counter.count_request(&req), text + 3 * (3 + 1) + 3);
    }

    #[test]
    fn approximate_request_uses_the_same_overhead() {
        // 9 chars -> 3 tokens, 1 char -> 1 token, each rounded up per message.
        let req = request(Some("abcdefghi"), vec![Message::user("x")]);
        assert_eq!(
            TokenCounter::Approximate.count_request(&req),
            3 + 1 + 2 * (3 + 1) + 3
        );
        assert_eq!(
            TokenCounter::Approximate.count_request(&request(None, vec![])),
            3
        );
    }

    #[test]
    fn approximation_rounds_up_per_character() {
        let a = TokenCounter::Approximate;
        assert_eq!(a.count_text(""), 0);
        assert_eq!(a.count_text("a"), 1);
        assert_eq!(a.count_text("abcd"), 1);
        assert_eq!(a.count_text("abcde"), 2);
        // Characters, not bytes: 5 chars in 6 bytes, 7 chars in 21 bytes.
        assert_eq!(a.count_text("héllo"), 2);
        assert_eq!(a.count_text("こんにちは世界"), 2);
    }

    #[test]
    fn models_map_to_their_tokenizer() {
        use TokenCounter::{Approximate as A, Cl100kBase as C, O200kBase as O};
        let table = [
            ("openai", "gpt-4o", O),
            ("openai", "gpt-4o-mini", O),
            ("openai", "gpt-4o-2024-08-06", O),
            ("openai", "gpt-4.1-nano", O),
            ("openai", "gpt-4.5-preview", O),
            ("openai", "gpt-5", O),
            ("openai", "gpt-5.1-codex", O),
            ("openai", "o1", O),
            ("openai", "o1-mini", O),
            ("openai", "o3-pro", O),
            ("openai", "o4-mini", O),
            ("openai", "chatgpt-4o-latest", O),
            ("openai", "gpt-oss-120b", O),
            ("openai", "codex-mini-latest", O),
            ("openai", "GPT-4O", O),
            ("openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123", O),
            ("openai", "gpt-4", C),
            ("openai", "gpt-4-turbo", C),
            ("openai", "gpt-4-0613", C),
            ("openai", "gpt-3.5-turbo", C),
            ("openai", "gpt-3.5-turbo-instruct", C),
            ("openai", "some-future-model", O),
            ("azure", "gpt-35-turbo", C),
            ("azure", "my-deployment", O),
            ("openrouter", "openai/gpt-4o", O),
            ("openrouter", "openai/gpt-4-turbo", C),
            ("openrouter", "openai/o3-mini", O),
            ("openrouter", "openai/something-new", O),
            ("openrouter", "anthropic/claude-sonnet-4-5", A),
            ("openrouter", "meta-llama/llama-3.3-70b-instruct", A),
            ("groq", "openai/gpt-oss-20b", O),
            ("groq", "llama-3.3-70b-versatile", A),
            ("anthropic", "claude-sonnet-4-5", A),
            ("anthropic", "claude-3-5-haiku-latest", A),
            ("gemini", "gemini-2.5-pro", A),
            ("mistral", "mistral-large-latest", A),
            ("my-proxy", "gpt-4o", O),
            ("my-proxy", "qwen3-32b", A),
            ("ollama", "o1x", A),
        ];
        for (provider, model, want) in table {
            assert_eq!(
                TokenCounter::for_model(provider, model),
                want,
                "{provider}/{model}"
            );
        }
    }

    #[test]
    fn labels_and_serialized_names() {
        assert_eq!(TokenCounter::O200kBase.label(), "tiktoken o200k_base");
        assert_eq!(TokenCounter::Cl100kBase.label(), "tiktoken cl100k_base");
        assert_eq!(
            TokenCounter::Approximate.label(),
            "approximation (4 characters per token)"
        );
        let names: Vec<_> = [
            TokenCounter::O200kBase,
            TokenCounter::Cl100kBase,
            TokenCounter::Approximate,
        ]
        .iter()
        .map(|c| serde_json::to_value(c).unwrap())
        .collect();
        assert_eq!(names, ["o200k_base", "cl100k_base", "approximate"]);
        let back: TokenCounter = serde_json::from_str("\"cl100k_base\"").unwrap();
        assert_eq!(back, TokenCounter::Cl100kBase);
    }

    #[test]
    fn estimate_is_marked_and_splits_reasoning() {
        let req = request(None, vec![Message::user("What is the capital of France?")]);
        let u = estimate_usage(
            "openai",
            "gpt-4o",
            &req,
            "Hello, world!",
            "The quick brown fox jumps over the lazy dog.",
        );
        assert_eq!(u.source, UsageSource::Estimated);
        assert_eq!(u.input_tokens, 7 + 1 + 3 + 3);
        assert_eq!(u.reasoning_tokens, 10);
        assert_eq!(u.output_tokens, 4 + 10);
        assert_eq!(u.cached_input_tokens, 0);
        assert_eq!(u.cache_write_tokens, 0);
        assert_eq!(u.cost_usd, None);

        let u = estimate_usage("anthropic", "claude-sonnet-4-5", &req, "abcde", "");
        assert_eq!(u.source, UsageSource::Estimated);
        assert_eq!(u.input_tokens, 8 + 1 + 3 + 3); // 30 chars -> 8
        assert_eq!(u.output_tokens, 2);
        assert_eq!(u.reasoning_tokens, 0);
    }

    #[test]
    fn special_token_text_is_ordinary_text() {
        // Special tokens would count 1 each.
        let both = "<|endofprompt|><|fim_prefix|>";
        assert_eq!(TokenCounter::O200kBase.count_text(both), 12);
        assert_eq!(TokenCounter::Cl100kBase.count_text(both), 13);
        for counter in [TokenCounter::O200kBase, TokenCounter::Cl100kBase] {
            assert_eq!(counter.count_text("<|endoftext|>"), 7, "{counter:?}");
            let prompt = "Ignore this: <|endoftext|> and go on.";
            assert!(counter.count_text(prompt) > counter.count_text("Ignore this: and go on."));
        }
    }

    #[test]
    fn chunked_count_is_exact() {
        let text = mixed_text(200 * 1024);
        assert!(split_point(&text) < text.len());
        for (counter, bpe) in [
            (TokenCounter::O200kBase, tiktoken_rs::o200k_base_singleton()),
            (
                TokenCounter::Cl100kBase,
                tiktoken_rs::cl100k_base_singleton(),
            ),
        ] {
            let whole = bpe.encode_ordinary(&text).len() as u64;
            assert_eq!(counter.count_text(&text), whole, "{counter:?}");
        }
    }

    #[test]
    fn split_points_are_char_boundaries() {
        // No space anywhere: forced cuts, which must fall between characters.
        let text = "é".repeat(CHUNK_BYTES) + "日本語".repeat(CHUNK_BYTES).as_str();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let i = split_point(rest);
            assert!(i > 0 && i <= CHUNK_BYTES && rest.is_char_boundary(i));
            rest = &rest[i..];
        }
    }

    #[test]
    fn huge_blank_runs_do_not_panic() {
        // A million spaces or tabs in one piece overflow the regex backtracking of
        // o200k_base (tiktoken-rs panics); in pieces they count fine.
        for blank in [" ", "\t"] {
            let text = blank.repeat(1_000_000);
            let n = TokenCounter::O200kBase.count_text(&text);
            assert!((1..=100_000).contains(&n), "{blank:?}: {n}");
        }
        // Forced cuts stay close to the real count: cl100k manages a million spaces
        // in one piece (7 813 tokens).
        let n = TokenCounter::Cl100kBase.count_text(&" ".repeat(1_000_000));
        assert!((7_813..7_813 + 40).contains(&n), "{n}");
    }

    /// Prints timings (run with `--nocapture`); alone, the first count includes the
    /// table load.
    #[test]
    fn timing() {
        let t = Instant::now();
        let hello = TokenCounter::O200kBase.count_text("Hello, world!");
        let first_o200k = t.elapsed();
        let t = Instant::now();
        let fresh = tiktoken_rs::o200k_base().unwrap();
        let load_o200k = t.elapsed();
        let t = Instant::now();
        TokenCounter::Cl100kBase.count_text("Hello, world!");
        let first_cl100k = t.elapsed();

        let text = mixed_text(100 * 1024);
        let t = Instant::now();
        let n = TokenCounter::O200kBase.count_text(&text);
        let big_o200k = t.elapsed();
        let t = Instant::now();
        let n_cl = TokenCounter::Cl100kBase.count_text(&text);
        let big_cl100k = t.elapsed();
        println!(
            "first o200k count: {first_o200k:?} ({hello} tokens); fresh o200k table: \
             {load_o200k:?}; first cl100k count: {first_cl100k:?}; {} bytes ({} chars): \
             o200k {n} tokens in {big_o200k:?}, cl100k {n_cl} tokens in {big_cl100k:?}, \
             approximation {}",
            text.len(),
            text.chars().count(),
            TokenCounter::Approximate.count_text(&text),
        );
        assert_eq!(fresh.encode_ordinary("Hello, world!").len(), 4);
    }
}
