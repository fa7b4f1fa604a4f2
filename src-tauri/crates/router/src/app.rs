//! The axum app: state, routes, and serving on a listener.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use bytes::Bytes;
use secrecy::ExposeSecret;
use switchboard_core::http::Executor;
use switchboard_core::prices::book::Prices;
use switchboard_core::providers::Providers;
use switchboard_core::setups::Setup;
use switchboard_core::{ErrorKind, RunEventKind};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::openai::{self, ApiError, ChunkWriter, SseBody};
use crate::relay::{self, CallSpec, Recorder, Refusal, Verdict};
use crate::routing::{Deployment, Resolved, Route};
use crate::{CallLog, RouterConfig, RouterSettings, Spend};

/// Everything a request needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: RouterConfig,
    problems: Vec<String>,
    prices: Prices,
    exec: Executor,
    log: Arc<dyn CallLog>,
    spend: Spend,
    routes: HashMap<String, Arc<Route>>,
    /// The aliases, in the setups' order (for `/v1/models` and 404s).
    aliases: Vec<String>,
    models_body: Bytes,
}

impl AppState {
    /// Resolves every deployment's endpoint and key now (keychain lookups block: call
    /// it off the async executor, e.g. in `spawn_blocking`). A deployment that cannot
    /// be called (no key, unknown provider) stays in its setup and fails like an
    /// upstream error would, so the fallbacks still work; it is listed in
    /// [`problems`](Self::problems).
    pub fn new(
        config: RouterConfig,
        providers: &Providers,
        prices: Prices,
        exec: Executor,
        log: Arc<dyn CallLog>,
        spend: Spend,
    ) -> Self {
        let mut problems = Vec::new();
        let mut routes = HashMap::new();
        let mut aliases = Vec::new();
        // A model in several setups is resolved (a keychain lookup) once.
        let mut resolved = HashMap::new();
        for setup in &config.setups {
            if routes.contains_key(&setup.alias) {
                problems.push(format!(
                    "{}: a second setup has this alias; only the first is served",
                    setup.alias
                ));
                continue;
            }
            let route = build_route(setup, providers, &mut resolved, &mut problems);
            aliases.push(setup.alias.clone());
            routes.insert(setup.alias.clone(), Arc::new(route));
        }
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let data: Vec<serde_json::Value> = aliases
            .iter()
            .map(|a| {
                serde_json::json!({"id": a, "object": "model", "created": created, "owned_by": "switchboard"})
            })
            .collect();
        let models_body =
            Bytes::from(serde_json::json!({"object": "list", "data": data}).to_string());
        Self {
            inner: Arc::new(Inner {
                config,
                problems,
                prices,
                exec,
                log,
                spend,
                routes,
                aliases,
                models_body,
            }),
        }
    }

    pub fn setups(&self) -> &[Setup] {
        &self.inner.config.setups
    }

    /// What cannot be served as configured: `chat: openai/gpt-4o — no key (set OPENAI_API_KEY …)`.
    pub fn problems(&self) -> &[String] {
        &self.inner.problems
    }

    pub fn spend(&self) -> &Spend {
        &self.inner.spend
    }

    pub fn settings(&self) -> &RouterSettings {
        &self.inner.config.settings
    }

    pub(crate) fn token_bytes(&self) -> &[u8] {
        self.inner.config.token.expose_secret().as_bytes()
    }

    pub(crate) fn prices(&self) -> &Prices {
        &self.inner.prices
    }

    pub(crate) fn exec(&self) -> &Executor {
        &self.inner.exec
    }

    pub(crate) fn log(&self) -> &dyn CallLog {
        self.inner.log.as_ref()
    }
}

