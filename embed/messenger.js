// Genesys Messenger's page API, answered once the widget has loaded: the build appends
// this to the widget's glue module (scripts/minify.mjs), so it costs a page nothing
// until the visitor shows interest and is checked by the glue's integrity digest.
//
// The loader (embed/guest-chat.js) keeps the calls a page makes before then, exactly as
// Messenger's snippet queues them, and hands them over with what they need:
//   name   the page's global (window._genesysJs, "Genesys")
//   calls  the calls made so far, each an `arguments` of Genesys(kind, name, …)
//   call   (method, args, ok, no): runs a method of the widget's handle; its
//          `command(name, text)` takes sendMessage's text, the one option it reads
//   hosts  the widget's host elements
//   share  (attributes?): sets the conversation's custom attributes (the same ones as
//          GuestChat.setAttributes) and returns them
// It returns the function the loader passes the widget's Messenger events to.
//
// What Genesys documents, and what this decides where it is silent, is in README.md,
// "Moving from Genesys Messenger".
export function installMessenger({ name: globalName, calls, call, hosts, share }) {
  const subscribers = {};
  const fired = {};
  const commands = {};

  function each(fns, arg, what) {
    (fns || []).slice().forEach((fn) => {
      try {
        fn(arg);
      } catch (err) {
        console.error(`guest-chat: a Messenger ${what} threw`, err);
      }
    });
  }

  // A subscriber gets `{event, data}`. A `ready` event is remembered: subscribing to
  // it later still calls back.
  function publish(event, data = {}) {
    if (/\.ready$/.test(event)) fired[event] = data;
    each(subscribers[event], { event, data }, "subscriber");
  }

  const held = () => ({ messaging: { customAttributes: { ...share() } } });

  // set and update merge into messaging.customAttributes; get and remove name all of
  // them ("messaging.customAttributes") or one ("messaging.customAttributes.key").
  function database(verb, options) {
    const path = options?.name || "messaging.customAttributes";
    const key = path.replace(/^messaging\.customAttributes\.?/, "");
    if (verb === "get" || verb === "remove") {
      if (key === path) throw `options.name must be "messaging.customAttributes" or one of its keys, not "${path}"`;
      if (verb === "get") return key ? share()?.[key] : held().messaging.customAttributes;
      const kept = { ...share() };
      if (key) delete kept[key];
      share(key ? kept : {});
      publish("Database.removed", held());
      return held();
    }
    const given = options?.messaging?.customAttributes;
    if (!given || typeof given !== "object") throw "options must be {messaging: {customAttributes: {key: \"value\"}}}";
    const merged = { ...share() };
    Object.keys(given).forEach((k) => {
      merged[k] = String(given[k]);
    });
    share(merged);
    publish("Database.updated", held());
    return held();
  }

  function launcher(show) {
    hosts.forEach((host) => host.toggleAttribute("data-launcher-hidden", !show));
    publish(show ? "Launcher.visible" : "Launcher.hidden");
  }

  // What the widget itself answers; any other name in these plugins is refused here,
  // so a misspelt command never reaches the chat.
  const WIDGET = /^(Messenger\.(open|close)|MessagingService\.(sendMessage|startConversation|clearConversation|resetConversation|fetchHistory))$/;

  function command(commandName, options) {
    const [plugin, verb] = String(commandName).split(".");
    return new Promise((ok, no) => {
      if (WIDGET.test(commandName)) call("command", [commandName, typeof options?.message === "string" ? options.message : ""], ok, no);
      else if (plugin === "Database" && /^(set|update|get|remove)$/.test(verb)) ok(database(verb, options));
      else if (plugin === "Launcher" && /^(show|hide)$/.test(verb)) ok(launcher(verb === "show"));
      else if (commandName === "Toaster.open") {
        const text = (value) => (value == null ? "" : String(value));
        const buttons = options?.buttons || {};
        call("toast", [text(options?.title), text(options?.body), text(buttons.primary), text(buttons.secondary)], ok, no);
      }
      else if (commandName === "Auth.logout") call("signOut", [], ok, no);
      else if (commandName === "Auth.reAuthenticate") ok(signInFromProvider());
      else if (commandName === "Auth.getTokens") throw "the widget keeps the tokens to itself";
      else if (commands[commandName]) ok(commands[commandName](options));
      else throw `there is no command "${commandName}"`;
    }).catch((why) => {
      const err = new Error(`guest-chat: ${commandName}: ${why?.message || why}`);
      console.warn(err.message);
      throw err;
    });
  }

  // A site's AuthProvider plugin hands over the visitor's code when it is ready, and
  // again on Auth.reAuthenticate; a refusal is the page's Auth.authError.
  function signInFromProvider() {
    const getCode = commands["AuthProvider.getAuthCode"];
    if (!getCode) return Promise.reject("no AuthProvider plugin has registered getAuthCode");
    return getCode({})
      .then((code) => new Promise((ok, no) => call("signIn", [code || {}], ok, no)))
      .catch((why) => {
        publish("Auth.authError", { message: String(why?.message || why) });
        throw why;
      });
  }

  // Genesys(kind, name, options?, resolve?, reject?), as Messenger's snippet calls it.
  function genesys(kind, name, options, resolve, reject) {
    if (kind === "command") {
      const done = command(name, options);
      // Handled here, so that a page that asked for neither callback nor promise sees
      // the warning and no unhandled rejection.
      done.then(resolve, reject || (() => {}));
      return done;
    }
    if (kind === "subscribe" && typeof options === "function") {
      (subscribers[name] ||= []).push(options);
      if (name in fired) each([options], { event: name, data: fired[name] }, "subscriber");
    } else if (kind === "registerPlugin" && typeof options === "function") {
      each([options], {
        command: (n, o) => command(n, o),
        subscribe: (event, fn) => genesys("subscribe", event, fn),
        publish: (event, data) => publish(`${name}.${event}`, data),
        registerCommand: (n, handler) => {
          commands[`${name}.${n}`] = (data) => new Promise((ok, no) => handler({ data, resolve: ok, reject: no }));
        },
        ready: () => {
          publish(`${name}.ready`);
          if (name === "AuthProvider") signInFromProvider().catch(() => {});
        },
      }, "plugin");
    } else {
      console.warn(`guest-chat: ${globalName}("${kind}", …) is not a call Messenger has, or lacks its function`);
    }
  }
  genesys.c = window[globalName]?.c;
  window[globalName] = genesys;
  calls.splice(0).forEach((args) => genesys(...args));
  ["Messenger.ready", "Launcher.ready", "Database.ready", "MessagingService.ready", "Toaster.ready", "Auth.ready"].forEach((event) => publish(event));
  return publish;
}
