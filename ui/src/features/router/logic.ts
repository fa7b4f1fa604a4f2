// The Router view's pure parts: the port field, the spend caps, the live log's rows, and
// the client code that points an app at the router. Tested without a DOM.
import type { CapSpend } from "../../lib/bindings/CapSpend";
import type { DisplayCurrency } from "../../lib/bindings/DisplayCurrency";
import type { RouteInfo } from "../../lib/bindings/RouteInfo";
import type { RouterCallRow } from "../../lib/bindings/RouterCallRow";
import { formatMoney } from "../../lib/money";

/** The port the router listens on unless the user picks another. */
export const DEFAULT_PORT = 4141;
/** Rows the live log keeps (the history keeps every call). */
export const LOG_CAP = 300;
/** The variable the snippets read the token from: the token itself is never shown. */
export const TOKEN_ENV = "SWITCHBOARD_ROUTER_TOKEN";

/** A port typed by the user, or why it cannot be used. */
export function parsePort(text: string): { port: number } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: "A port is a number, such as 4141." };
  const port = Number(t);
  if (port < 1024 || port > 65535) return { error: "Choose a port between 1024 and 65535." };
  return { port };
}

/** Caps are set and enforced in US dollars, so they are shown in dollars whatever the display currency. */
const DOLLARS: DisplayCurrency = { code: "USD", per_usd: "1" };

/** `Today: $0.0123 of $5.00`, `This month: … of …`: what was spent against each cap in force. */
export function capLines(spend: readonly CapSpend[]): string[] {
  return spend.map((c) => {
    const when = c.period === "day" ? "Today" : "This month";
    return `${when}: ${formatMoney(c.spent_usd, DOLLARS)} of ${formatMoney(c.cap_usd, DOLLARS)}`;
  });
}

/** `http://127.0.0.1:PORT/v1`: what an OpenAI SDK's base URL is set to. */
export function baseUrl(port: number): string {
  return `http://127.0.0.1:${port}/v1`;
}

/** One row of the live log, with a key that stays the same while it is shown. */
export interface LogRow extends RouterCallRow {
  key: number;
}

/** `rows` with `call` first, the oldest dropped beyond `cap`. */
export function pushRow(rows: readonly LogRow[], call: RouterCallRow, key: number, cap: number = LOG_CAP): LogRow[] {
  const next = [{ ...call, key }, ...rows];
  return next.length > cap ? next.slice(0, cap) : next;
}

/** `14:03:07`, in local time. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `200`, `502 · upstream error`: the answer's status as the client saw it. */
export function statusLabel(row: Pick<RouterCallRow, "http_status" | "status">): string {
  if (row.status === "cancelled") return `${row.http_status} · cancelled`;
  return String(row.http_status);
}

/** The tone a row's status is shown in. */
export function statusTone(row: Pick<RouterCallRow, "http_status" | "status">): "ok" | "warn" | "error" {
  if (row.status === "error" || row.http_status >= 400) return "error";
  if (row.status === "cancelled") return "warn";
  return "ok";
}

/** `1 attempt`, `3 attempts`. */
export function attemptsLabel(n: number): string {
  return n === 1 ? "1 attempt" : `${n} attempts`;
}

/** `via router: chat → openai/gpt-4o, 2 attempts`: how the router served a saved response. */
export function viaRouter(route: RouteInfo): string {
  return `via router: ${route.alias} → ${route.deployment ?? "no deployment"}, ${attemptsLabel(route.attempts)}`;
}

/** Client code, each reading the token from [`TOKEN_ENV`]. */
export interface RouterSnippet {
  id: "curl" | "python" | "typescript";
  title: string;
  code: string;
}

/** curl, the openai Python SDK and the openai npm SDK, pointed at the router for `alias`. */
export function snippets(port: number, alias: string): RouterSnippet[] {
  const url = baseUrl(port);
  const body = JSON.stringify({ model: alias, messages: [{ role: "user", content: "Hello!" }] });
  return [
    {
      id: "curl",
      title: "curl",
      code: [
        `curl ${url}/chat/completions \\`,
        `  -H "Authorization: Bearer $${TOKEN_ENV}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '${body.replace(/'/g, "'\\''")}'`,
      ].join("\n"),
    },
    {
      id: "python",
      title: "Python",
      code: [
        "import os",
        "from openai import OpenAI",
        "",
        "client = OpenAI(",
        `    base_url="${url}",`,
        `    api_key=os.environ["${TOKEN_ENV}"],`,
        ")",
        "stream = client.chat.completions.create(",
        `    model=${JSON.stringify(alias)},`,
        '    messages=[{"role": "user", "content": "Hello!"}],',
        "    stream=True,",
        ")",
        "for chunk in stream:",
        "    if chunk.choices:",
        '        print(chunk.choices[0].delta.content or "", end="", flush=True)',
      ].join("\n"),
    },
    {
      id: "typescript",
      title: "TypeScript",
      code: [
        'import OpenAI from "openai";',
        "",
        "const client = new OpenAI({",
        `  baseURL: "${url}",`,
        `  apiKey: process.env.${TOKEN_ENV},`,
        "});",
        "const stream = await client.chat.completions.create({",
        `  model: ${JSON.stringify(alias)},`,
        '  messages: [{ role: "user", content: "Hello!" }],',
        "  stream: true,",
        "});",
        "for await (const chunk of stream) {",
        '  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");',
        "}",
      ].join("\n"),
    },
  ];
}
