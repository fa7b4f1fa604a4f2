//! The provider settings that are not secrets: `providers.json` in the data folder —
//! base-URL overrides for presets and the user's custom OpenAI-compatible endpoints.
//! Keys are never here (they are in the keychain); headers that look like credentials
//! are refused, so one cannot end up here either.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::providers::{compat, CustomEndpoint, Providers};

const MAX_NAME_LEN: usize = 40;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProviderConfig {
    /// A preset's base URL, by preset id; beats its `<PROVIDER>_BASE_URL` variable.
    #[serde(default)]
    pub base_urls: BTreeMap<String, String>,
    /// Custom OpenAI-compatible endpoints, usable as `name/model`.
    #[serde(default)]
    pub custom: Vec<CustomEndpointConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CustomEndpointConfig {
    /// The model-id prefix and keychain account: lower-case letters, digits, `-`, `_`, `.`.
    pub name: String,
    pub base_url: String,
    /// Sent with every request (not secrets: those go in the key).
    #[serde(default)]
    pub headers: Vec<HeaderPair>,
    /// The header the key is sent in, raw (e.g. `api-key`); `None` = `Authorization: Bearer`.
    #[serde(default)]
    pub key_header: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HeaderPair {
    pub name: String,
    pub value: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderConfigError {
    /// What the user typed; the message says what to type instead.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    File(#[from] crate::json_file::JsonFileError),
}

const WHAT: &str = "the provider settings";

fn invalid(msg: impl Into<String>) -> ProviderConfigError {
    ProviderConfigError::Invalid(msg.into())
}

impl ProviderConfig {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("providers.json")
    }

    /// The saved settings; empty when there are none.
    pub fn load(data_dir: &Path) -> Result<Self, ProviderConfigError> {
        Ok(crate::json_file::load(&Self::path(data_dir), WHAT)?)
    }

    /// Writes the file whole, atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), ProviderConfigError> {
        Ok(crate::json_file::save(&Self::path(data_dir), WHAT, self)?)
    }

    /// Puts the base URLs and custom endpoints into `providers`.
    pub fn apply_to(&self, providers: &mut Providers) {
        for (id, url) in &self.base_urls {
            providers.set_base_url(id, url);
        }
        for c in &self.custom {
            providers.add_custom(CustomEndpoint {
                name: c.name.clone(),
                base_url: c.base_url.clone(),
                key_env: None,
                extra_headers: c
                    .headers
                    .iter()
                    .map(|h| (h.name.clone(), h.value.clone()))
                    .collect(),
                key_header: c.key_header.clone(),
            });
        }
    }

    /// Sets (`Some`) or clears (`None`) a preset's base URL. Returns the preset's id.
    pub fn set_base_url(
        &mut self,
        provider: &str,
        url: Option<&str>,
    ) -> Result<String, ProviderConfigError> {
        let preset = compat::preset(provider).ok_or_else(|| {
            invalid(format!(
                "`{provider}` is not a built-in provider; a custom endpoint's URL is edited with the endpoint"
            ))
        })?;
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let u = check_base_url(u)?;
                self.base_urls.insert(preset.id.to_owned(), u);
            }
            None => {
                self.base_urls.remove(preset.id);
            }
        }
        Ok(preset.id.to_owned())
    }

    /// Adds a custom endpoint, or replaces the one named `replacing` (an edit, which
    /// may rename it). Returns the endpoint as saved (trimmed, checked).
    pub fn upsert_custom(
        &mut self,
        replacing: Option<&str>,
        ep: CustomEndpointConfig,
    ) -> Result<CustomEndpointConfig, ProviderConfigError> {
        let ep = check_custom(ep)?;
        if let Some(old) = replacing {
            if !self.custom.iter().any(|c| c.name == old) {
                return Err(invalid(format!(
                    "there is no custom endpoint named `{old}`"
                )));
            }
        }
        if replacing != Some(ep.name.as_str()) && self.custom.iter().any(|c| c.name == ep.name) {
            return Err(invalid(format!(
                "a custom endpoint named `{}` already exists; pick another name or edit that one",
                ep.name
            )));
        }
        match replacing.and_then(|old| self.custom.iter_mut().find(|c| c.name == old)) {
            Some(slot) => *slot = ep.clone(),
            None => self.custom.push(ep.clone()),
        }
        Ok(ep)
    }

    /// Removes a custom endpoint; whether it existed.
    pub fn remove_custom(&mut self, name: &str) -> bool {
        let before = self.custom.len();
        self.custom.retain(|c| c.name != name);
        self.custom.len() != before
    }
}

