import { describe, expect, it } from "vitest";
import { answerWith } from "../../test/ipc";
import { routerCopyToken, routerSetCaps, routerStart, routerStatus, routerStop } from "./router";

describe("router api", () => {
  it("sends every command with the contract's command and argument names", async () => {
    const calls = answerWith(() => null);
    await routerStart(5151);
    await routerStart(null);
    await routerStop();
    await routerStatus();
    await routerCopyToken();
    await routerSetCaps("5", null);
    expect(calls.map((c) => c.cmd)).toEqual(["router_start", "router_start", "router_stop", "router_status", "router_copy_token", "router_set_caps"]);
    expect(calls[0]?.payload).toEqual({ port: 5151 });
    expect(calls[1]?.payload).toEqual({ port: null });
    expect(calls[5]?.payload).toEqual({ dayUsd: "5", monthUsd: null });
  });
});
