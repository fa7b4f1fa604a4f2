//! Presets: every provider Switchboard knows by name. The OpenAI-compatible ones differ
//! only in base URL, key variable and a few flags; they share the OpenAI adapter.

use super::ProviderKind;

/// A named provider with its defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The model-id prefix, as LiteLLM writes it.
    pub id: &'static str,
    /// The name people know it by.
    pub label: &'static str,
    /// Other accepted prefixes.
    pub aliases: &'static [&'static str],
    pub kind: ProviderKind,
    pub default_base_url: &'static str,
    /// The variable that overrides the base URL (`<PROVIDER>_BASE_URL`).
    pub base_url_env: &'static str,
    /// Key variables, in order of preference.
    pub key_env: &'static [&'static str],
    /// Local servers run without a key.
    pub needs_key: bool,
    /// Send `stream_options.include_usage` (Mistral's API rejects unknown fields).
    pub include_usage: bool,
    pub extra_headers: &'static [(&'static str, &'static str)],
}

const fn compat(
    id: &'static str,
    label: &'static str,
    aliases: &'static [&'static str],
    default_base_url: &'static str,
    base_url_env: &'static str,
    key_env: &'static [&'static str],
) -> Preset {
    Preset {
        id,
        label,
        aliases,
        kind: ProviderKind::OpenAiCompatible,
        default_base_url,
        base_url_env,
        key_env,
        needs_key: true,
        include_usage: true,
        extra_headers: &[],
    }
}

/// Every known provider.
pub const PRESETS: &[Preset] = &[
    Preset {
        kind: ProviderKind::OpenAi,
        ..compat(
            "openai",
            "OpenAI",
            &[],
            "https://api.openai.com/v1",
            "OPENAI_BASE_URL",
            &["OPENAI_API_KEY"],
        )
    },
    Preset {
        kind: ProviderKind::Anthropic,
        ..compat(
            "anthropic",
            "Anthropic",
            &[],
            "https://api.anthropic.com",
            "ANTHROPIC_BASE_URL",
            &["ANTHROPIC_API_KEY"],
        )
    },
    Preset {
        kind: ProviderKind::Gemini,
        ..compat(
            "gemini",
            "Google Gemini",
            &["google"],
            "https://generativelanguage.googleapis.com",
            "GEMINI_BASE_URL",
            &["GEMINI_API_KEY", "GOOGLE_API_KEY"],
        )
    },
    Preset {
        extra_headers: &[("X-Title", "Switchboard")],
        ..compat(
            "openrouter",
            "OpenRouter",
            &[],
            "https://openrouter.ai/api/v1",
            "OPENROUTER_BASE_URL",
            &["OPENROUTER_API_KEY"],
        )
    },
    compat(
        "groq",
        "Groq",
        &[],
        "https://api.groq.com/openai/v1",
        "GROQ_BASE_URL",
        &["GROQ_API_KEY"],
    ),
    Preset {
        include_usage: false,
        ..compat(
            "mistral",
            "Mistral",
            &[],
            "https://api.mistral.ai/v1",
            "MISTRAL_BASE_URL",
            &["MISTRAL_API_KEY"],
        )
    },
    compat(
        "deepseek",
        "DeepSeek",
        &[],
        "https://api.deepseek.com/v1",
        "DEEPSEEK_BASE_URL",
        &["DEEPSEEK_API_KEY"],
    ),
    compat(
        "xai",
        "xAI",
        &[],
        "https://api.x.ai/v1",
        "XAI_BASE_URL",
        &["XAI_API_KEY"],
    ),
    compat(
        "together_ai",
        "Together AI",
        &["together"],
        "https://api.together.xyz/v1",
        "TOGETHER_BASE_URL",
        &["TOGETHER_API_KEY", "TOGETHERAI_API_KEY"],
    ),
    compat(
        "fireworks_ai",
        "Fireworks AI",
        &["fireworks"],
        "https://api.fireworks.ai/inference/v1",
        "FIREWORKS_BASE_URL",
        &["FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY"],
    ),
    Preset {
        needs_key: false,
        ..compat(
            "ollama",
            "Ollama",
            &["ollama_chat"],
            "http://localhost:11434/v1",
            "OLLAMA_BASE_URL",
            &["OLLAMA_API_KEY"],
        )
    },
    Preset {
        needs_key: false,
        ..compat(
            "lmstudio",
            "LM Studio",
            &["lm_studio"],
            "http://localhost:1234/v1",
            "LMSTUDIO_BASE_URL",
            &["LMSTUDIO_API_KEY"],
        )
    },
];

/// The preset for a prefix or alias.
pub fn preset(prefix: &str) -> Option<&'static Preset> {
    PRESETS
        .iter()
        .find(|p| p.id == prefix || p.aliases.contains(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_has_a_base_url_variable_named_after_it() {
        for p in PRESETS {
            assert!(p.base_url_env.ends_with("_BASE_URL"), "{}", p.id);
            assert!(p.default_base_url.starts_with("http"), "{}", p.id);
        }
        assert!(preset("ollama_chat").is_some());
        assert!(preset("fireworks").is_some());
    }
}
