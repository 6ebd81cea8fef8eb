/*! guest-chat loader: one tag embeds the chat.
 *
 *   <script src="https://your-site.example/chat/guest-chat.js"
 *           data-session-url="/guest-session" data-organization-id="…" defer></script>
 *
 * The script's data- attributes configure the widget (the same ones as the inline mount
 * element). It also upgrades <guest-chat data-…> elements written in the page. The wasm
 * and its glue load from beside this file, by stable names, with no inline script, so
 * a strict Content-Security-Policy only needs 'wasm-unsafe-eval'.
 *
 * Until the visitor shows interest, only this file runs: it draws the launcher itself
 * and loads the widget when the launcher is hovered, focused or pressed, at an idle
 * moment three seconds after the page's load event (data-load="idle", the default), at once
 * (data-load="eager", or a conversation in progress, or a call to the API), or only on
 * interaction (data-load="interaction").
 *
 * A Genesys Cloud deployment's config.json is read once per page, before the launcher
 * shows: its colour and launcher visibility here, the rest by the widget.
 *
 * window.GuestChat: open(), close(), toggle(), send(text), setAttributes({key: value}),
 * signIn({code, redirectUri, codeVerifier, nonce}) or signIn() at the data-auth-*
 * provider, signOut(),
 * on(event, fn), off(event, fn). Events: ready, message {from, text}, status {status,
 * text}, error {reason}, opened, closed. Calls made before the widget has loaded are
 * queued, load it, and run once it has; custom attributes are kept until it loads,
 * without loading it.
 *
 * Loaded by Genesys Messenger's snippet, it also answers the snippet's global
 * (window._genesysJs, "Genesys"): its queued calls, commands, subscriptions and plugins
 * (README, "Moving from Genesys Messenger").
 */
