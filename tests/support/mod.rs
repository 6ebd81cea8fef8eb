//! Helpers for the browser tests: a fresh widget per test, the simulator's control API,
//! and polling the DOM until it shows what a visitor would see.

#![allow(dead_code)]

pub mod genesys;

use serde_json::Value;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

/// The simulator the test command started (`--control --agent none`).
pub const SIM: &str = match option_env!("GUEST_CHAT_SIM") {
    Some(url) => url,
    None => "http://127.0.0.1:8787",
};

pub fn ws_base() -> String {
    SIM.replacen("http", "ws", 1)
}

#[wasm_bindgen(inline_js = r#"
export function install_spies() {
  if (window.__gcSpies) return;
  const spies = { warn: [], error: [], alert: [], fetch: [] };
  const fetch = window.fetch.bind(window);
  window.fetch = (resource, init) => { spies.fetch.push(resource instanceof Request ? resource.url : String(resource)); return fetch(resource, init); };
  const warn = console.warn.bind(console);
  const error = console.error.bind(console);
  console.warn = (...args) => { spies.warn.push(args.map(String).join(" ")); warn(...args); };
  console.error = (...args) => { spies.error.push(args.map(String).join(" ")); error(...args); };
  window.alert = (text) => { spies.alert.push(String(text)); };
  window.__gcSpies = spies;
}
export function spied(kind) { return window.__gcSpies[kind].join("\n"); }
export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
"#)]
extern "C" {
    pub fn install_spies();
    /// Everything logged with `console.warn` / `console.error`, passed to `alert`, or
    /// (kind `fetch`) every URL requested with `fetch`.
    pub fn spied(kind: &str) -> String;
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: u32) -> js_sys::Promise;
}

pub async fn sleep(ms: u32) {
    let _ = JsFuture::from(sleep_promise(ms)).await;
}

/// Polls an asynchronous check (what the simulator saw, say) until it holds (5 s at most).
pub async fn wait_until<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..250 {
        if check().await {
            return;
        }
        sleep(20).await;
    }
    panic!("timed out waiting for {what}");
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A widget mounted into a fresh element; unmounted (socket and timers released) on drop.
pub struct Widget {
    pub root: HtmlElement,
    pub guest_name: String,
    _handle: Box<dyn std::any::Any>,
}

impl Drop for Widget {
    fn drop(&mut self) {
        self.root.remove();
    }
}

pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

