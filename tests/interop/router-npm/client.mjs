// Calls `switchboard serve` the way a user's code would: with the official `openai`
// npm SDK (pinned in package.json), pointed at the router's base URL with its token.
//
// Same contract as tests/interop/router_client.py: one JSON object on stdin,
//   {"base_url", "api_key", "calls": [{"name", "model", "stream", "include_usage",
//    "api_key" (optional, overrides the top one)}]}
// and one JSON line per call on stdout:
//   {"name", "ok": true, "text", "chunks", "usage", "finish_reason", "model", "headers"}
//   {"name", "ok": false, "error": CLASS_NAME, "status", "message", "code",
//    "text", "chunks", "headers"}
// On failure, "text" and "chunks" are what had been streamed before the SDK threw.

import OpenAI from 'openai';

async function readStdin() {
  const parts = [];
  for await (const p of process.stdin) parts.push(p);
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

function headersOf(h) {
  const out = {};
  if (!h) return out;
  if (typeof h.forEach === 'function') h.forEach((v, k) => (out[k] = v));
  else Object.assign(out, h);
  return out;
}

async function call(client, c) {
  const out = { name: c.name, text: '', chunks: 0, headers: {} };
  const body = { model: c.model, messages: [{ role: 'user', content: 'Say hello.' }] };
  try {
    if (c.stream) {
      body.stream = true;
      if (c.include_usage) body.stream_options = { include_usage: true };
      const { data: stream, response } = await client.chat.completions.create(body).withResponse();
      out.headers = headersOf(response.headers);
      let usage = null;
      let finish = null;
      let model = null;
      for await (const chunk of stream) {
        out.chunks += 1;
        model = chunk.model || model;
        if (chunk.usage) usage = chunk.usage;
        for (const choice of chunk.choices ?? []) {
          if (choice.delta?.content) out.text += choice.delta.content;
          if (choice.finish_reason) finish = choice.finish_reason;
        }
      }
      Object.assign(out, { ok: true, usage, finish_reason: finish, model });
    } else {
      const { data: r, response } = await client.chat.completions.create(body).withResponse();
      out.headers = headersOf(response.headers);
      Object.assign(out, {
        ok: true,
        text: r.choices?.[0]?.message?.content ?? null,
        usage: r.usage ?? null,
        finish_reason: r.choices?.[0]?.finish_reason ?? null,
        model: r.model,
      });
    }
  } catch (e) {
    if (!(e instanceof OpenAI.APIError)) throw e;
    Object.assign(out, {
      ok: false,
      error: e.constructor.name,
      status: e.status ?? null,
      message: e.error?.message ?? e.message,
      code: e.code ?? e.error?.code ?? null,
    });
    if (e.headers) out.headers = { ...out.headers, ...headersOf(e.headers) };
  }
  return out;
}

const spec = await readStdin();
const clients = new Map();
for (const c of spec.calls) {
  const key = c.api_key ?? spec.api_key;
  if (!clients.has(key)) {
    // Retries and fallbacks are the router's job: the SDK must not retry.
    clients.set(key, new OpenAI({ baseURL: spec.base_url, apiKey: key, maxRetries: 0, timeout: 60_000 }));
  }
  process.stdout.write(JSON.stringify(await call(clients.get(key), c)) + '\n');
}
