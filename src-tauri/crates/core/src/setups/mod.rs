//! Setups: named routes. A setup is what a client calls (its alias) and where the
//! call goes — groups of targets tried in order, each group load-balanced by weight.
//! One group of several targets is a load balance; several groups of one target each
//! are an ordered fallback; anything else (a balanced group, then fallbacks) is what
//! hand-written gateway configs often hold and is kept as it is.
//!
//! The same setups are exported as gateway configs ([`crate::gateway`]), imported
//! from them, saved in the history database ([`store`]) and served by the router.

pub mod from_run;
pub mod store;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::chat::Params;

/// The longest alias accepted (LiteLLM and OpenAI SDKs take any string; this keeps
/// names readable in headers and file names).
pub const MAX_ALIAS_LEN: usize = 64;
pub const DEFAULT_RETRIES: u32 = 2;
pub const DEFAULT_TIMEOUT_SECS: u32 = 60;
/// The statuses that move on to the next group (Portkey's `on_status_codes`; LiteLLM
/// falls back on any error once retries are spent). 408 is what the Portkey gateway
/// answers when a target times out: a slow model must fall back too.
pub const FALLBACK_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];
/// The statuses retried on the same target before falling back (Portkey's
/// `retry.on_status_codes`): a timeout goes straight to the next group instead.
pub const RETRY_STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

/// A named route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Setup {
    /// What a client sends as `model`: letters, digits, `-`, `_`, `.`, `:`.
    pub alias: String,
    /// Tried in order: the first group serves; when a call to it fails after its
    /// retries, the next group gets the call.
    pub groups: Vec<Group>,
    /// Retries of a failed call (429, 5xx, timeout, network) before falling back.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Per-call timeout, seconds.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u32,
    /// The history run it was made from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable, type = "number")]
    pub source_run: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub notes: Option<String>,
}

/// Deployments that share the load of one step of the route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Group {
    pub targets: Vec<SetupTarget>,
}

/// One deployment: a model with its parameters and its share of its group's load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SetupTarget {
    /// `provider/model`, as everywhere in Switchboard.
    pub model: String,
    /// Relative weight within the group (1 when unset); meaningful with 2+ targets.
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// The parameters the comparison used (temperature, max tokens…).
    #[serde(default)]
    pub params: Params,
}

fn default_retries() -> u32 {
    DEFAULT_RETRIES
}
fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_SECS
}
fn default_weight() -> u32 {
    1
}

/// How a setup routes, as the user picks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// One target.
    Single,
    /// Each target in turn.
    Fallback,
    /// Spread by weight over every target.
    Loadbalance,
    /// A balanced group first, then fallbacks (imported configs).
    LoadbalanceThenFallback,
}

/// What the user picks when shaping a setup (the two plain strategies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StrategyChoice {
    Fallback,
    Loadbalance,
}

impl SetupTarget {
    pub fn new(model: impl Into<String>) -> Self {
        Self {
            model: model.into(),
            weight: 1,
            params: Params::default(),
        }
    }
}

impl Setup {
    /// `models` in order, each a fallback for the one before.
    pub fn fallback(alias: impl Into<String>, targets: Vec<SetupTarget>) -> Self {
        Self::with_groups(
            alias,
            targets
                .into_iter()
                .map(|t| Group { targets: vec![t] })
                .collect(),
        )
    }

    /// One group spread over `targets` by their weights.
    pub fn load_balance(alias: impl Into<String>, targets: Vec<SetupTarget>) -> Self {
        Self::with_groups(alias, vec![Group { targets }])
    }

    /// `targets` arranged the way `choice` says.
    pub fn shaped(
        alias: impl Into<String>,
        choice: StrategyChoice,
        targets: Vec<SetupTarget>,
    ) -> Self {
        match choice {
            StrategyChoice::Fallback => Self::fallback(alias, targets),
            StrategyChoice::Loadbalance => Self::load_balance(alias, targets),
        }
    }

    pub fn with_groups(alias: impl Into<String>, groups: Vec<Group>) -> Self {
        Self {
            alias: alias.into(),
            groups,
            retries: DEFAULT_RETRIES,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            source_run: None,
            notes: None,
        }
    }

    pub fn strategy(&self) -> Strategy {
        let first = self.groups.first().map_or(0, |g| g.targets.len());
        match (self.groups.len(), first) {
            (0, _) | (1, 0 | 1) => Strategy::Single,
            (1, _) => Strategy::Loadbalance,
            (_, 0 | 1) if self.groups.iter().all(|g| g.targets.len() <= 1) => Strategy::Fallback,
            _ => Strategy::LoadbalanceThenFallback,
        }
    }