/// An http(s) URL without credentials in it, without a trailing slash.
pub fn check_base_url(url: &str) -> Result<String, ProviderConfigError> {
    let u = url.trim();
    let parsed = reqwest::Url::parse(u).map_err(|e| {
        invalid(format!(
            "`{u}` is not a URL ({e}); write it like https://host/v1"
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "the base URL must start with http:// or https:// (got `{}:`)",
            parsed.scheme()
        )));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the base URL needs a host, like https://host/v1"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "the base URL must not carry a user name or password; put the key in the key field",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid(
            "the base URL must not have a `?query` or `#fragment`; give the path the API lives under, like https://host/v1",
        ));
    }
    Ok(u.trim_end_matches('/').to_owned())
}

/// A name, as a model-id prefix and keychain account: unique, not a built-in's.
pub fn check_name(name: &str) -> Result<String, ProviderConfigError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(invalid("give the endpoint a name, like `my-vllm`"));
    }
    let ok_chars = n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if !ok_chars || !n.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(invalid(format!(
            "`{n}`: a name is lower-case letters, digits, `-`, `_` and `.`, starting with a letter or digit (it becomes the model prefix, as in `{}/model`)",
            n.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        )));
    }
    if n.len() > MAX_NAME_LEN {
        return Err(invalid(format!(
            "the name is longer than {MAX_NAME_LEN} characters"
        )));
    }
    if let Some(p) = compat::preset(n) {
        return Err(invalid(format!(
            "`{n}` is the built-in {} provider; choose another name (or set {}'s base URL instead)",
            p.label, p.label
        )));
    }
    Ok(n.to_owned())
}

/// Header names that carry credentials: those belong in the key (keychain), not here.
fn looks_like_credential(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "auth", "key", "token", "secret", "password", "cookie", "session",
    ]
    .iter()
    .any(|w| n.contains(w))
}

fn check_header_name(name: &str) -> Result<String, ProviderConfigError> {
    let n = name.trim();
    HeaderName::from_bytes(n.as_bytes()).map_err(|_| {
        invalid(format!(
            "`{n}` is not a valid header name (letters, digits and `-`)"
        ))
    })?;
    Ok(n.to_owned())
}

