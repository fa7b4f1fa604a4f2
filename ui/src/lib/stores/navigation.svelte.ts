export type View = "compare" | "settings";
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

  back(): void {
    this.view = "compare";
    this.section = null;
  }
}