/// Direct mode against the simulator, quick reconnects; `extra` adds or overrides attributes
/// (an empty value removes one).
pub fn mount(extra: &[(&str, &str)]) -> Widget {
    install_spies();
    let guest_name = unique_name("guest");
    let ws = ws_base();
    let mut attrs: Vec<(String, String)> = [
        ("access-token", "dev-access-token"),
        ("organization-id", "gen-local-simulator"),
        ("api-base", SIM),
        ("ws-base", ws.as_str()),
        ("guest-name", guest_name.as_str()),
        ("guest-email", "test@example.com"),
        ("reconnect-base-ms", "40"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in extra {
        attrs.retain(|(name, _)| name != k);
        if !v.is_empty() {
            attrs.push((k.to_string(), v.to_string()));
        }
    }
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    for (k, v) in &attrs {
        root.set_attribute(&format!("data-{k}"), v).unwrap();
    }
    root.style().set_property("height", "420px").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = guest_chat::mount_to(root.clone());
    let guest_name = attrs
        .iter()
        .find(|(k, _)| k == "guest-name")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Widget {
        root,
        guest_name,
        _handle: Box::new(handle),
    }
}

impl Widget {
    pub fn find(&self, selector: &str) -> Option<Element> {
        self.root.query_selector(selector).unwrap()
    }

    pub fn all_text(&self, selector: &str) -> Vec<String> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.text_content().unwrap_or_default())
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.find(selector)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    pub fn status(&self) -> String {
        self.text(".gc-status")
    }

    /// The time and delivery line of the first guest message.
    pub fn guest_meta(&self) -> String {
        self.find(".gc-guest")
            .and_then(|e| e.get_attribute("data-meta"))
            .unwrap_or_default()
    }

    pub fn input(&self) -> web_sys::HtmlTextAreaElement {
        self.find(".gc-input").expect("composer").unchecked_into()
    }

    pub fn send_button(&self) -> HtmlElement {
        self.find(".gc-send").expect("send button").unchecked_into()
    }

    pub fn click(&self, selector: &str) {
        let el: HtmlElement = self
            .find(selector)
            .unwrap_or_else(|| panic!("no {selector}"))
            .unchecked_into();
        el.click();
    }

    /// Types `text` without sending it (the composer's `input` event).
    pub fn type_only(&self, text: &str) {
        let input = self.input();
        input.set_value(text);
        let ev = web_sys::Event::new("input").unwrap();
        // Bubbling, as the browser's own: the widget may listen higher up.
        #[allow(deprecated)]
        ev.init_event_with_bubbles("input", true);
        input.dispatch_event(&ev).unwrap();
    }

    /// Types `text` and presses Enter, as a visitor would.
    pub fn type_and_enter(&self, text: &str) {
        let input = self.input();
        input.set_value(text);
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Enter");
        init.set_bubbles(true);
        init.set_cancelable(true);
        let ev =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        input.dispatch_event(&ev).unwrap();
    }

    /// Polls until `check` holds (5 s at most), then panics with what the widget shows.
    pub async fn wait_for(&self, what: &str, check: impl Fn(&Widget) -> bool) {
        self.wait_for_up_to(5_000, what, check).await;
    }

    /// Polls until `check` holds (`ms` at most), then panics with what the widget shows.
    pub async fn wait_for_up_to(&self, ms: u32, what: &str, check: impl Fn(&Widget) -> bool) {
        for _ in 0..ms / 20 {
            if check(self) {
                return;
            }
            sleep(20).await;
        }
        panic!(
            "timed out waiting for {what}; the widget shows: {}",
            self.root.inner_html()
        );
    }

    pub async fn wait_status(&self, expected: &str) {
        self.wait_for(&format!("status \"{expected}\""), |w| {
            w.status().contains(expected)
        })
        .await;
    }

    /// The simulator's id of this widget's session.
    pub async fn session_id(&self) -> String {
        for _ in 0..250 {
            let list = get_json(&format!("/control/sessions?guest_name={}", self.guest_name)).await;
            if let Some(id) = list.get(0).and_then(|s| s["id"].as_str()) {
                return id.to_string();
            }
            sleep(20).await;
        }
        panic!("no session for {}", self.guest_name);
    }

    pub async fn session(&self) -> Value {
        get_json(&format!("/control/sessions/{}", self.session_id().await)).await
    }

    /// Calls the control API for this widget's session.
    pub async fn control(&self, action: &str, body: &str) -> Value {
        let id = self.session_id().await;
        post(&format!("/control/sessions/{id}/{action}"), body).await
    }

    /// Sends `raw` to the widget exactly as given.
    pub async fn push(&self, raw: &str) {
        let sent = self.control("push", raw).await;
        assert_eq!(
            sent["sent"], true,
            "the widget was connected when the frame was pushed"
        );
    }

    pub async fn received(&self) -> Vec<String> {
        let id = self.session_id().await;
        let frames = get_json(&format!("/control/sessions/{id}/received")).await;
        frames
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    }
}

async fn fetch(method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
        let headers = web_sys::Headers::new().unwrap();
        headers.set("Content-Type", "application/json").unwrap();
        init.set_headers(&headers);
    }
    let window = web_sys::window().unwrap();
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(&format!("{SIM}{path}"), &init))
            .await
            .expect("the simulator answers")
            .unchecked_into();
    let text = JsFuture::from(response.text().unwrap())
        .await
        .unwrap()
        .as_string()
        .unwrap();
    (response.status(), text)
}

pub async fn get_json(path: &str) -> Value {
    let (status, text) = fetch("GET", path, None).await;
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

pub async fn post(path: &str, body: &str) -> Value {
    let (status, text) = fetch("POST", path, Some(body)).await;
    assert_eq!(status, 200, "POST {path}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}
