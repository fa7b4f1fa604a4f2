export type View = "compare" | "settings" | "spend" | "setups" | "router";
export type SettingsSection = "providers" | "appearance" | "about";

/** Which view fills the main area, and which settings section to bring into view. */
export class Navigation {
  view: View = $state("compare");
  /** Section to scroll to when settings open; null keeps the top. */
  section: SettingsSection | null = $state(null);

  openSettings(section: SettingsSection | null = null): void {
    this.section = section;
    this.view = "settings";
  }

  /** The spend dashboard in the main area. */
  openSpend(): void {
    this.section = null;
    this.view = "spend";
  }

  /** The saved setups (gateway export and import) in the main area. */
  openSetups(): void {
    this.section = null;
    this.view = "setups";
  }

  /** The local router (start, stop, its live log) in the main area. */
  openRouter(): void {
    this.section = null;
    this.view = "router";
  }

  back(): void {
    this.view = "compare";
    this.section = null;
  }
}
