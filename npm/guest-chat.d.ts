// Types of the guest-chat widget's one-tag loader: the `window.GuestChat` API, its
// events, and the `<guest-chat>` element's attributes.

/** The connection's phase, as the `status` event names it. */
export type GuestChatStatus =
  | "idle"
  | "connecting"
  | "connected"
  | "reconnecting"
  | "offline"
  | "failed"
  | "ended";

export interface GuestChatEvents {
  /** The widget has loaded and is on the page. */
  ready: Record<string, never>;
  /** A message appeared in the transcript. */
  message: { from: "agent" | "guest"; text: string };
  /** The connection changed; `text` is what the status line says, in the chat's language. */
  status: { status: GuestChatStatus; text: string };
  /** The service refused something or the chat could not go on; `reason` in words. */
  error: { reason: string };
  /** The panel opened, by the visitor or by `open()`. */
  opened: Record<string, never>;
  /** The panel closed. */
  closed: Record<string, never>;
  /** Signing in or out happened or failed; never a token. `text` is the visitor's line. */
  auth: {
    state: "signed-in" | "signed-out" | "error";
    reason: "" | "code-refused" | "expired" | "unavailable" | "window-blocked";
    text: string;
  };
}

/** The code the site's identity provider issued, for `signIn`. */
export interface GuestChatAuthCode {
  code: string;
  redirectUri: string;
  /** PKCE's verifier, where the code was issued for a challenge. */
  codeVerifier?: string;
  nonce?: string;
  maxAge?: number;
}

export interface GuestChatApi {
  /** Opens the panel (and loads the widget if it has not loaded yet). */
  open(): void;
  close(): void;
  toggle(): void;
  /** Sends `text` as the visitor, as if typed in the composer. */
  send(text: string): void;
  /**
   * The conversation's custom attributes from now on, in place of `data-attributes`:
   * they go with the next message, new or changed ones only. Values become strings.
   * Kept until the widget loads, without loading it.
   */
  setAttributes(attributes: Record<string, string | number | boolean>): void;
  /**
   * Signs the visitor in with the provider's code; with none, at the provider the tag's
   * `data-auth-*` attributes name, in a window of its own.
   */
  signIn(code?: GuestChatAuthCode): void;
  /** Revokes the tokens and forgets the signed-in conversation in this browser. */
  signOut(): void;
  /**
   * A short sound and a system notification for agents' messages while the visitor is
   * away, as `data-notify`. The panel asks the visitor; the browser's permission is
   * never asked for unprompted.
   */
  notify(on: boolean): void;
  on<K extends keyof GuestChatEvents>(name: K, listener: (detail: GuestChatEvents[K]) => void): void;
  off<K extends keyof GuestChatEvents>(name: K, listener: (detail: GuestChatEvents[K]) => void): void;
}

/**
 * The `data-` attributes of the loader's `<script>` tag and of `<guest-chat>`, as
 * written in HTML. Set exactly one session source: `data-session-url`,
 * `data-access-token` (development only) or `data-deployment-id` (Genesys Cloud).
 */
export interface GuestChatAttributes {
  "data-session-url"?: string;
  "data-access-token"?: string;
  "data-organization-id"?: string;
  "data-deployment-id"?: string;
  "data-region"?: string;
  "data-environment"?: string;
  "data-api-base"?: string;
  "data-ws-base"?: string;
  "data-guest-name"?: string;
  "data-guest-email"?: string;
  /** A JSON object of strings. */
  "data-attributes"?: string;
  "data-heartbeat-ms"?: `${number}`;
  "data-reconnect-base-ms"?: `${number}`;
  "data-reconnect-attempts"?: `${number}`;
  "data-session-timeout-ms"?: `${number}`;
  "data-locale"?: "en" | "es" | "de" | "ar" | (string & {});
  "data-storage"?: "local" | "session" | "none";
  "data-theme"?: "auto" | "light" | "dark";
  "data-position"?: "right" | "left";
  /** When the widget loads: once the browser is idle (default), on interaction, or at once. */
  "data-load"?: "idle" | "interaction" | "eager";
  /** The identity provider's authorization endpoint, for the widget's own sign-in. */
  "data-auth-authorize-url"?: string;
  "data-auth-client-id"?: string;
  /** Default `openid profile email`. */
  "data-auth-scope"?: string;
  /** Of the page's origin; default the page's own address. */
  "data-auth-redirect-uri"?: string;
  /** Where the widget's files are, when the loader is bundled into the page's own code. */
  "data-assets"?: string;
  /** Agents' and bots' Markdown drawn (default: the deployment's, else on). */
  "data-markdown"?: "on" | "off";
  /** A sound and a system notification for agents' messages while the visitor is away (default off). */
  "data-notify"?: "on" | "off";
}

/** `<guest-chat>`: the widget, configured by its `data-` attributes. */
export interface GuestChatElement extends HTMLElement {}

declare global {
  interface Window {
    GuestChat: GuestChatApi;
  }
  interface HTMLElementTagNameMap {
    "guest-chat": GuestChatElement;
  }
}
