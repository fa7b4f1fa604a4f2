//! The router's HTTP surface: auth, health, models, and the refusals a client can fix,
//! all in OpenAI's error shape.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use support::mock::{openai_says, Mock};
use support::*;
use switchboard_core::ErrorKind;
use switchboard_router::{CapPeriod, SpendCap};

async fn plain_router() -> (Router, Mock) {
    let up = Mock::always(openai_says("hi")).await;
    let r = Opts::new(vec![
        single("chat", "openai/gpt-4o"),
        single("fast", "openai/gpt-4o-mini"),
    ])
    .openai(&up)
    .start()
    .await;
    (r, up)
}

/// Asserts OpenAI's error shape and returns the error object.
async fn openai_error_of(resp: reqwest::Response, status: u16) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/json")
    );
    let v: Value = resp.json().await.unwrap();
    let e = v["error"].clone();
    for k in ["message", "type", "param", "code"] {
        assert!(e.get(k).is_some(), "no `{k}` in {v}");
    }
    assert!(e["message"].as_str().unwrap().len() > 10);
    e
}

#[tokio::test]
async fn health_needs_no_token_and_says_only_ok() {
    let (r, _up) = plain_router().await;
    let resp = client()
        .get(format!("{}/health", r.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "x-request-id").is_some());
    assert_eq!(resp.text().await.unwrap(), r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn v1_needs_the_router_token_by_bearer_or_x_api_key() {
    let (r, up) = plain_router().await;
    let c = client();
    let url = format!("{}/v1/chat/completions", r.url);
    let body = chat_body("chat", "hi", false);
    let e = openai_error_of(c.post(&url).json(&body).send().await.unwrap(), 401).await;
    assert_eq!(e["code"], "invalid_api_key");
    assert_eq!(e["type"], "invalid_request_error");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("Authorization: Bearer"));
    let wrong = c
        .post(&url)
        .bearer_auth("sk-not-it")
        .json(&body)
        .send()
        .await
        .unwrap();
    let e = openai_error_of(wrong, 401).await;
    assert!(e["message"].as_str().unwrap().contains("token is wrong"));
    let models = format!("{}/v1/models", r.url);
    assert_eq!(c.get(&models).send().await.unwrap().status(), 401);
    let by_key = c
        .get(&models)
        .header("x-api-key", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(by_key.status(), 200);
    // Refused requests never reach a provider and are not recorded.
    assert_eq!(up.requests(), 0);
    assert!(r.log.all().is_empty());
}

#[tokio::test]
async fn models_lists_the_setups_aliases() {
    let (r, _up) = plain_router().await;
    for path in ["/v1/models", "/models"] {
        let resp = client()
            .get(format!("{}{path}", r.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["object"], "list");
        let ids: Vec<&str> = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["chat", "fast"]);
        assert_eq!(v["data"][0]["owned_by"], "switchboard");
        assert_eq!(v["data"][0]["object"], "model");
    }
}

#[tokio::test]
async fn malformed_json_and_missing_fields_are_400_in_openais_shape() {
    let (r, up) = plain_router().await;
    let send = |body: &'static str| {
        client()
            .post(format!("{}/v1/chat/completions", r.url))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let e = openai_error_of(send("{\"model\": \"chat\", ").await.unwrap(), 400).await;
    assert_eq!(e["type"], "invalid_request_error");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .starts_with("We could not parse the JSON body"));
    let e = openai_error_of(send(r#"{"model":"chat"}"#).await.unwrap(), 400).await;
    assert_eq!(e["param"], "messages");
    let e = openai_error_of(
        send(r#"{"model":"chat","messages":"hi"}"#).await.unwrap(),
        400,
    )
    .await;
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("Invalid request body"),
        "{e}"
    );
    // The client's own Content-Type is not required to be right either way.
    assert_eq!(up.requests(), 0);
    assert!(r.log.all().is_empty());
}

#[tokio::test]
async fn tools_and_images_are_refused_by_name() {
    let (r, up) = plain_router().await;
    let mut body = chat_body("chat", "weather?", false);
    body["tools"] =
        json!([{"type": "function", "function": {"name": "weather", "parameters": {}}}]);
    let e = openai_error_of(r.post(&body).await, 400).await;
    assert_eq!(e["param"], "tools");
    assert_eq!(e["code"], "unsupported_parameter");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("not supported by the Switchboard router yet"));
    let body = json!({"model": "chat", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]});
    let e = openai_error_of(r.post(&body).await, 400).await;
    assert_eq!(e["param"], "messages[0].content[1].type: image_url");
    assert_eq!(up.requests(), 0);
}

#[tokio::test]
async fn an_unknown_alias_is_404_listing_the_served_ones_and_is_recorded() {
    let (r, up) = plain_router().await;
    let e = openai_error_of(r.post(&chat_body("gpt-5", "hi", false)).await, 404).await;
    assert_eq!(e["code"], "model_not_found");
    assert_eq!(e["param"], "model");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("`gpt-5`") && m.contains("chat, fast"), "{m}");
    assert_eq!(up.requests(), 0);
    // In the history and the live log, where the app's developer looks: the name asked
    // for, the error, and a cost of exactly nothing (not "unpriced").
    let rec = &r.log.wait(1).await[0];
    assert_eq!(
        (
            rec.alias.as_str(),
            rec.http_status,
            rec.attempts,
            rec.deployment.clone()
        ),
        ("gpt-5", 404, 0, None)
    );
    let error = rec.summary.error.as_ref().unwrap();
    assert_eq!(error.kind, ErrorKind::ModelNotFound);
    assert!(error.message.contains("`gpt-5`"), "{}", error.message);
    assert_eq!(rec.summary.cost.usd, Some(Decimal::ZERO));
    assert_eq!(rec.request.messages.last().unwrap().content, "hi");
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let up = Mock::always(openai_says("hi")).await;
    let mut opts = Opts::new(vec![single("chat", "openai/gpt-4o")]).openai(&up);
    opts.settings.max_body_bytes = 1024;
    let r = opts.start().await;
    let big = chat_body("chat", &"x".repeat(4096), false);
    let e = openai_error_of(r.post(&big).await, 413).await;
    assert_eq!(e["code"], "request_too_large");
    assert!(e["message"].as_str().unwrap().contains("1024 bytes"));
    // Without a Content-Length (chunked upload) the limit holds too.
    let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(
        serde_json::to_vec(&big).unwrap(),
    )]);
    let resp = client()
        .post(format!("{}/v1/chat/completions", r.url))
        .bearer_auth(TOKEN)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    openai_error_of(resp, 413).await;
    // Under the limit it goes through.
    assert_eq!(r.post(&chat_body("chat", "hi", false)).await.status(), 200);
    assert_eq!(up.requests(), 1);
}

