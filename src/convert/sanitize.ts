// The last gate before HTML reaches Matrix: only the tags and attributes the Matrix spec lists for
// `formatted_body` (client-server API, m.room.message "HTML"), no scripts, no event handlers, no dangerous URLs.
import sanitizeHtml from "sanitize-html";
import { looksLikeMxc, parseMxc } from "../matrix/mxc";

const MX_COLOURS = ["data-mx-bg-color", "data-mx-color"];

const ALLOWED_TAGS = [
  "font", "del", "s", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup", "sub", "li",
  "b", "i", "u", "strong", "em", "code", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td",
  "caption", "pre", "span", "img", "details", "summary",
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    font: [...MX_COLOURS, "color"],
    span: [...MX_COLOURS, "data-mx-spoiler", "data-mx-maths"],
    div: ["data-mx-maths"],
    a: ["name", "target", "href"],
    img: ["width", "height", "alt", "title", "src"],
    ol: ["start"],
    code: ["class"],
  },
  allowedClasses: { code: [/^language-[A-Za-z0-9_+#.-]+$/] },
  allowedSchemes: ["http", "https", "mailto", "matrix"],
  allowedSchemesByTag: { img: ["mxc"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  allowProtocolRelative: false,
  // An image whose mxc is outside the grammar (`mxc://../x`) is dropped: clients build a homeserver path from it.
  exclusiveFilter: (frame) => {
    const src = frame.tag === "img" ? (frame.attribs.src ?? "").trim() : "";
    return looksLikeMxc(src) && parseMxc(src) === null;
  },
  disallowedTagsMode: "discard",
  // Dropped together with their content, not unwrapped into visible text.
  nonTextTags: ["script", "style", "textarea", "option", "noscript", "title", "head", "template", "iframe", "object"],
};

/** Reduces untrusted HTML to what Matrix clients are told to render. Pure; never throws. */
export function sanitizeForMatrix(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
