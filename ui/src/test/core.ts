import { mockIPC } from "@tauri-apps/api/mocks";
import type { AppInfo } from "../lib/bindings/AppInfo";
import type { IpcError } from "../lib/bindings/IpcError";

/** A mocked Rust core whose `app_info` answers with `info`, or rejects with `error`. */
export function mockCore(answer: { info: AppInfo } | { error: IpcError }): void {
  mockIPC((cmd) => {
    if (cmd !== "app_info") throw { kind: "internal", message: `unexpected command ${cmd}` };
    if ("error" in answer) throw answer.error;
    return answer.info;
  });
}

export const sampleInfo: AppInfo = {
  version: "0.1.0",
  data_dir: "/home/ada/.local/share/dev.switchboard.desktop",
};
