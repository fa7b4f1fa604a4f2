/** The empty slots shown before any model is picked; the providers issue replaces them with real targets. */
export interface ColumnSlot {
  readonly id: string;
  /** Slots past the first two only show when the window is wide enough. */
  readonly wideOnly: boolean;
}

export const placeholderColumns: readonly ColumnSlot[] = [
  { id: "slot-a", wideOnly: false },
  { id: "slot-b", wideOnly: false },
  { id: "slot-c", wideOnly: true },
];
