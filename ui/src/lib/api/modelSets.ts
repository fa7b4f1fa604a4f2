import type { ModelSet } from "../bindings/ModelSet";
import { call } from "./invoke";

/** Every saved model set, sorted by name (ignoring case). */
export function listModelSets(): Promise<ModelSet[]> {
  return call<ModelSet[]>("list_model_sets");
}

/**
 * Saves `set` to `model_sets.json` under its name (trimmed; 1 to 60 characters),
 * replacing a set of the same name in any case. Each target keeps its model, params and
 * system prompt; its own messages are never saved. Resolves with every set, sorted.
 * Rejects with kind `invalid_input` (a blank or long name, no models or more than
 * eight, a model id that is not `provider/model`) or `model_sets` (the file cannot be
 * read or saved; the message names it), and nothing is saved then.
 */
export function saveModelSet(set: ModelSet): Promise<ModelSet[]> {
  return call<ModelSet[]>("save_model_set", { set });
}

/** Deletes the set called `name` (any case); resolves with the sets left. A name not saved changes nothing. */
export function deleteModelSet(name: string): Promise<ModelSet[]> {
  return call<ModelSet[]>("delete_model_set", { name });
}
