//! Ready client code for an export: curl, Python and TypeScript with the official
//! OpenAI SDKs, pointed at the LiteLLM proxy, the Portkey gateway or OpenRouter.
//!
//! Each snippet is a whole program that runs as it is once the gateway is up and the
//! variables are set. Keys come from the environment or the saved config file; the
//! snippets never hold one, not even in the keychain export (they read the file).

use serde_json::Value;

use super::litellm::MASTER_KEY_ENV;
use super::{Context, ExportOptions, Format, PortkeyKeys, Snippet};
use crate::setups::Setup;

const LITELLM_URL: &str = "http://127.0.0.1:4000/v1";
const PORTKEY_LOCAL_URL: &str = "http://127.0.0.1:8787/v1";
const PORTKEY_HOSTED_URL: &str = "https://api.portkey.ai/v1";
const OPENROUTER_URL: &str = "https://openrouter.ai/api/v1";
/// The parameters the OpenAI SDKs take as named arguments; anything else in an
/// OpenRouter body goes through `extra_body`.
const SDK_PARAMS: [&str; 5] = ["temperature", "top_p", "max_tokens", "stop", "seed"];

/// The snippets for an export whose file is `text`.
pub fn for_export(
    opts: &ExportOptions,
    setups: &[Setup],
    text: &str,
    ctx: &Context<'_>,
) -> Vec<Snippet> {
    let _ = ctx;
    let Some(first) = setups.first() else {
        return Vec::new();
    };
    let alias = first.alias.as_str();
    match opts.format {
        Format::Litellm => litellm(alias, setups),
        Format::Portkey => portkey(alias, opts.portkey_keys),
        Format::Openrouter => openrouter(first, text),
    }
}

/// How every TypeScript program ends: print the answer (with the model that gave it)
/// and exit non-zero on an error.
const TS_MAIN_END: &str =
    "  console.log(`[${response.model}]`, response.choices[0]?.message.content);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
";

fn snippet(title: &str, language: &str, code: String) -> Snippet {
    Snippet {
        title: title.to_owned(),
        language: language.to_owned(),
        code,
    }
}

