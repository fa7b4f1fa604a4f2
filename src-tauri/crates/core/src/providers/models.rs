//! Listing a provider's models: `GET {base}/models` (OpenAI format, OpenRouter adds
//! `context_length`), `GET {base}/v1/models` (Anthropic, paged by `after_id`),
//! `GET {base}/v1beta/models` (Gemini, paged by `pageToken`).

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::{with_extra_headers, with_key, Endpoint, ProviderKind};
use crate::error::ProviderError;
use crate::http::{Executor, HttpRequestSpec};

/// Pages fetched at most (a guard against a server that never stops paging).
const MAX_PAGES: usize = 50;

/// One model a provider offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ModelInfo {
    /// The id to put after `provider/` in a model id.
    pub id: String,
    pub display_name: Option<String>,
    #[ts(type = "number | null")]
    pub context_length: Option<u64>,
}

/// The request for one page of the list.
pub fn list_request(ep: &Endpoint, page: Option<&str>) -> HttpRequestSpec {
    let spec = match ep.kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            let mut s = HttpRequestSpec::get(format!("{}/models", ep.base_url));
            s = with_key(s, ep);
            s
        }
        ProviderKind::Anthropic => {
            let mut url = format!("{}/v1/models?limit=1000", ep.base_url);
            if let Some(p) = page {
                url.push_str("&after_id=");
                url.push_str(p);
            }
            let mut s = HttpRequestSpec::get(url)
                .header("anthropic-version", super::anthropic::API_VERSION);
            s = with_key(s, ep);
            s
        }
        ProviderKind::Gemini => {
            let mut url = format!("{}/v1beta/models?pageSize=1000", ep.base_url);
            if let Some(p) = page {
                url.push_str("&pageToken=");
                url.push_str(p);
            }
            let mut s = HttpRequestSpec::get(url);
            s = with_key(s, ep);
            s
        }
    };
    with_extra_headers(spec, ep)
}

/// One page: the models and the token of the next page, if any.
pub fn parse_list(
    kind: ProviderKind,
    v: &Value,
) -> Result<(Vec<ModelInfo>, Option<String>), ProviderError> {
    let s = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let bad = || ProviderError::malformed("the model list has an unexpected shape", &v.to_string());
    match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible | ProviderKind::Anthropic => {
            let data = v.get("data").and_then(Value::as_array).ok_or_else(bad)?;
            let models = data
                .iter()
                .filter_map(|m| {
                    Some(ModelInfo {
                        id: s(m, "id")?,
                        display_name: s(m, "display_name").or_else(|| s(m, "name")),
                        context_length: m.get("context_length").and_then(Value::as_u64),
                    })
                })
                .collect();
            let next = if kind == ProviderKind::Anthropic
                && v.get("has_more").and_then(Value::as_bool) == Some(true)
            {
                s(v, "last_id")
            } else {
                None
            };
            Ok((models, next))
        }
        ProviderKind::Gemini => {
            let data = match v.get("models") {
                Some(m) => m.as_array().ok_or_else(bad)?.as_slice(),
                None => &[],
            };
            let models = data
                .iter()
                .filter_map(|m| {
                    let name = s(m, "name")?;
                    Some(ModelInfo {
                        id: name.strip_prefix("models/").unwrap_or(&name).to_owned(),
                        display_name: s(m, "displayName"),
                        context_length: m.get("inputTokenLimit").and_then(Value::as_u64),
                    })
                })
                .collect();
            Ok((models, s(v, "nextPageToken").filter(|t| !t.is_empty())))
        }
    }
}

/// Every model the endpoint lists, following pages.
pub async fn list_models(exec: &Executor, ep: &Endpoint) -> Result<Vec<ModelInfo>, ProviderError> {
    if ep.needs_key && ep.api_key.is_none() {
        return Err(ep.missing_key_error());
    }
    let mut all = Vec::new();
    let mut page: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let v = exec.get_json(&list_request(ep, page.as_deref())).await?;
        let (models, next) = parse_list(ep.kind, &v)?;
        all.extend(models);
        match next {
            Some(n) if Some(&n) != page.as_ref() => page = Some(n),
            _ => break,
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemini_names_lose_their_models_prefix() {
        let v: Value = serde_json::from_str(
            r#"{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576}],"nextPageToken":"abc"}"#,
        )
        .unwrap();
        let (m, next) = parse_list(ProviderKind::Gemini, &v).unwrap();
        assert_eq!(m[0].id, "gemini-2.5-flash");
        assert_eq!(m[0].context_length, Some(1048576));
        assert_eq!(next.as_deref(), Some("abc"));
    }

    #[test]
    fn openrouter_context_length_is_read() {
        let v: Value = serde_json::from_str(r#"{"data":[{"id":"a/b","name":"B","context_length":8192,"pricing":{"prompt":"0.000001"}}]}"#).unwrap();
        let (m, next) = parse_list(ProviderKind::OpenAiCompatible, &v).unwrap();
        assert_eq!(m[0].context_length, Some(8192));
        assert!(next.is_none());
    }

    #[test]
    fn anthropic_pages_by_last_id() {
        let v: Value = serde_json::from_str(r#"{"data":[{"id":"claude-x","display_name":"X"}],"has_more":true,"last_id":"claude-x"}"#).unwrap();
        let (_, next) = parse_list(ProviderKind::Anthropic, &v).unwrap();
        assert_eq!(next.as_deref(), Some("claude-x"));
    }
}
