// Adds lockfile entries for the per-platform binaries of napi-style packages
// (@tauri-apps/cli, @crabnebula/tauri-driver) that this workplace's npm registry
// does not serve for other platforms. Without them `npm ci` fails with
// "Missing: @tauri-apps/cli-darwin-arm64@ from lock file". Each entry carries the
// os/cpu/libc that makes npm skip it here and fetch it on the matching machine.
//
// Run after `npm install` regenerates package-lock.json:  node scripts/lock-foreign-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const packages = lock.packages;

/** `cli-darwin-arm64` → { os, cpu, libc } by the napi-rs naming convention. */
function platformOf(name) {
  const match = /-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32|riscv64)(?:-(gnu|musl|gnueabihf|msvc))?$/.exec(name);
  if (!match) return null;
  const [, os, cpu, abi] = match;
  const entry = { os: [os], cpu: [cpu] };
  if (os === "linux") entry.libc = [abi === "musl" ? "musl" : "glibc"];
  return entry;
}

let added = 0;
for (const [path, parent] of Object.entries(packages)) {
  if (!path.startsWith("node_modules/") || !parent.optionalDependencies) continue;
  for (const [name, version] of Object.entries(parent.optionalDependencies)) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+/.test(version)) continue;
    packages[key] = {
      version,
      ...(parent.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
      ...(parent.license ? { license: parent.license } : {}),
      ...(parent.engines ? { engines: parent.engines } : {}),
    };
    added += 1;
  }
}

lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-foreign-platforms: added ${added} entr${added === 1 ? "y" : "ies"}`);