/// `s` as a double-quoted string literal for Python, TypeScript and JSON alike.
fn quoted(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn litellm(alias: &str, setups: &[Setup]) -> Vec<Snippet> {
    let model = quoted(alias);
    let others: Vec<&str> = setups.iter().skip(1).map(|s| s.alias.as_str()).collect();
    let also = if others.is_empty() {
        String::new()
    } else {
        format!(" (the config also serves: {})", others.join(", "))
    };
    let start = "litellm --config litellm-config.yaml --port 4000";
    let curl = format!(
        r#"# Start the proxy first: {start}
# LITELLM_MASTER_KEY is the key the proxy was started with.
curl {LITELLM_URL}/chat/completions \
  -H "Authorization: Bearer ${MASTER_KEY_ENV}" \
  -H "Content-Type: application/json" \
  -d '{{"model": {model}, "messages": [{{"role": "user", "content": "Hello"}}]}}'
"#
    );
    let python = format!(
        r#"# pip install openai
# Start the proxy first: {start}
import os

from openai import OpenAI

client = OpenAI(
    base_url="{LITELLM_URL}",
    api_key=os.environ["{MASTER_KEY_ENV}"],
)

# `model` is the setup's alias{also}.
response = client.chat.completions.create(
    model={model},
    messages=[{{"role": "user", "content": "Hello"}}],
)
print(f"[{{response.model}}]", response.choices[0].message.content)
{stream}"#,
        stream = python_stream(&model, "")
    );
    let typescript = format!(
        r#"// npm install openai; run with: npx tsx chat.ts
// Start the proxy first: {start}
import OpenAI from "openai";

const client = new OpenAI({{
  baseURL: "{LITELLM_URL}",
  apiKey: process.env.{MASTER_KEY_ENV} ?? "",
}});

async function main(): Promise<void> {{
  // `model` is the setup's alias{also}.
  const response = await client.chat.completions.create({{
    model: {model},
    messages: [{{ role: "user", content: "Hello" }}],
  }});
{TS_MAIN_END}"#
    );
    vec![
        snippet("curl", "bash", curl),
        snippet("Python", "python", python),
        snippet("TypeScript", "typescript", typescript),
    ]
}

/// The call of `create(model=…, messages=…, rest)` again, streamed; `rest` is lines of
/// further arguments, each ending in ",\n".
fn python_stream(model: &str, rest: &str) -> String {
    python_stream_noted(model, rest, "")
}

/// [`python_stream`] with `note` (comment lines, each ending in "\n") before the call.
fn python_stream_noted(model: &str, rest: &str, note: &str) -> String {
    format!(
        r#"
# The same call, streamed.
{note}stream = client.chat.completions.create(
    model={model},
    messages=[{{"role": "user", "content": "Hello"}}],
{rest}    stream=True,
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
print()
"#
    )
}

fn portkey(alias: &str, keys: PortkeyKeys) -> Vec<Snippet> {
    let file = format!("portkey-{alias}.json");
    // The model comes from the config's override_params; the SDKs still want one.
    let model = quoted(alias);
    let hosted = keys == PortkeyKeys::VirtualKeys;
    let (url, start, fill_note) = if hosted {
        (
            PORTKEY_HOSTED_URL,
            "# Hosted Portkey: create a virtual key for each provider (Portkey dashboard →\n# Virtual Keys), put its slug in the config's virtual_key fields, and set\n# PORTKEY_API_KEY.".to_owned(),
            "",
        )
    } else {
        (
            PORTKEY_LOCAL_URL,
            "# Start the gateway first: npx @portkey-ai/gateway   (listens on port 8787)"
                .to_owned(),
            if keys == PortkeyKeys::Placeholders {
                " ${VAR} placeholders in it are filled\n# from the environment here, so the file holds no key."
            } else {
                ""
            },
        )
    };
    // A header is one line: the saved (pretty) config is sent compacted.
    let curl = if hosted {
        format!(
            r#"{start}
curl {url}/chat/completions \
  -H "Content-Type: application/json" \
  -H "x-portkey-api-key: $PORTKEY_API_KEY" \
  -H "x-portkey-config: $(tr -d '\n' < {file})" \
  -d '{{"model": {model}, "messages": [{{"role": "user", "content": "Hello"}}]}}'
"#
        )
    } else {
        let read = if keys == PortkeyKeys::Placeholders {
            format!("envsubst < {file} | tr -d '\\n'")
        } else {
            format!("tr -d '\\n' < {file}")
        };
        format!(
            r#"{start}
# The config travels in the x-portkey-config header.{fill_note}
curl {url}/chat/completions \
  -H "Content-Type: application/json" \
  -H "x-portkey-config: $({read})" \
  -d '{{"model": {model}, "messages": [{{"role": "user", "content": "Hello"}}]}}'
"#
        )
    };
    let py_read = if keys == PortkeyKeys::Placeholders {
        format!(
            "# Each ${{VAR}} is replaced by the variable's value (empty when unset).\ntext = re.sub(\n    r\"\\$\\{{(\\w+)\\}}\",\n    lambda m: os.environ.get(m.group(1), \"\"),\n    Path(\"{file}\").read_text(),\n)"
        )
    } else {
        format!("text = Path(\"{file}\").read_text()")
    };
    let py_imports = match keys {
        PortkeyKeys::Placeholders => "import json\nimport os\nimport re\nfrom pathlib import Path",
        PortkeyKeys::VirtualKeys => "import json\nimport os\nfrom pathlib import Path",
        PortkeyKeys::Keychain => "import json\nfrom pathlib import Path",
    };
    let (py_key, py_headers) = if hosted {
        (
            "\"unused\",  # Portkey routes with the virtual keys in the config",
            "        \"x-portkey-api-key\": os.environ[\"PORTKEY_API_KEY\"],\n        \"x-portkey-config\": config,\n",
        )
    } else {
        (
            "\"unused\",  # the gateway takes the keys from the config",
            "        \"x-portkey-config\": config,\n",
        )
    };
    // A known upstream bug: with the @hono/node-server that npm picks by default,
    // every streamed reply from the open-source gateway fails with a 500.
    let stream_note = if hosted {
        ""
    } else {
        "# Streaming through the open-source gateway needs @hono/node-server 1.14.1:\n# install the gateway with \"overrides\": {\"@hono/node-server\": \"1.14.1\"} in\n# package.json and run node node_modules/@portkey-ai/gateway/build/start-server.js\n"
    };
    let python = format!(
        r#"# pip install openai
{start}
{py_imports}

from openai import OpenAI

{py_read}
# A header is one line: the config is sent compacted.
config = json.dumps(json.loads(text))

client = OpenAI(
    base_url="{url}",
    api_key={py_key}
    default_headers={{
{py_headers}    }},
)

# The config picks the models; `model` is only what the SDK requires.
response = client.chat.completions.create(
    model={model},
    messages=[{{"role": "user", "content": "Hello"}}],
)
print(f"[{{response.model}}]", response.choices[0].message.content)
{stream}"#,
        stream = python_stream_noted(&model, "", stream_note),
    );
    let ts_read = if keys == PortkeyKeys::Placeholders {
        format!(
            "// Each ${{VAR}} is replaced by the variable's value (empty when unset).\nconst text = readFileSync(\"{file}\", \"utf8\").replace(\n  /\\$\\{{(\\w+)\\}}/g,\n  (_match: string, name: string) => process.env[name] ?? \"\",\n);"
        )
    } else {
        format!("const text = readFileSync(\"{file}\", \"utf8\");")
    };
    let ts_headers = if hosted {
        "    \"x-portkey-api-key\": process.env.PORTKEY_API_KEY ?? \"\",\n    \"x-portkey-config\": config,\n"
    } else {
        "    \"x-portkey-config\": config,\n"
    };
    let typescript = format!(
        r#"// npm install openai; run with: npx tsx chat.ts
{ts_start}
import {{ readFileSync }} from "node:fs";
import OpenAI from "openai";

{ts_read}
// A header is one line: the config is sent compacted.
const config = JSON.stringify(JSON.parse(text));

const client = new OpenAI({{
  baseURL: "{url}",
  apiKey: "unused",
  defaultHeaders: {{
{ts_headers}  }},
}});

async function main(): Promise<void> {{
  // The config picks the models; `model` is only what the SDK requires.
  const response = await client.chat.completions.create({{
    model: {model},
    messages: [{{ role: "user", content: "Hello" }}],
  }});
{TS_MAIN_END}"#,
        ts_start = start.replace("# ", "// ").replace("\n#", "\n//")
    );
    vec![
        snippet("curl", "bash", curl),
        snippet("Python", "python", python),
        snippet("TypeScript", "typescript", typescript),
    ]
}

fn openrouter(setup: &Setup, text: &str) -> Vec<Snippet> {
    let file = format!("openrouter-{}.json", setup.alias);
    let body: serde_json::Map<String, Value> = match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let curl = format!(
        r#"# The request body is the exported file.
curl {OPENROUTER_URL}/chat/completions \
  -H "Authorization: Bearer $OPENROUTER_API_KEY" \
  -H "Content-Type: application/json" \
  -d @{file}
"#
    );
    // Named SDK arguments, then everything OpenRouter-specific in extra_body.
    let mut kwargs = String::new();
    let mut extra = serde_json::Map::new();
    for (k, v) in &body {
        match k.as_str() {
            "model" | "messages" => {}
            k if SDK_PARAMS.contains(&k) => {
                kwargs.push_str(&format!("    {k}={},\n", py(v, 1)));
            }
            _ => {
                extra.insert(k.clone(), v.clone());
            }
        }
    }
    let extra_py = py(&Value::Object(extra.clone()), 1);
    let python = format!(
        r#"# pip install openai
import os

from openai import OpenAI

# OpenRouter has no retries or timeout in the request: the client does them.
client = OpenAI(
    base_url="{OPENROUTER_URL}",
    api_key=os.environ["OPENROUTER_API_KEY"],
    timeout={timeout},
    max_retries={retries},
)

# `models` is tried in order; the answer says which model replied.
response = client.chat.completions.create(
    model={model_q},
    messages=[{{"role": "user", "content": "Hello"}}],
{kwargs}    extra_body={extra_py},
)
print(f"[{{response.model}}]", response.choices[0].message.content)
{stream}"#,
        timeout = setup.timeout_secs,
        retries = setup.retries,
        model_q = quoted(&model),
        stream = python_stream(
            &quoted(&model),
            &format!("{kwargs}    extra_body={extra_py},\n")
        ),
    );
    let mut extra_fields = vec!["models: string[]", "provider: Record<string, unknown>"];
    if extra.contains_key("reasoning") {
        extra_fields.push("reasoning: Record<string, unknown>");
    }
    let body_ts = ts_body(&body);
    let typescript = format!(
        r#"// npm install openai; run with: npx tsx chat.ts
import OpenAI from "openai";

// OpenRouter has no retries or timeout in the request: the client does them.
const client = new OpenAI({{
  baseURL: "{OPENROUTER_URL}",
  apiKey: process.env.OPENROUTER_API_KEY ?? "",
  timeout: {timeout_ms},
  maxRetries: {retries},
}});

// OpenRouter's routing fields ride along with the usual ones; the SDK sends them as
// they are.
type OpenRouterRequest = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & {{
  {fields};
}};

async function main(): Promise<void> {{
  // `models` is tried in order; the answer says which model replied.
  const body: OpenRouterRequest = {body_ts};
  const response = await client.chat.completions.create(body);
{TS_MAIN_END}"#,
        timeout_ms = u64::from(setup.timeout_secs) * 1000,
        retries = setup.retries,
        fields = extra_fields.join(";\n  "),
    );
    vec![
        snippet("curl", "bash", curl),
        snippet("Python", "python", python),
        snippet("TypeScript", "typescript", typescript),
    ]
}

/// The body as a TypeScript object literal inside `main` (two levels in).
fn ts_body(body: &serde_json::Map<String, Value>) -> String {
    let pretty = serde_json::to_string_pretty(body).unwrap_or_else(|_| "{}".to_owned());
    pretty.replace('\n', "\n  ")
}

/// A JSON value as a Python literal, pretty-printed from indentation `level`.
fn py(v: &Value, level: usize) -> String {
    let pad = "    ".repeat(level + 1);
    let close = "    ".repeat(level);
    match v {
        Value::Null => "None".into(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted(s),
        Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let items: Vec<String> = a.iter().map(|x| py(x, level)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|x| format!("{pad}{},\n", py(x, level + 1)))
                .collect();
            format!("[\n{}{close}]", items.concat())
        }
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{pad}{}: {},\n", quoted(k), py(x, level + 1)))
                .collect();
            format!("{{\n{}{close}}}", items.concat())
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::gateway::portkey::fixtures::*;
    use crate::gateway::{export, Export};
    use crate::prices::book::PriceBook;

    fn export_as(format: Format, keys: PortkeyKeys, setups: &[Setup]) -> Export {
        let p = planted();
        let prices = PriceBook::bundled();
        let opts = ExportOptions {
            format,
            portkey_keys: keys,
        };
        export(
            setups,
            &opts,
            &Context {
                providers: &p,
                prices: &prices,
            },
        )
    }

    fn joined(e: &Export) -> String {
        e.snippets
            .iter()
            .map(|s| format!("===== {} ({})\n{}", s.title, s.language, s.code))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The three-model fallback, every target with the same parameters.
    fn with_params() -> Setup {
        let mut s = three_fallback();
        for g in &mut s.groups {
            g.targets[0].params.temperature = Some(0.2);
            g.targets[0].params.max_tokens = Some(400);
        }
        s
    }

    #[test]
    fn litellm_snippets_call_the_alias_on_the_proxy() {
        let e = export_as(
            Format::Litellm,
            PortkeyKeys::Placeholders,
            &[three_fallback(), balanced()],
        );
        let titles: Vec<&str> = e.snippets.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["curl", "Python", "TypeScript"]);
        for s in &e.snippets {
            assert!(s.code.contains("127.0.0.1:4000/v1"), "{}", s.code);
            assert!(s.code.contains("\"chat\""), "{}", s.code);
            assert!(s.code.contains("LITELLM_MASTER_KEY"), "{}", s.code);
        }
        insta::assert_snapshot!("litellm", joined(&e));
    }

    #[test]
    fn portkey_snippets_send_the_saved_config_in_its_header() {
        for keys in [
            PortkeyKeys::Placeholders,
            PortkeyKeys::VirtualKeys,
            PortkeyKeys::Keychain,
        ] {
            let e = export_as(Format::Portkey, keys, &[three_fallback()]);
            for s in &e.snippets {
                assert!(s.code.contains("x-portkey-config"), "{keys:?}: {}", s.code);
                assert!(s.code.contains(&e.file_name), "{keys:?}: {}", s.code);
                let hosted = s.code.contains("api.portkey.ai");
                assert_eq!(hosted, keys == PortkeyKeys::VirtualKeys, "{}", s.code);
                assert_eq!(s.code.contains("PORTKEY_API_KEY"), hosted, "{}", s.code);
            }
        }
        let e = export_as(
            Format::Portkey,
            PortkeyKeys::Placeholders,
            &[three_fallback()],
        );
        insta::assert_snapshot!("portkey_placeholders", joined(&e));
        let e = export_as(
            Format::Portkey,
            PortkeyKeys::VirtualKeys,
            &[three_fallback()],
        );
        insta::assert_snapshot!("portkey_virtual_keys", joined(&e));
    }

    #[test]
    fn openrouter_snippets_carry_the_routing_fields() {
        let e = export_as(
            Format::Openrouter,
            PortkeyKeys::Placeholders,
            &[with_params()],
        );
        let body: Value = serde_json::from_str(&e.text).unwrap();
        let py = &e.snippets[1].code;
        assert!(py.contains("extra_body="), "{py}");
        assert!(py.contains("\"openai/gpt-4o\""), "{py}");
        assert!(py.contains("temperature=0.2"), "{py}");
        assert!(e.snippets[0].code.contains(&format!("-d @{}", e.file_name)));
        // The TypeScript body is the exported body itself.
        let ts = &e.snippets[2].code;
        let start = ts.find("= {\n").unwrap() + 2;
        let end = ts[start..].find("\n  };").unwrap() + start + 4;
        let literal: Value = serde_json::from_str(&ts[start..end]).unwrap();
        assert_eq!(literal, body);
        insta::assert_snapshot!("openrouter", joined(&e));
    }

    #[test]
    fn no_snippet_ever_holds_a_key() {
        for format in [Format::Litellm, Format::Portkey, Format::Openrouter] {
            for keys in [
                PortkeyKeys::Placeholders,
                PortkeyKeys::VirtualKeys,
                PortkeyKeys::Keychain,
            ] {
                for s in [three_fallback(), local()] {
                    let e = export_as(format, keys, &[s]);
                    assert_eq!(e.snippets.len(), 3);
                    assert!(!joined(&e).contains(PLANTED), "{format:?} {keys:?}");
                }
            }
        }
    }

    #[test]
    fn no_setup_no_snippets() {
        assert!(export_as(Format::Litellm, PortkeyKeys::Placeholders, &[])
            .snippets
            .is_empty());
    }
}