fn check_custom(ep: CustomEndpointConfig) -> Result<CustomEndpointConfig, ProviderConfigError> {
    let name = check_name(&ep.name)?;
    let base_url = check_base_url(&ep.base_url)?;
    let mut headers = Vec::with_capacity(ep.headers.len());
    for h in ep.headers {
        if h.name.trim().is_empty() && h.value.trim().is_empty() {
            continue; // an empty row in the form
        }
        let hn = check_header_name(&h.name)?;
        if looks_like_credential(&hn) {
            return Err(invalid(format!(
                "`{hn}` looks like a credential, and headers are saved in plain text: put the secret in the key field (kept in the keychain) and set \"Send the key in\" to `{hn}`"
            )));
        }
        let value = h.value.trim().to_owned();
        HeaderValue::from_str(&value).map_err(|_| {
            invalid(format!(
                "the value of `{hn}` has characters a header cannot carry"
            ))
        })?;
        if headers
            .iter()
            .any(|x: &HeaderPair| x.name.eq_ignore_ascii_case(&hn))
        {
            return Err(invalid(format!("the header `{hn}` is given twice")));
        }
        headers.push(HeaderPair { name: hn, value });
    }
    let key_header = match ep.key_header.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(h) if h.eq_ignore_ascii_case("authorization") => None,
        Some(h) => Some(check_header_name(h)?.to_ascii_lowercase()),
    };
    Ok(CustomEndpointConfig {
        name,
        base_url,
        headers,
        key_header,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(name: &str, url: &str) -> CustomEndpointConfig {
        CustomEndpointConfig {
            name: name.into(),
            base_url: url.into(),
            headers: vec![],
            key_header: None,
        }
    }

    #[test]
    fn custom_endpoints_are_checked_added_renamed_and_removed() {
        let mut c = ProviderConfig::default();
        let saved = c
            .upsert_custom(None, ep(" my-vllm ", "http://127.0.0.1:8000/v1/"))
            .unwrap();
        assert_eq!(saved.name, "my-vllm");
        assert_eq!(saved.base_url, "http://127.0.0.1:8000/v1");
        let dup = c
            .upsert_custom(None, ep("my-vllm", "http://x/v1"))
            .unwrap_err();
        assert!(dup.to_string().contains("already exists"), "{dup}");
        c.upsert_custom(Some("my-vllm"), ep("vllm2", "http://127.0.0.1:9/v1"))
            .unwrap();
        assert_eq!(c.custom.len(), 1);
        assert_eq!(c.custom[0].name, "vllm2");
        assert!(c.remove_custom("vllm2"));
        assert!(!c.remove_custom("vllm2"));
    }

    #[test]
    fn refuses_what_would_break_or_leak() {
        let mut c = ProviderConfig::default();
        for (e, needle) in [
            (ep("openai", "http://x/v1"), "built-in OpenAI"),
            (ep("google", "http://x/v1"), "built-in Google Gemini"),
            (ep("My LLM", "http://x/v1"), "lower-case"),
            (ep("a/b", "http://x/v1"), "lower-case"),
            (ep("ok", "ftp://x/v1"), "http://"),
            (ep("ok", "localhost:8000"), "http://"),
            (ep("ok", "https://user:pw@x/v1"), "user name or password"),
            (ep("ok", "https://x/v1?key=1"), "query"),
        ] {
            let err = c.upsert_custom(None, e).unwrap_err().to_string();
            assert!(err.contains(needle), "{err} should mention {needle}");
        }
        let mut e = ep("ok", "http://x/v1");
        e.headers = vec![HeaderPair {
            name: "X-Api-Key".into(),
            value: "sk-secret-in-a-header".into(),
        }];
        let err = c.upsert_custom(None, e).unwrap_err().to_string();
        assert!(err.contains("key field"), "{err}");
        assert!(!err.contains("sk-secret"), "{err}");
        assert!(c.custom.is_empty());
    }

    #[test]
    fn key_header_and_headers_are_normalised_and_applied() {
        let mut c = ProviderConfig::default();
        let mut e = ep("azure-ish", "https://x.example/openai/v1");
        e.key_header = Some("Api-Key".into());
        e.headers = vec![
            HeaderPair {
                name: "X-Team".into(),
                value: " growth ".into(),
            },
            HeaderPair {
                name: " ".into(),
                value: "".into(),
            },
        ];
        let saved = c.upsert_custom(None, e).unwrap();
        assert_eq!(saved.key_header.as_deref(), Some("api-key"));
        assert_eq!(saved.headers.len(), 1);
        assert_eq!(saved.headers[0].value, "growth");
        c.set_base_url("google", Some("http://127.0.0.1:9/"))
            .unwrap();
        assert_eq!(c.base_urls["gemini"], "http://127.0.0.1:9");
        let mut p = Providers::from_env();
        c.apply_to(&mut p);
        let g = p.endpoint("gemini").unwrap();
        assert_eq!(g.base_url, "http://127.0.0.1:9");
        assert_eq!(g.base_url_source, crate::providers::BaseUrlSource::Settings);
        let a = p.endpoint("azure-ish").unwrap();
        assert_eq!(a.key_header.as_deref(), Some("api-key"));
        assert_eq!(a.extra_headers, vec![("X-Team".into(), "growth".into())]);
        c.set_base_url("gemini", None).unwrap();
        assert!(c.base_urls.is_empty());
        assert!(c.set_base_url("azure-ish", Some("http://x")).is_err());
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            ProviderConfig::load(dir.path()).unwrap(),
            ProviderConfig::default()
        );
        let mut c = ProviderConfig::default();
        c.upsert_custom(None, ep("lab", "http://10.0.0.2:8000/v1"))
            .unwrap();
        c.save(dir.path()).unwrap();
        assert_eq!(ProviderConfig::load(dir.path()).unwrap(), c);
        std::fs::write(ProviderConfig::path(dir.path()), "{").unwrap();
        assert!(matches!(
            ProviderConfig::load(dir.path()),
            Err(ProviderConfigError::File(
                crate::json_file::JsonFileError::Corrupt { .. }
            ))
        ));
    }
}