    /// Every target, group by group.
    pub fn targets(&self) -> impl Iterator<Item = &SetupTarget> {
        self.groups.iter().flat_map(|g| g.targets.iter())
    }

    /// The problems of the setup itself (not of any export format): an alias clients
    /// cannot send, no targets, an empty group, a zero weight, a model id without a
    /// provider.
    pub fn problems(&self) -> Vec<crate::gateway::Problem> {
        use crate::gateway::Problem;
        let at = format!("setup `{}`", self.alias);
        let mut out = Vec::new();
        if let Err(why) = check_alias(&self.alias) {
            out.push(Problem::error(
                &at,
                why,
                "rename the setup: letters, digits, -, _, . or :",
            ));
        }
        if self.targets().next().is_none() {
            out.push(Problem::error(
                &at,
                "it has no targets",
                "add at least one model",
            ));
        }
        for (gi, g) in self.groups.iter().enumerate() {
            if g.targets.is_empty() && self.targets().next().is_some() {
                out.push(Problem::error(
                    format!("{at}, group {}", gi + 1),
                    "the group is empty",
                    "remove it or add a model to it",
                ));
            }
            for t in &g.targets {
                if !t.model.contains('/') || t.model.starts_with('/') || t.model.ends_with('/') {
                    out.push(Problem::error(
                        format!("{at}, {}", t.model),
                        "the model id has no provider prefix",
                        "write it as provider/model, e.g. openai/gpt-4o",
                    ));
                }
                if t.weight == 0 && g.targets.len() > 1 {
                    out.push(Problem::error(
                        format!("{at}, {}", t.model),
                        "a weight of 0 never gets a call",
                        "give it a weight of 1 or more, or remove it",
                    ));
                }
            }
        }
        if self.timeout_secs == 0 {
            out.push(Problem::error(
                &at,
                "the timeout is 0 seconds",
                "set a timeout of 1 second or more",
            ));
        }
        out
    }
}

/// Whether `alias` can be a setup's name.
pub fn check_alias(alias: &str) -> Result<(), String> {
    if alias.is_empty() {
        return Err("the alias is empty".into());
    }
    if alias.len() > MAX_ALIAS_LEN {
        return Err(format!(
            "the alias is longer than {MAX_ALIAS_LEN} characters"
        ));
    }
    if let Some(c) = alias
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
    {
        return Err(format!("the alias contains `{c}`"));
    }
    Ok(())
}

/// A readable alias from a run's title or prompt: `Summarize these emails` →
/// `summarize-these-emails`; `chat` when nothing usable is left.
pub fn alias_from(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() + 1 > 32 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        "chat".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(m: &str) -> SetupTarget {
        SetupTarget::new(m)
    }

    #[test]
    fn the_strategy_follows_the_shape_of_the_groups() {
        assert_eq!(
            Setup::fallback("a", vec![t("openai/x")]).strategy(),
            Strategy::Single
        );
        assert_eq!(
            Setup::fallback("a", vec![t("openai/x"), t("anthropic/y")]).strategy(),
            Strategy::Fallback
        );
        assert_eq!(
            Setup::load_balance("a", vec![t("openai/x"), t("anthropic/y")]).strategy(),
            Strategy::Loadbalance
        );
        let mixed = Setup::with_groups(
            "a",
            vec![
                Group {
                    targets: vec![t("openai/x"), t("openai/y")],
                },
                Group {
                    targets: vec![t("anthropic/z")],
                },
            ],
        );
        assert_eq!(mixed.strategy(), Strategy::LoadbalanceThenFallback);
    }

    #[test]
    fn a_setup_names_what_is_wrong_with_it() {
        let mut s = Setup::load_balance("my chat", vec![t("gpt-4o"), t("openai/x")]);
        s.groups[0].targets[1].weight = 0;
        let p = s.problems();
        let text: Vec<String> = p.iter().map(|p| p.message.clone()).collect();
        assert!(text.iter().any(|m| m.contains("contains ` `")), "{text:?}");
        assert!(
            text.iter().any(|m| m.contains("no provider prefix")),
            "{text:?}"
        );
        assert!(text.iter().any(|m| m.contains("weight of 0")), "{text:?}");
        assert!(Setup::fallback("chat", vec![t("openai/gpt-4o")])
            .problems()
            .is_empty());
    }

    #[test]
    fn an_alias_is_made_from_a_title() {
        assert_eq!(
            alias_from("Summarize these emails!"),
            "summarize-these-emails"
        );
        assert_eq!(alias_from("¿¿"), "chat");
        assert!(check_alias(&alias_from(&"word ".repeat(40))).is_ok());
    }
}
