import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { appInfo } from "./app";

describe("appInfo()", () => {
  it("invokes app_info with no arguments and returns what the core sent", async () => {
    const calls: string[] = [];
    mockIPC((cmd, payload) => {
      calls.push(cmd);
      expect(payload).toEqual({});
      return { version: "0.1.0", data_dir: "/data/switchboard" };
    });

    await expect(appInfo()).resolves.toEqual({ version: "0.1.0", data_dir: "/data/switchboard" });
    expect(calls).toEqual(["app_info"]);
  });

  it("passes the core's typed error through as an IpcError", async () => {
    mockIPC(() => {
      throw { kind: "data_dir", message: "cannot create /nope: permission denied" };
    });

    await expect(appInfo()).rejects.toEqual({
      kind: "data_dir",
      message: "cannot create /nope: permission denied",
    });
  });

  it("normalizes a bare string rejection to kind internal", async () => {
    mockIPC(() => {
      throw "command app_info not found";
    });

    await expect(appInfo()).rejects.toEqual({ kind: "internal", message: "command app_info not found" });
  });

  it("normalizes a non-object rejection with no message to kind internal", async () => {
    mockIPC(() => {
      throw 42;
    });

    const error: unknown = await appInfo().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ kind: "internal" });
    expect((error as { message: string }).message).not.toBe("");
  });

  it("normalizes a thrown Error to kind internal with its message", async () => {
    mockIPC(() => {
      throw new Error("IPC bridge closed");
    });

    await expect(appInfo()).rejects.toEqual({ kind: "internal", message: "IPC bridge closed" });
  });

  it("rejects with kind internal when no core is present (plain browser)", async () => {
    // No mockIPC: the Tauri bridge is absent, as in `vite preview`.
    await expect(appInfo()).rejects.toMatchObject({ kind: "internal" });
  });
});
