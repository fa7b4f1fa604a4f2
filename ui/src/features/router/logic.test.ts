import { describe, expect, it } from "vitest";
import { callRow } from "./fixtures";
import { attemptsLabel, baseUrl, capLines, LOG_CAP, parsePort, pushRow, snippets, statusLabel, statusTone, TOKEN_ENV, viaRouter, type LogRow } from "./logic";

describe("the port field", () => {
  it("takes a port and refuses what is not one, saying what to type", () => {
    expect(parsePort(" 5151 ")).toEqual({ port: 5151 });
    expect(parsePort("41a")).toEqual({ error: "A port is a number, such as 4141." });
    expect(parsePort("80")).toEqual({ error: "Choose a port between 1024 and 65535." });
    expect(parsePort("70000")).toEqual({ error: "Choose a port between 1024 and 65535." });
  });
});

describe("the live log", () => {
  it("puts the newest call first and keeps only the last few hundred", () => {
    let rows: LogRow[] = [];
    for (let i = 0; i < LOG_CAP + 25; i++) rows = pushRow(rows, callRow({ attempts: i }), i);
    expect(rows).toHaveLength(LOG_CAP);
    expect(rows[0]?.attempts).toBe(LOG_CAP + 24);
    expect(rows[LOG_CAP - 1]?.attempts).toBe(25);
  });

  it("shows errors and cancelled calls apart from answers", () => {
    expect([statusLabel(callRow()), statusTone(callRow())]).toEqual(["200", "ok"]);
    const failed = callRow({ status: "error", http_status: 502 });
    expect([statusLabel(failed), statusTone(failed)]).toEqual(["502", "error"]);
    const cancelled = callRow({ status: "cancelled", http_status: 200 });
    expect([statusLabel(cancelled), statusTone(cancelled)]).toEqual(["200 · cancelled", "warn"]);
  });

  it("says how a saved response was routed", () => {
    expect(viaRouter({ alias: "chat", deployment: "anthropic/claude-sonnet-4-5", attempts: 3, client: null })).toBe(
      "via router: chat → anthropic/claude-sonnet-4-5, 3 attempts",
    );
    expect(attemptsLabel(1)).toBe("1 attempt");
  });
});

describe("the client code", () => {
  it("points each client at the router's /v1 with the alias, reading the token from the environment", () => {
    const all = snippets(5151, "support-bot");
    expect(all.map((s) => s.title)).toEqual(["curl", "Python", "TypeScript"]);
    for (const s of all) {
      expect(s.code).toContain(baseUrl(5151));
      expect(s.code).toContain("support-bot");
      expect(s.code).toContain(TOKEN_ENV);
    }
    expect(all[0]?.code).toContain("http://127.0.0.1:5151/v1/chat/completions");
    expect(all[0]?.code).toContain('"Authorization: Bearer $SWITCHBOARD_ROUTER_TOKEN"');
    expect(all[1]?.code).toContain('api_key=os.environ["SWITCHBOARD_ROUTER_TOKEN"]');
    expect(all[2]?.code).toContain("apiKey: process.env.SWITCHBOARD_ROUTER_TOKEN");
  });

  it("keeps an alias with a quote a valid shell word and a valid string", () => {
    const [curl, python] = snippets(4141, "it's");
    expect(curl?.code).toContain(`'{"model":"it'\\''s",`);
    expect(python?.code).toContain('model="it\'s",');
  });
});

describe("the spend caps", () => {
  it("says what was spent against each cap, in dollars, today first", () => {
    expect(
      capLines([
        { period: "day", cap_usd: "5", spent_usd: "0.0123" },
        { period: "month", cap_usd: "40", spent_usd: "12.5" },
      ]),
    ).toEqual(["Today: $0.0123 of $5.00", "This month: $12.50 of $40.00"]);
    expect(capLines([])).toEqual([]);
  });
});
