import { describe, expect, it } from "vitest";
import type { ModelSet } from "../bindings/ModelSet";
import type { Params } from "../bindings/Params";
import { deleteModelSet, listModelSets, saveModelSet } from "./modelSets";
import { answerWith } from "../../test/ipc";

const params: Params = {
  temperature: 0.2,
  top_p: null,
  max_tokens: null,
  stop: [],
  seed: null,
  reasoning_effort: null,
  thinking_budget: null,
};

const cheap: ModelSet = {
  name: "Cheap ones",
  targets: [
    { model: "openai/gpt-4o-mini", params, system: "Be terse." },
    { model: "gemini/gemini-2.5-flash", params: { ...params, temperature: null } },
  ],
};

describe("model sets api", () => {
  it("listModelSets() invokes list_model_sets with no arguments", async () => {
    const calls = answerWith(() => [cheap]);
    await expect(listModelSets()).resolves.toEqual([cheap]);
    expect(calls).toEqual([{ cmd: "list_model_sets", payload: {} }]);
  });

  it("saveModelSet() sends the set whole and resolves with every set", async () => {
    const calls = answerWith(() => [cheap]);
    await expect(saveModelSet(cheap)).resolves.toEqual([cheap]);
    expect(calls).toEqual([{ cmd: "save_model_set", payload: { set: cheap } }]);
  });

  it("saveModelSet() rejects with the core's invalid_input error unchanged", async () => {
    const error = { kind: "invalid_input", message: "give the model set a name" };
    answerWith(() => {
      throw error;
    });
    await expect(saveModelSet({ ...cheap, name: " " })).rejects.toEqual(error);
  });

  it("deleteModelSet() sends the name and resolves with the sets left", async () => {
    const calls = answerWith(() => []);
    await expect(deleteModelSet("cheap ones")).resolves.toEqual([]);
    expect(calls).toEqual([{ cmd: "delete_model_set", payload: { name: "cheap ones" } }]);
  });
});
