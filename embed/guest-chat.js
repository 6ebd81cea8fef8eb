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
 * window.GuestChat: open(), close(), toggle(), send(text), setAttributes({key: value}),
 * on(event, fn), off(event, fn). Events: ready, message {from, text}, status {status,
 * text}, error {reason}, opened, closed. Calls made before the widget has loaded are
 * queued, load it, and run once it has; custom attributes are kept until it loads,
 * without loading it.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", (script && script.src) || document.baseURI);
  var api = window.GuestChat && window.GuestChat.__guestChat ? window.GuestChat : null;
  if (api) return; // loaded twice: the first copy serves

  var hosts = [];
  var handles = [];
  var queue = [];
  var listeners = {};
  var ready = false;
  var loading = null;
  var attempts = 0;
  var attributes = null;

  function call(method, args) {
    if (!ready) {
      queue.push([method, args]);
      load();
      return;
    }
    handles.forEach(function (handle) {
      handle[method].apply(handle, args);
    });
  }

  api = window.GuestChat = {
    __guestChat: true,
    open: function () { call("open", []); },
    close: function () { call("close", []); },
    toggle: function () { call("toggle", []); },
    send: function (text) { call("send", [String(text)]); },
    setAttributes: function (given) {
      attributes = {};
      Object.keys(given || {}).forEach(function (key) { attributes[key] = String(given[key]); });
      handles.forEach(function (handle) { handle.setAttributes(JSON.stringify(attributes)); });
    },
    on: function (name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
      if (name === "ready" && ready) fn({});
    },
    off: function (name, fn) {
      listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; });
    },
  };

  function relay(event) {
    var name = event.type.slice("guest-chat:".length);
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(event.detail || {}); } catch (err) { console.error("guest-chat: a listener threw", err); }
    });
  }

  // The launcher as the widget draws it, until the widget takes over in the same place.
  var LAUNCHER_CSS =
    ".gc-embed{--_accent:var(--gc-accent,#1f6feb);--_accent-text:var(--gc-accent-text,#fff);--_font:var(--gc-font,system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif);--_offset:var(--gc-offset,20px);font:15px/1.4 var(--_font)}" +
    ".gc-embed[data-theme=dark]{--_accent:var(--gc-accent-dark,#2563d8)}" +
    "@media (prefers-color-scheme:dark){.gc-embed[data-theme=auto]{--_accent:var(--gc-accent-dark,#2563d8)}}" +
    ".gc-root{all:initial}" +
    ".gc-launcher{position:fixed;right:var(--_offset);bottom:var(--_offset);z-index:2147483000;width:56px;height:56px;margin:0;padding:0;border:0;border-radius:50%;background:var(--_accent);color:var(--_accent-text);box-shadow:0 6px 20px rgb(16 24 40/28%);cursor:pointer;display:grid;place-items:center}" +
    ".gc-left .gc-launcher{right:auto;left:var(--_offset)}" +
    ".gc-launcher-icon{width:26px;height:26px;fill:currentColor}" +
    ".gc-embed button:focus-visible{outline:3px solid var(--_accent);outline-offset:2px}" +
    ".gc-badge{position:absolute;top:-4px;right:-4px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c01048;color:#fff;font:700 12px/22px var(--_font);text-align:center}" +
    ".gc-launcher[aria-busy=true]:after{content:\"\";position:absolute;inset:-4px;border:3px solid transparent;border-top-color:var(--_accent);border-radius:50%;animation:gc-spin .8s linear infinite}" +
    "@keyframes gc-spin{to{transform:rotate(1turn)}}" +
    ".gc-failed .gc-badge{background:#b42318}" +
    "@media (forced-colors:active){.gc-launcher,.gc-badge{border:1px solid CanvasText;forced-color-adjust:none;background:Highlight;color:HighlightText}.gc-launcher-icon{fill:HighlightText}}";
  var ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  // The launcher's words in the widget's languages: open, loading, could not load.
  var WORDS = {
    en: ["Open chat", "Loading the chat…", "The chat could not load. Press to try again."],
    es: ["Abrir el chat", "Cargando el chat…", "El chat no se pudo cargar. Pulse para volver a intentarlo."],
    de: ["Chat öffnen", "Chat wird geladen…", "Der Chat konnte nicht geladen werden. Zum erneuten Versuch drücken."],
    ar: ["فتح الدردشة", "جارٍ تحميل الدردشة…", "تعذّر تحميل الدردشة. اضغط للمحاولة مرة أخرى."],
  };

  function words(host) {
    var tags = host.dataset.locale ? [host.dataset.locale] : navigator.languages || [navigator.language || ""];
    for (var i = 0; i < tags.length; i++) {
      var primary = String(tags[i]).trim().split(/[-_]/)[0].toLowerCase();
      if (WORDS[primary]) return [primary, WORDS[primary]];
      if (host.dataset.locale) break;
    }
    return ["en", WORDS.en];
  }

  function storage(host) {
    try {
      return host.dataset.storage === "session" ? sessionStorage : host.dataset.storage === "none" ? null : localStorage;
    } catch (err) {
      return null;
    }
  }

  // A conversation kept by an earlier page: its unread count, or 0 for none unread;
  // -1 when there is none.
  function kept(host) {
    var store = storage(host);
    var found = -1;
    for (var i = 0; store && i < store.length; i++) {
      var key = store.key(i) || "";
      if (key.indexOf("guest-chat:v1:") !== 0) continue;
      found = Math.max(found, 0);
      if (/\|unread$/.test(key)) found = Math.max(found, parseInt(store.getItem(key), 10) || 0);
    }
    return found;
  }

  function draw(host) {
    var shadow = host.shadowRoot || host.attachShadow({ mode: "open" });
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(LAUNCHER_CSS);
    shadow.adoptedStyleSheets = [sheet];
    var chosen = words(host);
    var root = document.createElement("div");
    root.className = "gc-root gc-early";
    var embed = document.createElement("div");
    embed.className = "gc-embed" + (host.dataset.position === "left" ? " gc-left" : "");
    embed.dataset.theme = host.dataset.theme || "auto";
    embed.lang = chosen[0];
    embed.dir = chosen[0] === "ar" ? "rtl" : "ltr";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "gc-launcher";
    button.setAttribute("part", "launcher");
    button.setAttribute("aria-expanded", "false");
    var svg = "http://www.w3.org/2000/svg";
    var icon = document.createElementNS(svg, "svg");
    icon.setAttribute("class", "gc-launcher-icon");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var path = document.createElementNS(svg, "path");
    path.setAttribute("d", ICON);
    icon.appendChild(path);
    button.appendChild(icon);
    button.setAttribute("aria-label", chosen[1][0]);
    button.addEventListener("pointerenter", load);
    button.addEventListener("focus", load);
    button.addEventListener("click", function () {
      // The click that loads the widget opens it once it is there.
      if (root.classList.contains("gc-failed")) {
        root.classList.remove("gc-failed");
        var mark = button.querySelector(".gc-badge");
        if (mark) mark.remove();
      }
      load();
      if (!queue.some(function (entry) { return entry[0] === "open"; })) call("open", []);
    });
    embed.appendChild(button);
    root.appendChild(embed);
    shadow.appendChild(root);
    host.__early = { root: root, button: button, words: chosen[1] };
  }

  // A conversation kept by an earlier page loads the widget at once, and its unread
  // count shows meanwhile. Reading storage makes the browser load the site's storage
  // (a millisecond or two), so it waits for a moment the page does not need.
  function resume(host) {
    var unread = kept(host);
    var early = host.__early;
    if (unread > 0 && early && !early.button.querySelector(".gc-badge")) {
      var badge = document.createElement("span");
      badge.className = "gc-badge";
      badge.setAttribute("aria-hidden", "true");
      badge.textContent = String(unread);
      early.button.appendChild(badge);
    }
    if (unread >= 0) load();
  }

  function whenIdle(fn, within) {
    (window.requestIdleCallback || function (f) { setTimeout(f, 1); })(fn, { timeout: within });
  }

  // Every drawn launcher shows the load's state: busy, or failed with a way to retry.
  function show(state) {
    hosts.forEach(function (host) {
      var early = host.__early;
      if (!early) return;
      early.button.setAttribute("aria-busy", state === "busy" ? "true" : "false");
      early.button.setAttribute("aria-label", early.words[state === "busy" ? 1 : state === "failed" ? 2 : 0]);
      if (state === "failed") {
        early.root.classList.add("gc-failed");
        if (!early.button.querySelector(".gc-badge")) {
          var mark = document.createElement("span");
          mark.className = "gc-badge";
          mark.setAttribute("aria-hidden", "true");
          mark.textContent = "!";
          early.button.appendChild(mark);
        }
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
    var again = attempts > 1 ? "?attempt=" + attempts : "";
    var glueUrl = new URL("guest-chat-app.js" + again, base).href;
    var wasmUrl = new URL("guest-chat-app_bg.wasm" + again, base).href;
    if (integrity.glue) {
      // import() takes no integrity; a module preloaded with one is checked, and the
      // import then uses it.
      var preload = document.createElement("link");
      preload.rel = "modulepreload";
      preload.href = glueUrl;
      preload.integrity = integrity.glue;
      preload.crossOrigin = "anonymous";
      document.head.appendChild(preload);
    }
    // Shown only if the load takes long enough to notice.
    var slow = setTimeout(function () { show("busy"); }, 150);
    loading = import(glueUrl).then(function (module) {
      var wasm = integrity.wasm ? fetch(wasmUrl, { integrity: integrity.wasm }) : wasmUrl;
      return module.default({ module_or_path: wasm }).then(function () {
        // The widget is drawn in a task of its own: compiling and drawing in one would
        // hold the page up for longer at a time.
        return new Promise(function (resolve) {
          setTimeout(function () { resolve(module); }, 0);
        });
      });
    });
    loading.then(function (module) {
      clearTimeout(slow);
      hosts.forEach(function (host) { start(module, host); });
      if (!ready) {
        ready = true;
        queue.splice(0).forEach(function (entry) { call(entry[0], entry[1]); });
      }
    }, function (err) {
      clearTimeout(slow);
      loading = null;
      show("failed");
      console.error("guest-chat: the widget could not load from " + base.href, err);
    });
    return loading;
  }

  // The widget takes the launcher's place in the same task, so nothing moves or flashes.
  function start(module, host) {
    if (host.__started) return;
    host.__started = true;
    var early = host.__early;
    var focused = early && host.shadowRoot.activeElement === early.button;
    var handle = module.mountWidget(host);
    handles.push(handle);
    if (attributes) handle.setAttributes(JSON.stringify(attributes));
    if (early) {
      early.root.remove();
      host.__early = null;
      if (focused) {
        var launcher = host.shadowRoot.querySelector(".gc-launcher");
        if (launcher) launcher.focus();
      }
    }
  }

  var mode = ((script && script.dataset.load) || "idle").toLowerCase();

  function mount(host) {
    if (hosts.indexOf(host) >= 0) return;
    hosts.push(host);
    // Bundled into the page's own code, the loader cannot tell where it was served from.
    if (host.dataset.assets && !loading) base = new URL(host.dataset.assets, document.baseURI);
    ["ready", "message", "status", "error", "opened", "closed"].forEach(function (name) {
      host.addEventListener("guest-chat:" + name, relay);
    });
    draw(host);
    if (loading) {
      loading.then(function (module) { start(module, host); }, function () {});
    } else if (mode === "eager" || (host.dataset.load || "") === "eager") {
      load();
    } else {
      // A returning visitor's conversation comes back within a fifth of a second even
      // while the page is still busy.
      whenIdle(function () { if (!loading) resume(host); }, 200);
    }
  }

  if (!customElements.get("guest-chat")) {
    customElements.define("guest-chat", class extends HTMLElement {
      connectedCallback() { mount(this); }
    });
  }

  // The script's own data- attributes describe a widget to create.
  if (script && Object.keys(script.dataset).length > 0 && !document.querySelector("guest-chat")) {
    var host = document.createElement("guest-chat");
    Object.keys(script.dataset).forEach(function (key) {
      host.dataset[key] = script.dataset[key];
    });
    (document.body || document.documentElement).appendChild(host);
  }

  // Idle after the page's load: the widget is ready before the visitor reaches for it,
  // without competing with the page. The page's own work after its load event (lazy
  // images, analytics, hydration) has the first seconds; a visitor who reaches for the
  // launcher sooner loads the widget at once.
  if (mode === "idle") {
    var afterLoad = function () { setTimeout(function () { whenIdle(load, 2000); }, 3000); };
    if (document.readyState === "complete") afterLoad();
    else window.addEventListener("load", afterLoad, { once: true });
  }
})();