/// One setup → its route, every deployment resolved once.
fn build_route(
    setup: &Setup,
    providers: &Providers,
    resolved: &mut HashMap<String, Result<Arc<Resolved>, String>>,
    problems: &mut Vec<String>,
) -> Route {
    let groups = setup
        .groups
        .iter()
        .map(|g| {
            g.targets
                .iter()
                .map(|t| {
                    let target = resolved
                        .entry(t.model.clone())
                        .or_insert_with(|| {
                            providers
                                .resolve(&t.model)
                                .map(|(endpoint, model)| {
                                    Arc::new(Resolved {
                                        model: model.to_owned(),
                                        endpoint,
                                    })
                                })
                                .map_err(|e| format!("{} cannot be called: {e}", t.model))
                        })
                        .clone();
                    match &target {
                        Ok(r) if r.endpoint.needs_key && r.endpoint.api_key.is_none() => {
                            problems.push(format!(
                                "{}: {} — {}",
                                setup.alias,
                                t.model,
                                r.endpoint.missing_key_error()
                            ));
                        }
                        Ok(_) => {}
                        Err(why) => problems.push(format!("{}: {why}", setup.alias)),
                    }
                    Deployment::new(&t.model, t.weight, t.params.clone(), target)
                })
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>();
    if groups.iter().all(Vec::is_empty) {
        problems.push(format!("{}: the setup has no models", setup.alias));
    }
    Route {
        alias: setup.alias.clone(),
        groups,
        retries: setup.retries,
        timeout: Duration::from_secs(u64::from(setup.timeout_secs.max(1))),
    }
}

/// The router's routes over `state`.
pub fn app(state: AppState) -> axum::Router {
    let v1 = axum::Router::new()
        .route("/v1/chat/completions", post(chat_completions))
        .route("/chat/completions", post(chat_completions))
        .route("/v1/models", get(models))
        .route("/models", get(models))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::require_token,
        ));
    let mut router = axum::Router::new()
        .route("/health", get(health))
        .merge(v1)
        .fallback(not_found)
        .layer(middleware::from_fn(request_id));
    if let Some(cors) = cors(&state.settings().cors_origins) {
        router = router.layer(cors);
    }
    router.with_state(state)
}

/// CORS for the configured origins; none = no CORS headers at all (browsers refuse).
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers(tower_http::cors::AllowHeaders::mirror_request())
            .expose_headers([
                HeaderName::from_static(DEPLOYMENT),
                HeaderName::from_static(ATTEMPTS),
                HeaderName::from_static(COST),
                HeaderName::from_static(REQUEST_ID),
            ])
            .max_age(Duration::from_secs(600)),
    )
}

const DEPLOYMENT: &str = "x-switchboard-deployment";
const ATTEMPTS: &str = "x-switchboard-attempts";
const COST: &str = "x-switchboard-cost";
const REQUEST_ID: &str = "x-request-id";

/// The request's id: the client's `x-request-id` when it is a sane one, else a new one;
/// echoed on every response and used in the completion ids.
#[derive(Clone)]
struct RequestId(HeaderValue);

async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .filter(|v| {
            let b = v.as_bytes();
            !b.is_empty()
                && b.len() <= 64
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        })
        .cloned()
        .unwrap_or_else(|| {
            let mut s = String::with_capacity(32);
            let n = fastrand::u128(..);
            for i in (0..32).rev() {
                let d = ((n >> (i * 4)) & 0xf) as u32;
                s.push(char::from_digit(d, 16).unwrap_or('0'));
            }
            HeaderValue::from_str(&s).unwrap_or(HeaderValue::from_static("0"))
        });
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(REQUEST_ID, id);
    resp
}

async fn health() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
        .into_response()
}

async fn models(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.inner.models_body.clone(),
    )
        .into_response()
}

async fn not_found(req: Request) -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        format!(
            "{} {} is not something this router serves: it serves POST /v1/chat/completions, GET /v1/models and GET /health",
            req.method(),
            req.uri().path()
        ),
    )
    .code("unknown_url")
    .into_response()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn chat_completions(
    State(state): State<AppState>,
    axum::Extension(RequestId(rid)): axum::Extension<RequestId>,
    headers: HeaderMap,
    openai::Body(body): openai::Body,
) -> Result<Response, ApiError> {
    let parsed = openai::parse(&body)?;
    drop(body);
    let request = Arc::new(parsed.request);
    let client = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let caller = Refusal {
        alias: &parsed.alias,
        request: &request,
        stream: parsed.stream,
        client: client.as_deref(),
    };
    let Some(route) = state.inner.routes.get(&parsed.alias).cloned() else {
        // Recorded too: an app asking for a name the router does not serve is the
        // call its developer most needs to see in the live log.
        let served: Vec<&str> = state.inner.aliases.iter().map(String::as_str).collect();
        let err = ApiError::unknown_model(&parsed.alias, &served);
        drop(Recorder::refused(
            &state,
            caller,
            &err,
            ErrorKind::ModelNotFound,
        ));
        return Err(err);
    };
    if let Err(hit) = state.spend().check(&route.alias, chrono::Utc::now()) {
        let err = ApiError::spend_cap(&hit);
        drop(Recorder::refused(
            &state,
            caller,
            &err,
            ErrorKind::RateLimited,
        ));
        return Err(err);
    }
    let spec = CallSpec {
        route,
        request,
        stream: parsed.stream,
        client,
    };
    let meta = Meta {
        id: format!("chatcmpl-{}", rid.to_str().unwrap_or_default()),
        created: unix_now(),
        include_usage: parsed.include_usage,
    };
    let started = relay::start(&state, spec);
    Ok(if parsed.stream {
        stream_response(started, meta).await
    } else {
        json_response(started, meta).await
    })
}

