import { describe, expect, it } from "vitest";
import { isIpcError, toIpcError } from "./errors";

describe("toIpcError", () => {
  it("keeps kind and message of the core's error and drops anything else", () => {
    expect(toIpcError({ kind: "data_dir", message: "no home", extra: 1 })).toEqual({
      kind: "data_dir",
      message: "no home",
    });
  });

  it.each([
    [null, "Something went wrong talking to the Switchboard core."],
    [undefined, "Something went wrong talking to the Switchboard core."],
    ["", "Something went wrong talking to the Switchboard core."],
    [{ kind: 7, message: "kind is not a string" }, "kind is not a string"],
    [{ message: "only a message" }, "only a message"],
  ])("turns %j into kind internal", (reason, message) => {
    expect(toIpcError(reason)).toEqual({ kind: "internal", message });
  });

  it("recognizes the core's shape only", () => {
    expect(isIpcError({ kind: "internal", message: "x" })).toBe(true);
    expect(isIpcError({ kind: "internal" })).toBe(false);
    expect(isIpcError("internal")).toBe(false);
  });
});
