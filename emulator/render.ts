// Gitter stores the raw markdown and a server-rendered `html`. This renders with `marked`, escapes any raw HTML
// (Gitter never lets HTML through), turns `@name` into Gitter's mention span and collects mentions and urls.
import { Marked, type Tokens, type TokenizerAndRendererExtension } from "marked";

export interface Rendered {
  html: string;
  /** Screen names in the order they first appear, without duplicates. */
  screenNames: string[];
  urls: { url: string }[];
}

const MENTION = /^@([A-Za-z0-9][A-Za-z0-9_-]*)/;

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

interface MentionToken extends Tokens.Generic {
  type: "mention";
  screenName: string;
}

const mentionExtension: TokenizerAndRendererExtension = {
  name: "mention",
  level: "inline",
  // Only an @ at the start or after a non-word character starts a mention (not the @ of an e-mail address).
  start(src: string) {
    const m = /(^|[^A-Za-z0-9_.@/-])@[A-Za-z0-9]/.exec(src);
    return m ? m.index + m[1].length : undefined;
  },
  tokenizer(src: string) {
    const m = MENTION.exec(src);
    if (!m) return undefined;
    return { type: "mention", raw: m[0], screenName: m[1] };
  },
  renderer(token: Tokens.Generic) {
    const name = escapeHtml((token as MentionToken).screenName);
    return `<span data-link-type="mention" data-screen-name="${name}" class="mention">@${name}</span>`;
  },
};

function makeMarked(collect: { names: string[]; urls: string[] }): Marked {
  const marked = new Marked({ gfm: true, breaks: true, async: false });
  marked.use({
    extensions: [mentionExtension],
    // Raw HTML is never recognised, so it stays text and is escaped like any other text.
    tokenizer: {
      html: () => undefined,
      tag: () => undefined,
    },
    renderer: {
      html({ text }: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(text);
      },
      link({ href, title, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const t = title ? ` title="${escapeHtml(title)}"` : "";
        return `<a href="${escapeHtml(href)}"${t} rel="nofollow noopener noreferrer" target="_blank" class="link">${inner}</a>`;
      },
    },
    walkTokens(token) {
      if (token.type === "mention") collect.names.push((token as MentionToken).screenName);
      if (token.type === "link") collect.urls.push((token as Tokens.Link).href);
    },
  });
  return marked;
}

/** Pure: renders one message text. Never throws for any input string. */
export function renderMessage(text: string): Rendered {
  const collect = { names: [] as string[], urls: [] as string[] };
  let html = makeMarked(collect).parse(text) as string;
  html = html.trim();
  // Gitter sends a lone paragraph bare ("hello"), not wrapped in <p>.
  const single = /^<p>([\s\S]*)<\/p>$/.exec(html);
  if (single && !single[1].includes("<p>")) html = single[1];
  return {
    html,
    screenNames: [...new Set(collect.names)],
    urls: [...new Set(collect.urls)].map((url) => ({ url })),
  };
}