/// What every chunk of an answer shares.
struct Meta {
    id: String,
    created: u64,
    include_usage: bool,
}

fn route_headers(resp: &mut Response, deployment: Option<&str>, attempts: u32) {
    let h = resp.headers_mut();
    if let Some(d) = deployment.and_then(|d| HeaderValue::from_str(d).ok()) {
        h.insert(DEPLOYMENT, d);
    }
    h.insert(ATTEMPTS, HeaderValue::from(attempts));
}

fn failed(error: ApiError, deployment: Option<&str>, attempts: u32) -> Response {
    let mut resp = error.into_response();
    route_headers(&mut resp, deployment, attempts);
    resp
}

fn vanished() -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the router stopped handling this call; retry it",
    )
    .into_response()
}

/// Waits for the first token of some attempt (earlier attempts may fail and be
/// retried meanwhile), then streams that attempt's answer.
async fn stream_response(started: relay::Started, meta: Meta) -> Response {
    let relay::Started {
        events,
        verdict,
        tried,
        mut call,
    } = started;
    let Some(mut events) = events else {
        return vanished();
    };
    loop {
        // The call runs here, in the client's task, until an attempt commits.
        let ev = std::future::poll_fn(|cx| call.poll_event(&mut events, cx)).await;
        let Some(ev) = ev else { break };
        let commits = matches!(
            &ev.event,
            RunEventKind::Delta { .. }
                | RunEventKind::Reasoning { .. }
                | RunEventKind::Finished { .. }
        );
        if !commits {
            continue;
        }
        let deployment = tried.get(ev.target);
        let writer = ChunkWriter::new(&meta.id, meta.created, &deployment);
        let mut body = SseBody::new(events, ev.target, writer, meta.include_usage, call);
        body.begin(ev.event);
        return sse_response(body, &deployment, ev.target + 1);
    }
    match verdict.await {
        Ok(Verdict::Failed {
            error,
            deployment,
            attempts,
        }) => failed(error, deployment.as_deref(), attempts),
        // An answer with no text and no finish event: still a whole (empty) stream.
        Ok(Verdict::Answered {
            summary,
            deployment,
            attempts,
        }) => {
            let writer = ChunkWriter::new(&meta.id, meta.created, &deployment);
            let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let mut body = SseBody::new(rx, attempts - 1, writer, meta.include_usage, call);
            body.finish_now(RunEventKind::Summary(summary));
            sse_response(body, &deployment, attempts)
        }
        Err(_) => vanished(),
    }
}

fn sse_response(body: SseBody, deployment: &str, attempts: u32) -> Response {
    let mut resp = Response::new(axum::body::Body::from_stream(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    route_headers(&mut resp, Some(deployment), attempts);
    resp
}

async fn json_response(started: relay::Started, meta: Meta) -> Response {
    // Run here, in the client's task: a client gone before the end drops it, which
    // cancels the call (and it ends, recorded, on its own).
    let mut call = started.call;
    (&mut call).await;
    match started.verdict.await {
        Ok(Verdict::Answered {
            summary,
            deployment,
            attempts,
        }) => {
            let body = openai::completion(&meta.id, meta.created, &deployment, &summary);
            let mut resp = (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response();
            route_headers(&mut resp, Some(&deployment), attempts);
            if let Some(v) = summary
                .cost
                .usd
                .and_then(|c| HeaderValue::from_str(&c.normalize().to_string()).ok())
            {
                resp.headers_mut().insert(COST, v);
            }
            resp
        }
        Ok(Verdict::Failed {
            error,
            deployment,
            attempts,
        }) => failed(error, deployment.as_deref(), attempts),
        Err(_) => vanished(),
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then lets the calls in
/// flight finish. Sets TCP_NODELAY on every connection (without it, small SSE chunks
/// wait ~40 ms for the client's delayed ACK).
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let listener = listener.tap_io(|tcp| {
        // Best effort: a socket that refuses it still works, only slower.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
