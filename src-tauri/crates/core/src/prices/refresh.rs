//! Refreshing LiteLLM's price map at run time, so new models and price changes reach
//! users without a new release.
//!
//! The fetched map is cut down exactly like the bundled snapshot and saved as
//! `prices/litellm.json` in the data folder, in the snapshot's format. A refresh that
//! fails in any way (network, status, size, JSON, a suspiciously small map) leaves the
//! saved file untouched: the bundled or previously saved prices stay in use.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::catalog::{keep_entry, Catalog, CatalogMeta};
use crate::http::{error_chain, read_capped, BodyError};

/// LiteLLM's model price map, straight from the main branch.
pub const LITELLM_MAP_URL: &str =
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

/// The refreshed catalog's file name inside [`prices_dir`].
pub const LITELLM_FILE: &str = "litellm.json";

/// Fewer kept entries than this means the download is truncated or not the map at all
/// (the real map keeps several hundred).
pub const MIN_MODELS: usize = 100;

/// Bodies above this are refused: the map is a few MiB, so anything this big is wrong.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// How long a saved map counts as fresh.
const REFRESH_EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// A whole download may take this long; it runs in the background, but must not hang.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

const LITELLM_WHAT: &str = "the LiteLLM price map";

/// Where fetched prices are saved: `{data_dir}/prices`.
pub fn prices_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("prices")
}

fn litellm_path(data_dir: &Path) -> PathBuf {
    prices_dir(data_dir).join(LITELLM_FILE)
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RefreshOutcome {
    /// The server said the saved map is current (HTTP 304); only `checked_at` changed.
    NotModified,
    /// A new map was saved with this many chat models.
    Updated { models: usize, version: String },
}

/// Why a refresh did not save anything. Every message ends by saying the prices in use
/// did not change, because that is what the user needs to know.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(
        "could not download {what}: {message}; the bundled or previously saved prices stay in use"
    )]
    Network { what: &'static str, message: String },
    #[error("{what} could not be downloaded: the server answered HTTP {status}; the bundled or previously saved prices stay in use")]
    Status { what: &'static str, status: u16 },
    #[error("{what} is larger than {limit_mib} MiB and was refused; the bundled or previously saved prices stay in use", limit_mib = MAX_BODY_BYTES / (1024 * 1024))]
    TooLarge { what: &'static str },
    #[error(
        "{what} is not valid JSON ({message}); the bundled or previously saved prices stay in use"
    )]
    InvalidJson { what: &'static str, message: String },
    #[error("{what} has only {models} usable models (at least {minimum} expected), so it looks truncated or wrong and was not saved; the bundled or previously saved prices stay in use")]
    TooFewModels {
        what: &'static str,
        models: usize,
        minimum: usize,
    },
    #[error("could not save {}: {message}; the bundled or previously saved prices stay in use", path.display())]
    Save { path: PathBuf, message: String },
}

/// A GET's result: either the server's "unchanged" or a body within the size limit.
pub(crate) enum Download {
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
}

/// GETs `url` (conditionally when `etag` is given) and reads at most
/// [`MAX_BODY_BYTES`] of body.
pub(crate) async fn download(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    what: &'static str,
) -> Result<Download, RefreshError> {
    let network = |e: reqwest::Error| RefreshError::Network {
        what,
        message: error_chain(&e),
    };
    let mut req = client.get(url).timeout(DOWNLOAD_TIMEOUT);
    if let Some(tag) = etag {
        req = req.header(reqwest::header::IF_NONE_MATCH, tag);
    }
    let resp = req.send().await.map_err(network)?;
    let status = resp.status();
    // A 304 only means something when we asked conditionally.
    if status == reqwest::StatusCode::NOT_MODIFIED && etag.is_some() {
        return Ok(Download::NotModified);
    }
    if status != reqwest::StatusCode::OK {
        return Err(RefreshError::Status {
            what,
            status: status.as_u16(),
        });
    }
    let etag = resp
        .headers()
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = read_capped(resp, MAX_BODY_BYTES)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => RefreshError::TooLarge { what },
            BodyError::Transport(e) => network(e),
        })?;
    Ok(Download::Body { bytes, etag })
}

