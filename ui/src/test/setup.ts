import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

// Every test starts without a mocked core; tests that need one call mockCore/mockIPC themselves.
afterEach(() => {
  clearMocks();
  // The playground keeps its columns in localStorage: each test starts with none.
  globalThis.localStorage?.clear();
});