#[tokio::test]
async fn cors_is_off_by_default_and_on_for_the_configured_origins() {
    let (r, _up) = plain_router().await;
    let preflight = |url: String| {
        client()
            .request(reqwest::Method::OPTIONS, url)
            .header("origin", "http://localhost:5173")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let resp = preflight(format!("{}/v1/chat/completions", r.url))
        .await
        .unwrap();
    assert!(header(&resp, "access-control-allow-origin").is_none());
    assert!(!resp.status().is_success());
    let resp = client()
        .get(format!("{}/v1/models", r.url))
        .bearer_auth(TOKEN)
        .header("origin", "http://localhost:5173")
        .send()
        .await
        .unwrap();
    assert!(header(&resp, "access-control-allow-origin").is_none());

    let up = Mock::always(openai_says("hi")).await;
    let mut opts = Opts::new(vec![single("chat", "openai/gpt-4o")]).openai(&up);
    opts.settings.cors_origins = vec!["http://localhost:5173".into()];
    let r = opts.start().await;
    let resp = preflight(format!("{}/v1/chat/completions", r.url))
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some("http://localhost:5173")
    );
    let resp = client()
        .post(format!("{}/v1/chat/completions", r.url))
        .bearer_auth(TOKEN)
        .header("origin", "http://localhost:5173")
        .json(&chat_body("chat", "hi", false))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some("http://localhost:5173")
    );
    let exposed = header(&resp, "access-control-expose-headers").unwrap();
    assert!(exposed.contains("x-switchboard-deployment"), "{exposed}");
    // Another origin gets no grant.
    let resp = client()
        .get(format!("{}/v1/models", r.url))
        .bearer_auth(TOKEN)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(header(&resp, "access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_reached_spend_cap_is_429_with_retry_after_and_is_recorded() {
    let up = Mock::always(openai_says("hi")).await;
    let mut opts = Opts::new(vec![single("chat", "openai/gpt-4o")]).openai(&up);
    opts.caps = vec![SpendCap {
        alias: Some("chat".into()),
        period: CapPeriod::Day,
        usd: Decimal::ZERO,
    }];
    let r = opts.start().await;
    let resp = r.post(&chat_body("chat", "hi", false)).await;
    let after: u64 = header(&resp, "retry-after").unwrap().parse().unwrap();
    assert!(after > 0 && after <= 86_400);
    let e = openai_error_of(resp, 429).await;
    assert_eq!(e["type"], "spend_cap_reached");
    assert_eq!(e["code"], "spend_cap_reached");
    assert!(e["message"]
        .as_str()
        .unwrap()
        .contains("daily spend cap for `chat`"));
    assert_eq!(up.requests(), 0);
    let rec = &r.log.wait(1).await[0];
    assert_eq!(
        (rec.http_status, rec.attempts, rec.deployment.clone()),
        (429, 0, None)
    );
    assert_eq!(
        rec.summary.error.as_ref().unwrap().kind,
        ErrorKind::RateLimited
    );
    assert_eq!(rec.summary.cost.usd, Some(Decimal::ZERO));
}

#[tokio::test]
async fn unknown_paths_are_404_in_openais_shape() {
    let (r, _up) = plain_router().await;
    let resp = client()
        .get(format!("{}/v1/embeddings", r.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let e = openai_error_of(resp, 404).await;
    assert_eq!(e["code"], "unknown_url");
}