(() => {
  "use strict";
  const script = document.currentScript;
  let base = new URL(".", script?.src || document.baseURI);
  if (window.GuestChat?.__guestChat) return; // loaded twice: the first copy serves

  const hosts = [];
  const handles = [];
  const queue = [];
  const listeners = {};
  let ready = false;
  let loading = null;
  let attempts = 0;
  // The conversation's custom attributes, set by GuestChat.setAttributes or
  // Messenger's Database; null until either sets any.
  let attributes = null;
  // Set once the page showed or hid the launcher itself.
  let launcherChosen = false;

  // Runs `method` on every widget, or queues it and loads the widget; `ok`/`no` hear
  // whether it ran.
  function call(method, args, ok, no) {
    if (!ready) {
      queue.push([method, args, ok, no]);
      load();
      return;
    }
    try {
      handles.forEach((handle) => handle[method](...args));
      ok?.();
    } catch (err) {
      no?.(err);
    }
  }

  const share = () => handles.forEach((handle) => handle.setAttributes(JSON.stringify(attributes)));

  window.GuestChat = {
    __guestChat: true,
    send: (text) => call("send", [String(text)]),
    setAttributes: (given) => {
      attributes = {};
      Object.keys(given || {}).forEach((key) => { attributes[key] = String(given[key]); });
      share();
    },
    on: (name, fn) => {
      (listeners[name] ||= []).push(fn);
      if (name === "ready" && ready) fn({});
    },
    off: (name, fn) => {
      listeners[name] = (listeners[name] || []).filter((f) => f !== fn);
    },
  };
  ["open", "close", "toggle", "signIn", "signOut", "notify"].forEach((method) => {
    window.GuestChat[method] = (...args) => call(method, args);
  });

  function relay(event) {
    const name = event.type.slice(11); // after "guest-chat:"
    const detail = event.detail || {};
    if (name === "messenger") publish(detail.event, JSON.parse(detail.data));
    else (listeners[name] || []).slice().forEach((fn) => {
      try { fn(detail); } catch (err) { console.error("guest-chat: a listener threw", err); }
    });
  }

  // Genesys Messenger's snippet names its global by window._genesysJs, queues calls in
  // its `q`, and carries `c` = {environment, deploymentId}. Its calls wait in that queue
  // for the widget, whose glue answers them (embed/messenger.js); a command to
  // the chat loads the widget, and the launcher shows or hides at once.
  const genesysName = window._genesysJs || "Genesys";
  const snippet = window[genesysName];
  const messenger = typeof snippet === "function" && snippet.c;
  const calls = (messenger && snippet.q) || [];
  let publish = () => {};
  function early(kind, name, options, resolve, reject) {
    if (kind !== "command") return void calls.push(arguments);
    const done = new Promise((ok, no) => calls.push([kind, name, options, ok, no]));
    // As Messenger's own: callbacks or the promise, and no unhandled rejection.
    done.then(resolve, reject || (() => {}));
    if (/^Launcher\.(show|hide)$/.test(name)) {
      launcherChosen = true;
      hosts.forEach((host) => host.toggleAttribute("data-launcher-hidden", name[9] === "h"));
    } else if (/^(Messag|Toaster)/.test(name)) load();
    return done;
  }

  // The launcher as the widget draws it, until the widget takes over in the same place.
  const LAUNCHER_CSS =
    ".gc-embed{--_accent:var(--gc-accent,var(--gc-deployment-accent,#1f6feb));--_accent-text:var(--gc-accent-text,#fff);--_font:var(--gc-font,system-ui,sans-serif);--_offset:var(--gc-offset,20px);font:15px/1.4 var(--_font)}" +
    ".gc-embed[data-theme=dark]{--_accent:var(--gc-accent-dark,var(--gc-deployment-accent,#2563d8))}" +
    "@media (prefers-color-scheme:dark){.gc-embed[data-theme=auto]{--_accent:var(--gc-accent-dark,var(--gc-deployment-accent,#2563d8))}}" +
    ".gc-root{all:initial}" +
    // White or black, whichever reads better on the deployment's colour: lightness
    // 49.4 is where WCAG's contrast with either is the same.
    "@supports (color:lch(from red l c h)){.gc-embed{--_accent-text:var(--gc-accent-text,lch(from var(--_accent) calc((49.4 - l)*1000) 0 0))}}" +
    ".gc-launcher{position:fixed;right:var(--_offset);bottom:var(--_offset);z-index:2147483000;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;background:var(--_accent);color:var(--_accent-text);box-shadow:0 6px 20px rgb(16 24 40/28%);cursor:pointer;display:grid;place-items:center}" +
    ".gc-left .gc-launcher{right:auto;left:var(--_offset)}" +
    ":host([data-launcher-hidden]) .gc-launcher{display:none}.gc-wait .gc-launcher{visibility:hidden}" +
    ".gc-launcher-icon{width:26px;height:26px;fill:currentColor}" +
    ".gc-embed button:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}" +
    ".gc-badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c01048;color:#fff;font:700 12px/22px var(--_font);text-align:center}" +
    ".gc-launcher[aria-busy=true]{cursor:progress;animation:gc-pulse .6s infinite alternate}@keyframes gc-pulse{to{opacity:.5}}" +
    "@media (forced-colors:active){.gc-launcher,.gc-badge{border:1px solid CanvasText;forced-color-adjust:none;background:Highlight;color:HighlightText}.gc-launcher-icon{fill:HighlightText}}";
  // The launcher's words in the widget's languages: open, loading, could not load.
  const WORDS = {
    en: "Open chat|Loading the chat…|The chat could not load. Press to try again.",
    es: "Abrir el chat|Cargando el chat…|No se pudo cargar el chat. Pulse para reintentar.",
    de: "Chat öffnen|Chat wird geladen…|Der Chat lädt nicht. Zum Wiederholen drücken.",
    ar: "فتح الدردشة|جارٍ تحميل الدردشة…|تعذّر تحميل الدردشة. اضغط للمحاولة مرة أخرى.",
  };

  // The first of the tag's language, else of the browser's, that the launcher speaks.
  function words(host) {
    const given = host.dataset.locale;
    const lang = (given ? [given] : navigator.languages || [])
      .map((tag) => String(tag).trim().split(/[-_]/)[0].toLowerCase())
      .find((primary) => WORDS[primary]) || "en";
    return [lang, WORDS[lang].split("|")];
  }

  function storage(host) {
    try {
      const kind = host.dataset.storage;
      return kind === "session" ? sessionStorage : kind === "none" ? null : localStorage;
    } catch (err) {
      return null;
    }
  }

  // A conversation kept by an earlier page: its unread count, or 0 for none unread;
  // -1 when there is none.
  function kept(host) {
    const store = storage(host);
    let found = -1;
    Object.keys(store || {}).forEach((key) => {
      if (key.startsWith("guest-chat:v1:")) found = Math.max(found, key.endsWith("|unread") ? +store[key] || 0 : 0);
    });
    return found;
  }

  function badge(button, text) {
    if (button.querySelector(".gc-badge")) return;
    const mark = document.createElement("span");
    mark.className = "gc-badge";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = text;
    button.append(mark);
  }

  function draw(host) {
    const shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(LAUNCHER_CSS);
    shadow.adoptedStyleSheets = [sheet];
    const [lang, said] = words(host);
    const root = document.createElement("div");
    // Hidden until the deployment's look is known.
    root.className = "gc-root gc-early gc-wait";
    root.innerHTML =
      '<div class="gc-embed"><button type="button" class="gc-launcher" part="launcher" aria-expanded="false">' +
      '<svg class="gc-launcher-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
      '<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg></button></div>';
    const embed = root.firstChild;
    const button = embed.firstChild;
    embed.classList.toggle("gc-left", host.dataset.position === "left");
    embed.dataset.theme = host.dataset.theme || "auto";
    embed.lang = lang;
    embed.dir = lang === "ar" ? "rtl" : "ltr";
    button.setAttribute("aria-label", said[0]);
    button.addEventListener("pointerenter", load);
    button.addEventListener("focus", load);
    button.addEventListener("click", () => {
      // The click that loads the widget opens it once it is there.
      if (root.classList.contains("gc-failed")) {
        root.classList.remove("gc-failed");
        button.querySelector(".gc-badge")?.remove();
      }
      load();
      if (!queue.some((entry) => entry[0] === "open")) call("open", []);
    });
    shadow.append(root);
    host.__early = { root, button, words: said };
  }

  // Where a tag's or snippet's `environment` serves config.json: an address (http…) is
  // a service of one's own, such as the simulator; else Messenger's short name for a
  // Genesys Cloud domain (prod, prod-euw1…), or the domain.
  function cdn(environment) {
    const short = /^prod(-\w+)?$/i.exec(environment);
    const region = short && (short[1] || "-").slice(1).toLowerCase();
    const old = short && { "": "com", euw1: "ie", euc1: "de", apse2: "com.au", apne1: "jp" }[region];
    return /^https?:/.test(environment) ? environment : "https://api-cdn." + (!short ? environment : old ? "mypurecloud." + old : region + ".pure.cloud");
  }

  // The deployment's config.json, read once per page ("" if it could not be), and the
  // tag's colour and launcher visibility over its own; the widget reads the rest, and
  // says what went wrong.
  const deployments = {};
  function deployment(host) {
    const given = host.dataset;
    const url = given.deploymentId && (given.apiBase || given.environment) &&
      `${given.apiBase || cdn(given.environment)}/webdeployments/v1/deployments/${given.deploymentId}/config.json`;
    return (url ? (deployments[url] ||= fetch(url).then((answer) => (answer.ok ? answer.text() : ""), () => "")) : Promise.resolve()).then((text) => {
      let settings = {};
      try { settings = JSON.parse(text).messenger; } catch (err) {}
      const colour = given.accent || settings?.styles?.primaryColor;
      if (/^#([\da-f]{3}){1,2}$/i.test(colour)) host.style.setProperty("--gc-deployment-accent", colour);
      if (!launcherChosen && /^(off|on.?demand)/i.test(given.launcher || (settings?.enabled === false ? "off" : settings?.launcherButton?.visibility))) host.toggleAttribute("data-launcher-hidden", true);
      host.__text = text;
      host.__early?.root.classList.remove("gc-wait");
    });
  }

  // A conversation kept by an earlier page loads the widget at once, and its unread
  // count shows meanwhile. Reading storage makes the browser load the site's storage
  // (a millisecond or two), so it waits for a moment the page does not need.
  function resume(host) {
    const unread = kept(host);
    if (unread > 0 && host.__early) badge(host.__early.button, String(unread));
    if (unread >= 0) load();
  }

  function whenIdle(fn, within) {
    (window.requestIdleCallback || ((f) => setTimeout(f, 1)))(fn, { timeout: within });
  }

  // Every drawn launcher shows the load's state (its words' index): 1 busy, or 2
  // failed with a way to retry.
  function show(state) {
    hosts.forEach((host) => {
      const early = host.__early;
      if (!early) return;
      early.button.setAttribute("aria-busy", state < 2);
      early.button.setAttribute("aria-label", early.words[state]);
      if (state > 1) {
        early.root.classList.add("gc-failed");
        badge(early.button, "!");
      }
    });
  }

  // Filled in by the release build with the digests of the files it ships; a development
  // build leaves them empty and checks nothing.
  var integrity = { glue: "", wasm: "" };

  function load() {
    if (loading) return loading;
    attempts += 1;
    // A failed import is remembered by the browser: a retry asks for the file anew.
    const again = attempts > 1 ? "?attempt=" + attempts : "";
    const glueUrl = new URL("guest-chat-app.js" + again, base).href;
    const wasmUrl = new URL("guest-chat-app_bg.wasm" + again, base).href;
    if (integrity.glue) {
      // import() takes no integrity; a module preloaded with one is checked, and the
      // import then uses it.
      const preload = document.createElement("link");
      preload.rel = "modulepreload";
      preload.href = glueUrl;
      preload.integrity = integrity.glue;
      preload.crossOrigin = "anonymous";
      document.head.append(preload);
    }
    // Shown only if the load takes long enough to notice.
    const slow = setTimeout(() => show(1), 150);
    loading = import(glueUrl).then((module) =>
      module
        .default({ module_or_path: integrity.wasm ? fetch(wasmUrl, { integrity: integrity.wasm }) : wasmUrl })
        .then(() => Promise.all(hosts.map((host) => host.__config)))
        // The widget is drawn in a task of its own: compiling and drawing in one would
        // hold the page up for longer at a time.
        .then(() => new Promise((resolve) => setTimeout(() => resolve(module), 0))),
    );
    loading.then((module) => {
      clearTimeout(slow);
      hosts.forEach((host) => start(module, host));
      if (!ready) {
        ready = true;
        queue.splice(0).forEach((entry) => call(...entry));
      }
      if (messenger) publish = module.installMessenger({ name: genesysName, calls, call, hosts, share: (given) => (given && ((attributes = given), share()), attributes) });
    }, (err) => {
      clearTimeout(slow);
      loading = null;
      show(2);
      console.error("guest-chat: could not load " + base.href, err);
    });
    return loading;
  }

  // The widget takes the launcher's place in the same task, so nothing moves or flashes.
  function start(module, host) {
    if (host.__started) return;
    host.__started = true;
    const early = host.__early;
    const focused = early && host.shadowRoot.activeElement === early.button;
    const handle = module.mountWidget(host, host.__text);
    handles.push(handle);
    // Every widget is told again: the same set changes nothing in the others.
    if (attributes) share();
    if (early) {
      early.root.remove();
      host.__early = null;
      if (focused) host.shadowRoot.querySelector(".gc-launcher")?.focus();
    }
  }

  const mode = (script?.dataset.load || "idle").toLowerCase();

  function mount(host) {
    if (hosts.includes(host)) return;
    hosts.push(host);
    // Bundled into the page's own code, the loader cannot tell where it was served from.
    if (host.dataset.assets && !loading) base = new URL(host.dataset.assets, document.baseURI);
    ["ready", "message", "status", "error", "opened", "closed", "auth", "messenger"].forEach((name) => {
      host.addEventListener("guest-chat:" + name, relay);
    });
    draw(host);
    host.__config = deployment(host);
    if (loading) {
      loading.then((module) => host.__config.then(() => start(module, host)), () => {});
    } else if (mode === "eager" || host.dataset.load === "eager") {
      load();
    } else {
      // A returning visitor's conversation comes back within a fifth of a second even
      // while the page is still busy.
      whenIdle(() => loading || resume(host), 200);
    }
  }

  if (!customElements.get("guest-chat")) {
    customElements.define("guest-chat", class extends HTMLElement {
      connectedCallback() { mount(this); }
    });
  }

  // The script's own data- attributes describe a widget to create, and so does
  // Messenger's snippet: its deployment and environment become the widget's, its global
  // becomes ours, and what it queued runs in order.
  let host = document.querySelector("guest-chat");
  if (!host && (messenger || Object.keys(script?.dataset || {}).length > 0)) {
    host = document.createElement("guest-chat");
    Object.assign(host.dataset, script?.dataset);
  }
  if (messenger) {
    window[genesysName] = early;
    early.c = messenger;
    const given = host.dataset;
    ["deploymentId", "environment"].forEach((key) => messenger[key] && (given[key] ||= messenger[key]));
  }
  if (host && !host.isConnected) (document.body || document.documentElement).append(host);
  calls.splice(0).forEach((args) => early(...args));

  // Idle after the page's load: the widget is ready before the visitor reaches for it,
  // without competing with the page. The page's own work after its load event (lazy
  // images, analytics, hydration) has the first seconds; a visitor who reaches for the
  // launcher sooner loads the widget at once.
  if (mode === "idle") {
    const afterLoad = () => setTimeout(() => whenIdle(load, 2000), 3000);
    if (document.readyState === "complete") afterLoad();
    else window.addEventListener("load", afterLoad, { once: true });
  }
})();