/// [`crate::atomic_file::write_atomic`], with the error saying what could not be saved.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RefreshError> {
    crate::atomic_file::write_atomic(path, bytes).map_err(|e| RefreshError::Save {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// The saved file: the catalog's meta fields, then `models` (LiteLLM's own entries).
#[derive(Serialize, Deserialize)]
struct SavedFile {
    #[serde(flatten)]
    meta: CatalogMeta,
    models: Map<String, Value>,
}

fn to_json(file: &SavedFile, path: &Path) -> Result<Vec<u8>, RefreshError> {
    serde_json::to_vec_pretty(file).map_err(|e| RefreshError::Save {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Fetches LiteLLM's map from `url` and saves it to `prices/litellm.json`, asking only
/// for a changed map when a usable one is saved already.
pub async fn refresh_litellm(
    client: &reqwest::Client,
    url: &str,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<RefreshOutcome, RefreshError> {
    let path = litellm_path(data_dir);
    // Only a saved file that still loads may answer for a 304; a broken one is
    // replaced by a full download.
    let etag = load_refreshed(data_dir).and_then(|c| c.meta.etag);
    match download(client, url, etag.as_deref(), LITELLM_WHAT).await? {
        Download::NotModified => {
            let text = std::fs::read_to_string(&path).map_err(|e| RefreshError::Save {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let mut file: SavedFile =
                serde_json::from_str(&text).map_err(|e| RefreshError::Save {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            file.meta.checked_at = Some(rfc3339(now));
            write_atomic(&path, &to_json(&file, &path)?)?;
            Ok(RefreshOutcome::NotModified)
        }
        Download::Body { bytes, etag } => {
            let map: Map<String, Value> =
                serde_json::from_slice(&bytes).map_err(|e| RefreshError::InvalidJson {
                    what: LITELLM_WHAT,
                    message: e.to_string(),
                })?;
            let date = now.format("%Y-%m-%d").to_string();
            let meta = CatalogMeta {
                source: "litellm".into(),
                version: format!("litellm map fetched {date}"),
                litellm_version: None,
                source_date: None,
                snapshot_date: Some(date),
                url: Some(url.to_owned()),
                etag,
                checked_at: Some(rfc3339(now)),
                bundled: false,
            };
            let catalog = Catalog::from_models(meta.clone(), &map);
            let models = catalog.entries.len();
            if models < MIN_MODELS {
                return Err(RefreshError::TooFewModels {
                    what: LITELLM_WHAT,
                    models,
                    minimum: MIN_MODELS,
                });
            }
            let kept = map
                .into_iter()
                .filter(|(_, v)| v.as_object().is_some_and(keep_entry))
                .collect();
            let file = SavedFile { meta, models: kept };
            write_atomic(&path, &to_json(&file, &path)?)?;
            Ok(RefreshOutcome::Updated {
                models,
                version: catalog.meta.version,
            })
        }
    }
}

/// The saved refreshed catalog, if there is one and it parses. A corrupt file is
/// ignored (the bundled snapshot is used instead), never fatal.
pub fn load_refreshed(data_dir: &Path) -> Option<Catalog> {
    let text = std::fs::read_to_string(litellm_path(data_dir)).ok()?;
    Catalog::parse(&text).ok()
}

/// Whether a refresh is due: never checked, or last checked 24 h ago or more. A check
/// time in the future (the clock was moved back) also counts as due, or it would block
/// refreshes until that time comes.
pub fn due(data_dir: &Path, now: DateTime<Utc>) -> bool {
    #[derive(Deserialize)]
    struct Checked {
        #[serde(default)]
        checked_at: Option<String>,
    }
    let last = std::fs::read_to_string(litellm_path(data_dir))
        .ok()
        .and_then(|t| serde_json::from_str::<Checked>(&t).ok())
        .and_then(|c| c.checked_at)
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok());
    match last {
        Some(t) => {
            let age = now.signed_duration_since(t);
            !(chrono::TimeDelta::zero()..REFRESH_EVERY).contains(&age)
        }
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prices").join("x.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.json"]);
    }

    #[test]
    fn errors_say_the_prices_in_use_did_not_change() {
        let e = RefreshError::TooLarge { what: LITELLM_WHAT };
        let msg = e.to_string();
        assert!(msg.contains("64 MiB"), "{msg}");
        assert!(
            msg.ends_with("previously saved prices stay in use"),
            "{msg}"
        );
    }

    #[test]
    fn outcome_serializes_tagged() {
        let v = serde_json::to_value(RefreshOutcome::Updated {
            models: 3,
            version: "v".into(),
        })
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"outcome": "updated", "models": 3, "version": "v"})
        );
        let v = serde_json::to_value(RefreshOutcome::NotModified).unwrap();
        assert_eq!(v, serde_json::json!({"outcome": "not_modified"}));
    }
}
