import { invoke } from "@tauri-apps/api/core";
import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { warmUpMarkdown } from "./features/compare/markdown";
import { warmUpColumn } from "./features/compare/warmUpColumn";
import { warmUpFonts } from "./lib/warmUpFonts";

const target = document.getElementById("app");
if (!target) {
  throw new Error("Switchboard: #app mount point is missing from index.html");
}

const app = mount(App, { target });

// Start-up timing for `make bench`: the app sets this flag only when
// SWITCHBOARD_REPORT_READY is set. The first frame after mount lays out and paints the
// first screen; the one after it means that paint is done and the page takes input.
if ((window as { __SWITCHBOARD_REPORT_READY__?: boolean }).__SWITCHBOARD_REPORT_READY__ === true) {
  requestAnimationFrame(() => requestAnimationFrame(() => void invoke("ui_ready").catch(() => undefined)));
}

// Once the first screen is up, while the app is idle: the first answer then does not pay
// for compiling the markdown path and loading its fonts (see warmUp.ts).
setTimeout(warmUpMarkdown, 500);
// The fonts a run brings on screen: the first run then starts and ends like the next
// (see warmUpFonts.ts). After the markdown's, each in a task of its own.
setTimeout(warmUpFonts, 700);
// And a column's answer code, compiled by its first run (see warmUpColumn.ts).
setTimeout(() => void warmUpColumn().catch(() => undefined), 900);

export default app;
