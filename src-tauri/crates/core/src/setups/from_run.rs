//! A setup made from a comparison in one step: the winner serves, the runners-up are
//! its fallbacks (or share the load), each with the parameters it was compared with.

use super::{alias_from, Setup, SetupTarget, StrategyChoice};
use crate::history::RunDetail;

/// The setup of `run`: the winner first (when one was picked), then the other answers
/// in column order, a model asked twice with the same parameters only once. The alias
/// is `alias`, or one made from the run's title (its prompt when untitled).
pub fn from_run(run: &RunDetail, alias: Option<&str>, choice: StrategyChoice) -> Setup {
    let mut responses: Vec<_> = run.responses.iter().collect();
    // Stable: the winner moves to the front, the rest keep their column order.
    responses.sort_by_key(|r| (!r.winner, r.position));
    let mut targets: Vec<SetupTarget> = Vec::new();
    for r in responses {
        if targets
            .iter()
            .any(|t| t.model == r.model && t.params == r.params)
        {
            continue;
        }
        targets.push(SetupTarget {
            model: r.model.clone(),
            weight: 1,
            params: r.params.clone(),
        });
    }
    let alias = match alias {
        Some(a) => a.to_owned(),
        None => alias_from(
            run.summary
                .title
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(&run.prompt),
        ),
    };
    let mut setup = Setup::shaped(alias, choice, targets);
    setup.source_run = Some(run.summary.id);
    setup
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::chat::Params;
    use crate::history::{ResponseRecord, ResponseStatus, RunSource, RunSummary};
    use crate::setups::Strategy;

    fn response(
        position: u32,
        model: &str,
        temperature: Option<f64>,
        winner: bool,
    ) -> ResponseRecord {
        ResponseRecord {
            id: i64::from(position) + 100,
            position,
            model: model.into(),
            params: Params {
                temperature,
                ..Params::default()
            },
            system: None,
            messages: Vec::new(),
            text: "an answer".into(),
            reasoning: String::new(),
            status: ResponseStatus::Ok,
            finish_reason: None,
            error: None,
            usage: None,
            cost: None,
            ttft_ms: None,
            total_ms: None,
            winner,
            rating: None,
            route: None,
        }
    }

    fn run(title: Option<&str>, prompt: &str, responses: Vec<ResponseRecord>) -> RunDetail {
        RunDetail {
            summary: RunSummary {
                id: 7,
                created_at: "2026-11-21T12:00:00.000Z".into(),
                source: RunSource::Cli,
                title: title.map(Into::into),
                prompt: prompt.into(),
                models: responses.iter().map(|r| r.model.clone()).collect(),
                cost_usd: None,
                unpriced: 0,
                starred: false,
                tags: Vec::new(),
                winner: responses.iter().find(|r| r.winner).map(|r| r.model.clone()),
                interrupted: 0,
                streaming: 0,
                snippet: None,
            },
            prompt: prompt.into(),
            system: None,
            notes: None,
            parent_id: None,
            responses,
        }
    }

    fn models(s: &Setup) -> Vec<&str> {
        s.targets().map(|t| t.model.as_str()).collect()
    }

    #[test]
    fn the_winner_leads_and_the_others_follow_in_column_order() {
        let r = run(
            None,
            "Summarize these emails",
            vec![
                response(0, "openai/gpt-4o", Some(0.2), false),
                response(1, "anthropic/claude-x", None, false),
                response(2, "gemini/flash", None, true),
            ],
        );
        let s = from_run(&r, None, StrategyChoice::Fallback);
        assert_eq!(
            models(&s),
            ["gemini/flash", "openai/gpt-4o", "anthropic/claude-x"]
        );
        assert_eq!(s.strategy(), Strategy::Fallback);
        assert_eq!(s.alias, "summarize-these-emails");
        assert_eq!(s.source_run, Some(7));
        // Each target keeps the parameters it was compared with.
        assert_eq!(s.groups[1].targets[0].params.temperature, Some(0.2));
        assert!(s.problems().is_empty(), "{:?}", s.problems());
    }

    #[test]
    fn without_a_winner_the_column_order_is_kept_and_the_title_names_it() {
        let r = run(
            Some("Support bot"),
            "a long prompt",
            vec![
                response(1, "anthropic/claude-x", None, false),
                response(0, "openai/gpt-4o", None, false),
            ],
        );
        let s = from_run(&r, None, StrategyChoice::Loadbalance);
        assert_eq!(models(&s), ["openai/gpt-4o", "anthropic/claude-x"]);
        assert_eq!(s.strategy(), Strategy::Loadbalance);
        assert_eq!(s.alias, "support-bot");
        assert_eq!(
            from_run(&r, Some("prod"), StrategyChoice::Fallback).alias,
            "prod"
        );
    }

    #[test]
    fn a_model_asked_twice_with_the_same_params_is_one_target() {
        let r = run(
            None,
            "p",
            vec![
                response(0, "openai/gpt-4o", None, false),
                response(1, "openai/gpt-4o", None, true),
                response(2, "openai/gpt-4o", Some(1.0), false),
            ],
        );
        let s = from_run(&r, None, StrategyChoice::Fallback);
        assert_eq!(models(&s), ["openai/gpt-4o", "openai/gpt-4o"]);
        assert_eq!(s.groups[0].targets[0].params.temperature, None);
        assert_eq!(s.groups[1].targets[0].params.temperature, Some(1.0));
    }
}
