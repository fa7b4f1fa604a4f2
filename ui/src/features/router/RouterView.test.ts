import { emit } from "@tauri-apps/api/event";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { RouterCallEvent } from "../../lib/bindings/RouterCallEvent";
import { AppInfoStore } from "../../lib/stores/appInfo.svelte";
import { USD } from "../../lib/stores/currency.svelte";
import { ProvidersOverviewStore } from "../../lib/stores/providersOverview.svelte";
import { mockCommands, sent } from "../../test/ipc";
import { responseRecord } from "../../test/history";
import SavedResponse from "../history/SavedResponse.svelte";
import StatusBar from "../status/StatusBar.svelte";
import { callRow, running, stopped } from "./fixtures";
import { RouterStore } from "./router.svelte";
import RouterView from "./RouterView.svelte";

const chat = { alias: "chat", deployments: ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"] };

async function showView(onOpenSetups = () => {}): Promise<RouterStore> {
  const router = new RouterStore();
  await router.start();
  render(RouterView, { router, currency: USD, onBack: () => {}, onOpenSetups });
  return router;
}

describe("the router view", () => {
  it("with no setup saved, says to save one in Setups and cannot start", async () => {
    mockCommands({ router_status: () => stopped([]) }, { events: true });
    const onOpenSetups = vi.fn();
    const user = userEvent.setup();
    await showView(onOpenSetups);

    const empty = await screen.findByTestId("router-empty");
    expect(empty).toHaveTextContent("Save a setup in Setups first");
    expect(screen.getByTestId("router-start")).toBeDisabled();
    await user.click(within(empty).getByTestId("router-open-setups"));
    expect(onOpenSetups).toHaveBeenCalledOnce();
  });

  it("starts on the port typed, then shows the address, the setups served and a masked token", async () => {
    const calls = mockCommands(
      {
        router_status: () => stopped([chat]),
        router_start: (args) => running([chat], (args as { port: number }).port),
        router_copy_token: () => null,
      },
      { events: true },
    );
    const user = userEvent.setup();
    await showView();

    expect(await screen.findByTestId("router-setup-chat")).toHaveTextContent("openai/gpt-4o-mini · anthropic/claude-sonnet-4-5");
    const port = screen.getByTestId("router-port");
    await user.clear(port);
    await user.type(port, "5151");
    await user.click(screen.getByTestId("router-start"));

    await waitFor(() => expect(screen.getByTestId("router-address")).toHaveTextContent("http://127.0.0.1:5151/v1"));
    expect(sent(calls, "router_start")).toEqual([{ port: 5151 }]);
    expect(screen.getByTestId("router-state")).toHaveTextContent("Serving on port 5151");
    expect(screen.getByTestId("router-stop")).toBeEnabled();
    expect(screen.getByTestId("router-token")).toHaveTextContent(/^•+$/);

    await user.click(screen.getByTestId("router-copy-token"));
    expect(sent(calls, "router_copy_token")).toHaveLength(1);
    expect(await screen.findByTestId("router-notice")).toHaveTextContent("Token copied");

    // The code reads the token from the environment and calls the first alias.
    const code = screen.getByTestId("router-snippet");
    expect(code).toHaveTextContent('os.environ["SWITCHBOARD_ROUTER_TOKEN"]');
    expect(code).toHaveTextContent('model="chat"');
    await user.click(screen.getByTestId("router-snippet-curl"));
    expect(screen.getByTestId("router-snippet")).toHaveTextContent("http://127.0.0.1:5151/v1/chat/completions");
  });

  it("a port that is not one is refused before the core is asked; a busy port shows the core's message", async () => {
    const busy = { kind: "invalid_input", message: "Port 4141 is already in use by another program. Stop it, or choose another port and start again." };
    const calls = mockCommands(
      {
        router_status: () => stopped([chat]),
        router_start: () => {
          throw busy;
        },
      },
      { events: true },
    );
    const user = userEvent.setup();
    await showView();
    const port = await screen.findByTestId("router-port");

    await user.clear(port);
    await user.type(port, "http");
    await user.click(screen.getByTestId("router-start"));
    expect(await screen.findByTestId("router-error")).toHaveTextContent("A port is a number");
    expect(sent(calls, "router_start")).toEqual([]);

    await user.clear(port);
    await user.type(port, "4141");
    await user.click(screen.getByTestId("router-start"));
    await waitFor(() => expect(screen.getByTestId("router-error")).toHaveTextContent(busy.message));
    expect(screen.getByTestId("router-start")).toBeEnabled();
  });

  it("lists each call as it ends, newest first, with its deployment, cost and the session's totals", async () => {
    mockCommands({ router_status: () => running([chat]) }, { events: true });
    await showView();
    expect(await screen.findByTestId("router-log-empty")).toHaveTextContent("Waiting for the first call");

    const first: RouterCallEvent = { call: callRow(), calls: 1, cost_usd: "0.000125", unpriced_calls: 0 };
    const second: RouterCallEvent = {
      call: callRow({ deployment: "anthropic/claude-sonnet-4-5", status: "error", http_status: 502, attempts: 3, cost_usd: null, cost_source: "unpriced" }),
      calls: 2,
      cost_usd: "0.000125",
      unpriced_calls: 1,
    };
    await emit("router-call", first);
    await emit("router-call", second);

    await waitFor(() => expect(screen.getAllByTestId("router-log-row")).toHaveLength(2));
    const rows = screen.getAllByTestId("router-log-row");
    const newest = rows[0] as HTMLElement;
    const oldest = rows[1] as HTMLElement;
    expect(within(newest).getByTestId("router-log-deployment")).toHaveTextContent("anthropic/claude-sonnet-4-5");
    expect(within(newest).getByTestId("router-log-status")).toHaveTextContent("502");
    expect(within(newest).getByTestId("router-log-cost")).toHaveTextContent("unpriced");
    expect(within(oldest).getByTestId("router-log-cost")).toHaveTextContent("$0.000125");
    expect(screen.getByTestId("router-calls")).toHaveTextContent("2");
    expect(screen.getByTestId("router-cost")).toHaveTextContent("$0.000125");
    expect(screen.getByTestId("router-totals")).toHaveTextContent("+ 1 unpriced");
  });

  it("after a stop, keeps the last session's totals beside its calls", async () => {
    mockCommands({ router_status: () => running([chat]), router_stop: () => stopped([chat]) }, { events: true });
    const user = userEvent.setup();
    await showView();
    await emit("router-call", { call: callRow(), calls: 1, cost_usd: "0.000125", unpriced_calls: 0 } satisfies RouterCallEvent);
    await waitFor(() => expect(screen.getByTestId("router-calls")).toHaveTextContent("1"));

    await user.click(screen.getByTestId("router-stop"));
    await waitFor(() => expect(screen.getByTestId("router-state")).toHaveTextContent("Stopped"));
    expect(screen.getByTestId("router-totals")).toHaveTextContent("1 call last session");
    expect(screen.getByTestId("router-cost")).toHaveTextContent("$0.000125");
    expect(screen.getAllByTestId("router-log-row")).toHaveLength(1);
  });

  it("shows what cannot be served and calls the history could not keep", async () => {
    mockCommands(
      {
        router_status: () =>
          running([chat], 4141, { problems: ["chat: anthropic/claude-sonnet-4-5 — no key (set ANTHROPIC_API_KEY)"], dropped: 3 }),
      },
      { events: true },
    );
    await showView();
    expect(await screen.findByTestId("router-problems")).toHaveTextContent("no key (set ANTHROPIC_API_KEY)");
    expect(screen.getByTestId("router-dropped")).toHaveTextContent("3 not saved to the history");
  });
});

describe("the router's spend caps", () => {
  it("saves the caps as typed, and shows what the core kept", async () => {
    const calls = mockCommands(
      {
        router_status: () => stopped([chat]),
        router_set_caps: () => ({ ...stopped([chat]), cap_day_usd: "5", cap_month_usd: null }),
      },
      { events: true },
    );
    const user = userEvent.setup();
    await showView();

    const day = await screen.findByTestId("router-cap-day");
    expect(day).toHaveAttribute("placeholder", "No cap");
    await user.type(day, " 5 ");
    await user.click(screen.getByTestId("router-caps-save"));

    await waitFor(() => expect(sent(calls, "router_set_caps")).toEqual([{ dayUsd: " 5 ", monthUsd: "" }]));
    await waitFor(() => expect(screen.getByTestId("router-cap-day")).toHaveValue("5"));
    expect(screen.getByTestId("router-cap-month")).toHaveValue("");
    expect(screen.getByTestId("router-caps")).toHaveTextContent("HTTP 429 spend_cap_reached until the period ends");
    expect(screen.queryByTestId("router-caps-error")).toBeNull();
    expect(screen.getByTestId("router-caps-save")).toHaveTextContent("Saved");
    // Editing again: not saved any more.
    await user.type(screen.getByTestId("router-cap-month"), "50");
    expect(screen.getByTestId("router-caps-save")).toHaveTextContent("Save");
    expect(screen.getByTestId("router-caps-save")).not.toHaveTextContent("Saved");
  });

  it("shows the core's reason when a cap is refused, beside the fields", async () => {
    const refused = { kind: "invalid_input", message: "The monthly cap is an amount in USD, like 5 or 0.50." };
    mockCommands(
      {
        router_status: () => stopped([chat]),
        router_set_caps: () => {
          throw refused;
        },
      },
      { events: true },
    );
    const user = userEvent.setup();
    await showView();

    await user.type(await screen.findByTestId("router-cap-month"), "-3");
    await user.click(screen.getByTestId("router-caps-save"));
    expect(await screen.findByTestId("router-caps-error")).toHaveTextContent(refused.message);
    // What was typed stays, to be corrected.
    expect(screen.getByTestId("router-cap-month")).toHaveValue("-3");
    expect(screen.getByTestId("router-caps-save")).toBeEnabled();
  });

  it("while running, shows the caps in force and what was spent against them, and cannot change them", async () => {
    mockCommands(
      {
        router_status: () =>
          running([chat], 4141, {
            cap_day_usd: "5",
            cap_month_usd: "40",
            cap_spend: [
              { period: "day", cap_usd: "5", spent_usd: "0.0123" },
              { period: "month", cap_usd: "40", spent_usd: "12.5" },
            ],
          }),
      },
      { events: true },
    );
    await showView();

    const lines = await screen.findByTestId("router-cap-status");
    expect(lines).toHaveTextContent("Today: $0.0123 of $5.00");
    expect(lines).toHaveTextContent("This month: $12.50 of $40.00");
    expect(screen.getByTestId("router-cap-day")).toHaveValue("5");
    expect(screen.getByTestId("router-cap-day")).toBeDisabled();
    expect(screen.getByTestId("router-cap-month")).toBeDisabled();
    expect(screen.getByTestId("router-caps-save")).toBeDisabled();
    expect(screen.getByTestId("router-caps")).toHaveTextContent("Caps apply when the router starts");
  });

  it("shows no spend lines while stopped", async () => {
    mockCommands({ router_status: () => ({ ...stopped([chat]), cap_day_usd: "5" }) }, { events: true });
    await showView();
    expect(await screen.findByTestId("router-cap-day")).toHaveValue("5");
    expect(screen.getByTestId("router-cap-day")).toBeEnabled();
    expect(screen.queryByTestId("router-cap-status")).toBeNull();
  });
});

describe("the status bar's router item", () => {
  it("says the port while the router runs, and opens the view", async () => {
    mockCommands({ router_status: () => stopped([chat]), router_start: () => running([chat]) }, { events: true });
    const router = new RouterStore();
    await router.start();
    const onOpenRouter = vi.fn();
    const user = userEvent.setup();
    render(StatusBar, { appInfo: new AppInfoStore(), providers: new ProvidersOverviewStore(), router, onOpenProviders: () => {}, onOpenRouter });

    const item = screen.getByTestId("status-router");
    expect(item).toHaveTextContent("Router off");
    await router.startRouter();
    await waitFor(() => expect(item).toHaveTextContent("Router on :4141"));
    await user.click(item);
    expect(onOpenRouter).toHaveBeenCalledOnce();
  });
});

describe("a router call in the history", () => {
  it("says which alias and deployment served it, and in how many attempts", () => {
    const route = { alias: "chat", deployment: "anthropic/claude-sonnet-4-5", attempts: 2, client: "OpenAI/Python 2.8.1" };
    render(SavedResponse, { response: responseRecord(0, { route }), currency: USD, onWinner: () => {}, onRate: () => {} });
    expect(screen.getByTestId("run-route-0")).toHaveTextContent("via router: chat → anthropic/claude-sonnet-4-5, 2 attempts");
  });

  it("says nothing of a router for a playground answer", () => {
    render(SavedResponse, { response: responseRecord(0), currency: USD, onWinner: () => {}, onRate: () => {} });
    expect(screen.queryByTestId("run-route-0")).toBeNull();
  });
});
