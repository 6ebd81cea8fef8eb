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
 * window.GuestChat: open(), close(), toggle(), send(text), on(event, fn), off(event, fn).
 * Events: ready, message {from, text}, status {status, text}, error {reason}. Calls made
 * before the widget has loaded are queued and run once it has.
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

  function call(method, args) {
    if (!ready) {
      queue.push([method, args]);
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

  // Filled in by the release build with the digests of the files it ships; a development
  // build leaves them empty and checks nothing.
  var integrity = { glue: "", wasm: "" };
  var glueUrl = new URL("guest-chat-app.js", base).href;
  var wasmUrl = new URL("guest-chat-app_bg.wasm", base).href;
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
  var loading = import(glueUrl).then(function (module) {
    var wasm = integrity.wasm ? fetch(wasmUrl, { integrity: integrity.wasm }) : wasmUrl;
    return module.default({ module_or_path: wasm }).then(function () {
      return module;
    });
  });
  loading.catch(function (err) {
    console.error("guest-chat: the widget could not load from " + base.href, err);
  });

  function mount(host) {
    if (hosts.indexOf(host) >= 0) return;
    hosts.push(host);
    ["ready", "message", "status", "error"].forEach(function (name) {
      host.addEventListener("guest-chat:" + name, relay);
    });
    loading.then(function (module) {
      handles.push(module.mountWidget(host));
      if (!ready) {
        ready = true;
        queue.splice(0).forEach(function (entry) { call(entry[0], entry[1]); });
      }
    });
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
})();
