/**
 * Puts `text` on the clipboard. The async Clipboard API first; WebKitGTK refuses it on
 * some set-ups (no secure-context grant), so a hidden textarea and `execCommand("copy")`
 * is the fallback. Resolves false when neither worked.
 */
export async function copyToClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
