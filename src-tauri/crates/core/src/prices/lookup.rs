//! Which catalog entry prices a Switchboard model id (`provider/model`).
//!
//! LiteLLM's keys come in three shapes: bare (`gpt-4o`, `claude-sonnet-4-5`),
//! provider-prefixed (`gemini/gemini-2.5-pro`, `mistral/…`,
//! `fireworks_ai/accounts/fireworks/models/…`), and the same model under a dated name
//! (`claude-haiku-4-5-20251001`). The rules, in order, each only accepting an entry of
//! the same provider:
//!
//! 1. `{provider}/{model}` (LiteLLM prefers it too when both exist, and they can differ);
//! 2. `{model}` bare;
//! 3. the provider's own path forms (`models/` for Gemini, Fireworks' account path,
//!    Ollama's `:latest` tag);
//! 4. a dated or `-latest` name without its suffix (`claude-sonnet-4-5-20250929` →
//!    `claude-sonnet-4-5`);
//! 5. an undated name to its newest dated entry (`claude-3-5-haiku` →
//!    `claude-3-5-haiku-20241022`).

use super::catalog::Catalog;
use super::entry::PriceEntry;

/// How an id was matched to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Prefixed,
    Bare,
    ProviderPath,
    Undated,
    NewestDated,
}

/// LiteLLM's provider name for a Switchboard provider id (`None`: not in the map).
pub fn litellm_provider(provider: &str) -> Option<&'static str> {
    Some(match provider {
        "openai" => "openai",
        "anthropic" => "anthropic",
        "gemini" | "google" => "gemini",
        "openrouter" => "openrouter",
        "groq" => "groq",
        "mistral" => "mistral",
        "deepseek" => "deepseek",
        "xai" => "xai",
        "together_ai" | "together" => "together_ai",
        "fireworks_ai" | "fireworks" => "fireworks_ai",
        "ollama" | "ollama_chat" => "ollama",
        "lmstudio" | "lm_studio" => "lm_studio",
        _ => return None,
    })
}

/// Finds the entry for `model` of Switchboard provider `provider`.
pub fn find<'c>(
    catalog: &'c Catalog,
    provider: &str,
    model: &str,
) -> Option<(String, &'c PriceEntry, Match)> {
    let lp = litellm_provider(provider)?;
    let hit = |key: String, how: Match| {
        catalog
            .get(&key)
            .filter(|e| e.provider == lp)
            .map(|e| (key, e, how))
    };
    let direct = |m: &str| {
        hit(format!("{lp}/{m}"), Match::Prefixed)
            .or_else(|| hit(m.to_owned(), Match::Bare))
            .or_else(|| {
                provider_paths(lp, m)
                    .into_iter()
                    .find_map(|k| hit(k, Match::ProviderPath))
            })
    };
    if let Some(found) = direct(model) {
        return Some(found);
    }
    if let Some((k, e, _)) = strip_date(model).and_then(direct) {
        return Some((k, e, Match::Undated));
    }
    newest_dated(catalog, lp, model)
}

