import type { Export } from "../bindings/Export";
import type { ExportOptions } from "../bindings/ExportOptions";
import type { ImportApplied } from "../bindings/ImportApplied";
import type { Imported } from "../bindings/Imported";
import type { Setup } from "../bindings/Setup";
import type { StrategyChoice } from "../bindings/StrategyChoice";
import { call } from "./invoke";

/** Every saved setup, by alias. */
export function setupsList(): Promise<Setup[]> {
  return call<Setup[]>("setups_list");
}

/**
 * Saves a setup: a new one (`replacing` null) or in place of the one saved as `replacing`
 * (which may rename it). Rejects with `invalid_input` when its alias is already taken.
 */
export function setupSave(setup: Setup, replacing: string | null): Promise<Setup> {
  return call<Setup>("setup_save", { setup, replacing });
}

/** Deletes a saved setup; resolves with whether there was one. */
export function setupDelete(alias: string): Promise<boolean> {
  return call<boolean>("setup_delete", { alias });
}

/** A setup made from a history run's models, arranged as `choice` says; not saved. */
export function setupFromRun(runId: number, choice: StrategyChoice): Promise<Setup> {
  return call<Setup>("setup_from_run", { runId, choice });
}

/** The export of `setups` (its text never holds a key), with its problems and client code. */
export function gatewayPreview(setups: Setup[], options: ExportOptions): Promise<Export> {
  return call<Export>("gateway_preview", { setups, options });
}

/**
 * Asks where to save the export (the native dialog) and writes it. `confirmKeys` must be
 * true for Portkey with the keychain's keys: the file then holds secrets. Resolves with the
 * path, or null when the dialog was cancelled.
 */
export function gatewaySave(setups: Setup[], options: ExportOptions, confirmKeys: boolean): Promise<string | null> {
  return call<string | null>("gateway_save", { setups, options, confirmKeys });
}

/** Asks for a LiteLLM or Portkey config and reads it (nothing is saved); null when cancelled. */
export function gatewayImportPick(): Promise<Imported | null> {
  return call<Imported | null>("gateway_import_pick");
}

/** Saves what an import read; an alias already saved is refused unless `replace`. */
export function gatewayImportApply(imported: Imported, replace: boolean): Promise<ImportApplied> {
  return call<ImportApplied>("gateway_import_apply", { imported, replace });
}
