import { describe, expect, it } from "vitest";
import { TextLog } from "./textLog";

describe("TextLog", () => {
  it("gives every slice the whole string would give", () => {
    const chunks = ["Hel", "", "lo, ", "w", "orld", "! ⟦m1⟧ ", "end"];
    const log = new TextLog();
    let whole = "";
    for (const c of chunks) {
      log.append(c);
      whole += c;
    }
    expect(log.length).toBe(whole.length);
    for (let from = 0; from <= whole.length + 1; from++) {
      for (let to = from; to <= whole.length + 2; to++) {
        expect(log.slice(from, to), `${from}..${to}`).toBe(whole.slice(from, to));
      }
      expect(log.slice(from)).toBe(whole.slice(from));
    }
  });

  it("is empty until something is appended", () => {
    const log = new TextLog();
    expect(log.length).toBe(0);
    expect(log.slice(0)).toBe("");
  });
});
