// The only module the rest of the UI imports to talk to the Rust core.
export { appInfo } from "./app";
export { providerModels, startCompare, stopCompare } from "./compare";
export { isIpcError, toIpcError } from "./errors";
export {
  emptyQuery,
  historyDelete,
  historyExport,
  historyList,
  historyRate,
  historyRestore,
  historyRun,
  historySetWinner,
  historyStartFresh,
  historyStats,
  historyStatus,
  historyUpdate,
  onHistoryChanged,
  onHistoryWriteFailed,
} from "./history";
export { deleteModelSet, listModelSets, saveModelSet } from "./modelSets";
export {
  estimateInputs,
  getCurrency,
  listPriceOverrides,
  modelPrice,
  priceStatus,
  refreshPrices,
  removePriceOverride,
  setCurrency,
  setPriceOverride,
} from "./prices";
export {
  deleteKey,
  importEnvKeys,
  listProviders,
  removeCustomEndpoint,
  saveCustomEndpoint,
  setBaseUrl,
  setKey,
  testKey,
} from "./providers";
export { spendTotals } from "./spend";
export {
  gatewayImportApply,
  gatewayImportPick,
  gatewayPreview,
  gatewaySave,
  setupDelete,
  setupFromRun,
  setupSave,
  setupsList,
} from "./gateway";
export { onRouterCall, onRouterStatus, routerCopyToken, routerStart, routerStatus, routerStop } from "./router";
