import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The Tauri shell loads ui/dist in production and http://localhost:5173 in dev
// (see src-tauri/tauri.conf.json). Nothing here may reach the network at run time.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  preview: {
    port: 4173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK / WKWebView / WebView2 all support these.
    target: ["es2022", "safari16", "chrome110"],
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // A hang detector, not a speed test: CI machines are shared and a property test
    // over 500 random trees once took 6 s under load (the default is 5 s).
    testTimeout: 30_000,
  },
});