/// The provider's own spellings of a model's key.
fn provider_paths(lp: &str, model: &str) -> Vec<String> {
    match lp {
        "gemini" => model
            .strip_prefix("models/")
            .map(|m| vec![format!("gemini/{m}")])
            .unwrap_or_default(),
        "fireworks_ai" if !model.contains('/') => {
            vec![format!("fireworks_ai/accounts/fireworks/models/{model}")]
        }
        "ollama" => model
            .strip_suffix(":latest")
            .map(|m| vec![format!("ollama/{m}")])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `name-20250929`, `name-2024-08-06`, `name@20250929`, `name-latest` → `name`.
pub fn strip_date(model: &str) -> Option<&str> {
    if let Some(m) = model.strip_suffix("-latest") {
        return Some(m);
    }
    let bytes = model.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let n = bytes.len();
    // -YYYYMMDD or @YYYYMMDD
    if n > 9 && matches!(bytes[n - 9], b'-' | b'@') && digits(&bytes[n - 8..]) {
        return Some(&model[..n - 9]);
    }
    // -YYYY-MM-DD
    if n > 11
        && bytes[n - 11] == b'-'
        && digits(&bytes[n - 10..n - 6])
        && bytes[n - 6] == b'-'
        && digits(&bytes[n - 5..n - 3])
        && bytes[n - 3] == b'-'
        && digits(&bytes[n - 2..])
    {
        return Some(&model[..n - 11]);
    }
    None
}

/// The newest entry named `{model}-{date}` for an undated `model`.
fn newest_dated<'c>(
    catalog: &'c Catalog,
    lp: &str,
    model: &str,
) -> Option<(String, &'c PriceEntry, Match)> {
    catalog
        .entries
        .iter()
        .filter(|(_, e)| e.provider == lp)
        .filter(|(k, _)| {
            let bare = k
                .strip_prefix(lp)
                .and_then(|k| k.strip_prefix('/'))
                .unwrap_or(k);
            strip_date(bare) == Some(model) && !bare.ends_with("-latest")
        })
        // Dates sort as text; the newest is the greatest.
        .max_by(|a, b| a.0.cmp(b.0))
        .map(|(k, e)| (k.clone(), e, Match::NewestDated))
}

/// Up to `n` catalog models closest to `model` (for "did you mean"), as Switchboard ids
/// when the key's provider is known. The same provider's models come first.
pub fn close_matches(
    catalog: &Catalog,
    provider: Option<&str>,
    model: &str,
    n: usize,
) -> Vec<String> {
    let lp = provider.and_then(litellm_provider);
    let want = model.to_ascii_lowercase();
    let mut scored: Vec<(f64, String)> = catalog
        .entries
        .iter()
        .map(|(key, e)| {
            let bare = key
                .strip_prefix(e.provider.as_str())
                .and_then(|k| k.strip_prefix('/'))
                .unwrap_or(key);
            let mut score = strsim::jaro_winkler(&want, &bare.to_ascii_lowercase());
            if Some(e.provider.as_str()) == lp {
                score += 0.1;
            }
            (
                score,
                format!("{}/{bare}", switchboard_provider(&e.provider)),
            )
        })
        .filter(|(s, _)| *s > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(n).map(|(_, id)| id).collect()
}

/// Switchboard's provider id for a LiteLLM provider name.
pub fn switchboard_provider(lp: &str) -> &str {
    match lp {
        "lm_studio" => "lmstudio",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(provider: &str, model: &str) -> Option<(String, Match)> {
        find(Catalog::bundled(), provider, model).map(|(k, _, how)| (k, how))
    }

    #[test]
    fn bare_keys() {
        assert_eq!(
            key("openai", "gpt-4o"),
            Some(("gpt-4o".into(), Match::Bare))
        );
        assert_eq!(
            key("anthropic", "claude-sonnet-4-5"),
            Some(("claude-sonnet-4-5".into(), Match::Bare))
        );
    }

    #[test]
    fn provider_prefixed_keys() {
        assert_eq!(
            key("gemini", "gemini-2.5-pro"),
            Some(("gemini/gemini-2.5-pro".into(), Match::Prefixed))
        );
        assert_eq!(
            key("google", "models/gemini-2.5-pro"),
            Some(("gemini/gemini-2.5-pro".into(), Match::ProviderPath))
        );
        // Both `deepseek/deepseek-chat` and `deepseek-chat` exist with different prices;
        // the prefixed one wins, as in LiteLLM.
        assert_eq!(
            key("deepseek", "deepseek-chat"),
            Some(("deepseek/deepseek-chat".into(), Match::Prefixed))
        );
        assert!(key("mistral", "mistral-large-latest").is_some());
        // Fireworks' account path is implied for a short name.
        assert_eq!(
            key("fireworks", "code-llama-13b"),
            Some((
                "fireworks_ai/accounts/fireworks/models/code-llama-13b".into(),
                Match::ProviderPath
            ))
        );
    }

    #[test]
    fn a_key_of_another_provider_is_never_taken() {
        // `fireworks_ai/deepseek-v4-flash` exists, but DeepSeek's own model is asked for.
        let (k, _) = key("deepseek", "deepseek-v4-flash").unwrap();
        assert_eq!(Catalog::bundled().get(&k).unwrap().provider, "deepseek");
        assert_eq!(key("openai", "claude-sonnet-4-5"), None);
        assert_eq!(key("my-vllm", "gpt-4o"), None);
    }

    #[test]
    fn dated_aliases() {
        // A dated name whose date has no entry of its own falls back to the undated one.
        assert_eq!(
            key("anthropic", "claude-sonnet-4-6-20991231"),
            Some(("claude-sonnet-4-6".into(), Match::Undated))
        );
        assert_eq!(
            key("openai", "gpt-4o-2099-01-01").map(|k| k.0),
            Some("gpt-4o".into())
        );
        // A dated name that has its own entry keeps it.
        assert_eq!(
            key("anthropic", "claude-haiku-4-5-20251001"),
            Some(("claude-haiku-4-5-20251001".into(), Match::Bare))
        );
        assert_eq!(strip_date("claude-x@20250101"), Some("claude-x"));
        assert_eq!(strip_date("gpt-4o"), None);
        assert_eq!(strip_date("mistral-large-latest"), Some("mistral-large"));
    }

    #[test]
    fn undated_names_take_the_newest_dated_entry() {
        let mut c = Catalog::default();
        let e = crate::prices::entry::PriceEntry {
            provider: "anthropic".into(),
            ..Default::default()
        };
        for k in ["claude-x-20240101", "claude-x-20250101", "claude-x-latest"] {
            c.entries.insert(k.into(), e.clone());
        }
        let (k, _, how) = find(&c, "anthropic", "claude-x").unwrap();
        assert_eq!((k.as_str(), how), ("claude-x-20250101", Match::NewestDated));
    }

    #[test]
    fn close_matches_name_real_models() {
        let m = close_matches(Catalog::bundled(), Some("openai"), "gpt-4o-mni", 5);
        assert!(m.contains(&"openai/gpt-4o-mini".to_string()), "{m:?}");
        assert!(close_matches(Catalog::bundled(), None, "zzzzzzzzzzzz", 5).is_empty());
    }
}
