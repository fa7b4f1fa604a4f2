//! Property tests for the stream parsers: any split of a valid byte stream into chunks
//! yields the same text, reasoning and usage, and never panics; arbitrary bytes never
//! panic either.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use switchboard_core::chat::{ChatEvent, Usage};
use switchboard_core::providers::ProviderKind;
use switchboard_core::stream::parse_chunks;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[derive(Debug, PartialEq)]
struct Seen {
    text: String,
    reasoning: String,
    usage: Option<Usage>,
    finished: bool,
    errors: usize,
}

fn seen(kind: ProviderKind, chunks: Vec<Vec<u8>>) -> Seen {
    let mut s = Seen {
        text: String::new(),
        reasoning: String::new(),
        usage: None,
        finished: false,
        errors: 0,
    };
    for r in parse_chunks(kind, chunks) {
        match r {
            Ok(ChatEvent::Delta { text }) => s.text.push_str(&text),
            Ok(ChatEvent::Reasoning { text }) => s.reasoning.push_str(&text),
            Ok(ChatEvent::Usage(u)) => s.usage = Some(u),
            Ok(ChatEvent::Finished { .. }) => s.finished = true,
            Ok(ChatEvent::Started) => {}
            Err(_) => s.errors += 1,
        }
    }
    s
}

fn split(bytes: &[u8], mut cuts: Vec<usize>) -> Vec<Vec<u8>> {
    cuts.iter_mut().for_each(|c| *c %= bytes.len() + 1);
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in cuts {
        out.push(bytes[prev..c].to_vec());
        prev = c;
    }
    out.push(bytes[prev..].to_vec());
    out
}

const CASES: &[(ProviderKind, &str)] = &[
    (ProviderKind::OpenAi, "openai/basic.sse"),
    (ProviderKind::OpenAi, "openai/no_usage.sse"),
    (ProviderKind::OpenAi, "openai/reasoning_content.sse"),
    (
        ProviderKind::OpenAiCompatible,
        "openrouter/comments_and_cost.sse",
    ),
    (ProviderKind::Anthropic, "anthropic/basic.sse"),
    (ProviderKind::Gemini, "gemini/basic.sse"),
];

#[test]
fn whole_fixtures_parse_cleanly() {
    for (kind, path) in CASES {
        let s = seen(*kind, vec![fixture(path)]);
        assert_eq!(s.errors, 0, "{path}");
        assert!(s.finished, "{path}");
        assert!(!s.text.is_empty(), "{path}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_split_gives_the_same_result(case in 0..CASES.len(), cuts in proptest::collection::vec(any::<usize>(), 0..40)) {
        let (kind, path) = CASES[case];
        let bytes = fixture(path);
        let whole = seen(kind, vec![bytes.clone()]);
        let parts = seen(kind, split(&bytes, cuts));
        prop_assert_eq!(whole, parts);
    }

    #[test]
    fn every_byte_alone_gives_the_same_result(case in 0..CASES.len()) {
        let (kind, path) = CASES[case];
        let bytes = fixture(path);
        let whole = seen(kind, vec![bytes.clone()]);
        let parts = seen(kind, bytes.iter().map(|b| vec![*b]).collect());
        prop_assert_eq!(whole, parts);
    }

    #[test]
    fn arbitrary_bytes_never_panic(kind in 0..3usize, data in proptest::collection::vec(any::<u8>(), 0..2048), cuts in proptest::collection::vec(any::<usize>(), 0..10)) {
        let kind = [ProviderKind::OpenAi, ProviderKind::Anthropic, ProviderKind::Gemini][kind];
        let _ = seen(kind, split(&data, cuts));
    }

    #[test]
    fn sse_shaped_garbage_never_panics(kind in 0..3usize, lines in proptest::collection::vec("(data|event|:|id|retry)?:? ?[ -~é日]{0,40}(\r\n|\n|\r)", 0..30)) {
        let kind = [ProviderKind::OpenAi, ProviderKind::Anthropic, ProviderKind::Gemini][kind];
        let _ = seen(kind, vec![lines.concat().into_bytes()]);
    }
}

/// The same input framed by `eventsource-stream`, the reference implementation.
fn oracle(chunks: Vec<Vec<u8>>) -> Vec<(String, String)> {
    use eventsource_stream::Eventsource;
    use futures::StreamExt;
    let s = futures::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>));
    futures::executor::block_on(s.eventsource().collect::<Vec<_>>())
        .into_iter()
        .map(|r| {
            let e = r.unwrap();
            (
                if e.event == "message" {
                    String::new()
                } else {
                    e.event
                },
                e.data,
            )
        })
        .collect()
}

fn ours(chunks: Vec<Vec<u8>>) -> Vec<(String, String)> {
    switchboard_core::sse::events_from_chunks(chunks)
        .into_iter()
        .map(|r| {
            let e = r.unwrap();
            (e.event, e.data)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_framer_agrees_with_eventsource_stream(
        lines in proptest::collection::vec("(data|event|id|retry|:|x)?(:| |: )?[ -~é日🎉]{0,30}(\r\n|\n|\r)", 0..40),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let bytes = lines.concat().into_bytes();
        let a = oracle(split(&bytes, cuts.clone()));
        let b = ours(split(&bytes, cuts));
        prop_assert_eq!(a, b);
    }
}

#[test]
fn the_framer_agrees_with_eventsource_stream_on_every_fixture() {
    for (_, path) in CASES {
        let bytes = fixture(path);
        assert_eq!(
            oracle(vec![bytes.clone()]),
            ours(vec![bytes.clone()]),
            "{path}"
        );
        let bytewise: Vec<Vec<u8>> = bytes.iter().map(|b| vec![*b]).collect();
        assert_eq!(oracle(bytewise.clone()), ours(bytewise), "{path}");
    }
}
