/*
 * The allow-list every rendered block passes before it reaches {@html}: the second line
 * of defence behind render.ts, which already escapes whatever the model wrote.
 *
 * The HTML is parsed into an inert <template> (its content has no browsing context:
 * nothing in it runs or loads), then every node that is not on the list goes: an element
 * with an unknown tag (or in the SVG/MathML namespace) becomes its plain text (or goes,
 * inside a table's structure), comments
 * and other node types are dropped, attributes not listed for their tag are removed, and
 * a link keeps its href only for http(s) and mailto, opening in a new window without
 * opener. Nothing that can run or load anything — script, style, img, iframe, form, an
 * on* handler, a style attribute — is on the list.
 *
 * Why not DOMPurify here: in WebKitGTK's JavaScriptCore it costs ~50 µs per element
 * (1.4–2 ms for one streamed paragraph, measured in the app's page), and the open block
 * of every column is sanitized once a frame: with eight columns that was a third of the
 * page's time. This walk costs ~0.1 ms. The tests hold it to DOMPurify as an oracle
 * over a hostile corpus (sanitize.test.ts).
 */
/** Only these URL schemes survive in links; everything else (javascript:, data:, vbscript:, relative) is dropped. */
export const SAFE_URL = /^(?:https?:|mailto:)/i;

const HTML_NS = "http://www.w3.org/1999/xhtml";

const PLAIN: readonly string[] = [];
/** Tag → the attributes it may keep. Exactly what render.ts produces, nothing more. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  p: PLAIN,
  h1: PLAIN,
  h2: PLAIN,
  h3: PLAIN,
  h4: PLAIN,
  h5: PLAIN,
  h6: PLAIN,
  ul: PLAIN,
  ol: ["start"],
  li: PLAIN,
  blockquote: PLAIN,
  hr: PLAIN,
  br: PLAIN,
  pre: PLAIN,
  code: ["class"],
  em: PLAIN,
  strong: PLAIN,
  s: PLAIN,
  a: ["href", "title"],
  table: PLAIN,
  thead: PLAIN,
  tbody: PLAIN,
  tr: PLAIN,
  th: ["class"],
  td: ["class"],
  div: ["class"],
  span: ["class"],
  button: ["type", "class", "data-copy"],
};

const VALID: Readonly<Record<string, RegExp>> = {
  class: /^[\w -]*$/,
  start: /^\d{1,9}$/,
  type: /^button$/,
  "data-copy": /^$/,
};

const TABLE_PARTS = new Set(["TABLE", "THEAD", "TBODY", "TFOOT", "TR"]);

let template: HTMLTemplateElement | null = null;

function clean(parent: Node): void {
  let node = parent.firstChild;
  while (node !== null) {
    const next = node.nextSibling;
    if (node.nodeType === Node.ELEMENT_NODE) {
      const el = node as Element;
      const allowed = el.namespaceURI === HTML_NS ? ALLOWED[el.localName] : undefined;
      if (allowed === undefined) {
        // Text directly in a table would move when the HTML is parsed again (foster
        // parenting): the output must parse back to exactly what was checked.
        if (TABLE_PARTS.has(parent.nodeName)) parent.removeChild(el);
        else parent.replaceChild(el.ownerDocument.createTextNode(el.textContent ?? ""), el);
      } else {
        keepAttributes(el, allowed);
        clean(el);
      }
    } else if (node.nodeType !== Node.TEXT_NODE) {
      parent.removeChild(node);
    }
    node = next;
  }
}

function keepAttributes(el: Element, allowed: readonly string[]): void {
  for (const name of el.getAttributeNames()) {
    const value = el.getAttribute(name) ?? "";
    const ok = allowed.includes(name) && (name === "href" ? SAFE_URL.test(value.trim()) : (VALID[name]?.test(value) ?? true));
    if (!ok) el.removeAttribute(name);
  }
  if (el.localName === "a" && el.hasAttribute("href")) {
    el.setAttribute("target", "_blank");
    el.setAttribute("rel", "noopener noreferrer");
  }
}

/** `html` with everything off the allow-list removed (see above). */
export function sanitize(html: string): string {
  template ??= document.createElement("template");
  template.innerHTML = html;
  clean(template.content);
  const out = template.innerHTML;
  template.innerHTML = "";
  return out;
}
