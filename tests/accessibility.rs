//! What assistive technology gets: the announcer, senders and times, languages.

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function record_text(el) {
  const seen = [];
  new MutationObserver(() => seen.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
  return () => seen.filter((t) => t.length > 0);
}
"#)]
extern "C" {
    /// Records every text the element shows from now on; call the result to read them.
    fn record_text(el: &web_sys::Element) -> js_sys::Function;
}

fn recorded(reader: &js_sys::Function) -> Vec<String> {
    let list: js_sys::Array = reader.call0(&JsValue::NULL).unwrap().into();
    list.iter().filter_map(|v| v.as_string()).collect()
}

#[wasm_bindgen_test]
async fn the_announcer_says_agent_messages_and_routing_changes() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    let announcer = w.find(".gc-announcer").unwrap();
    assert_eq!(
        announcer.get_attribute("aria-live").as_deref(),
        Some("polite")
    );
    assert_eq!(
        w.find(".gc-transcript")
            .unwrap()
            .get_attribute("aria-live")
            .as_deref(),
        Some("off"),
        "the log does not read itself out again"
    );
    // The greeting follows the status; an agent message sent before it is spoken would
    // be read in the same announcement.
    w.wait_for("the greeting announced", |w| {
        w.text(".gc-announcer").starts_with("Chat connected")
    })
    .await;
    w.control("agent-message", r#"{"text":"How can I help?"}"#)
        .await;
    w.wait_for("the agent message announced", |w| {
        w.text(".gc-announcer") == "Sam says: How can I help?"
    })
    .await;
    w.control("routing", r#"{"status":"queued","position":2}"#)
        .await;
    w.wait_for("the routing change announced", |w| {
        w.text(".gc-announcer") == "You are in the queue (position 2)."
    })
    .await;
    // The visitor's own message is not read back.
    w.type_and_enter("mine");
    // The receipt comes after the bubble was shown: had the bubble been announced, the
    // announcer would say so by now.
    w.wait_for("the receipt", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    assert_eq!(
        w.text(".gc-announcer"),
        "You are in the queue (position 2)."
    );
}

#[wasm_bindgen_test]
async fn typing_is_announced_once_per_reply() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    // The status shows at once; the greeting follows with the next frame.
    w.wait_for("the greeting announced", |w| {
        w.text(".gc-announcer").starts_with("Chat connected")
    })
    .await;
    let reader = record_text(&w.find(".gc-announcer").unwrap());
    for typing in [true, false, true, false, true] {
        w.control("typing", &format!(r#"{{"typing":{typing}}}"#))
            .await;
        w.wait_for("the typing indicator to follow", |w| {
            w.find(".gc-typing").is_some() == typing
        })
        .await;
    }
    w.control("agent-message", r#"{"text":"done"}"#).await;
    w.wait_for("the reply", |w| w.text(".gc-announcer").contains("done"))
        .await;
    w.control("typing", r#"{"typing":true}"#).await;
    w.wait_for("typing for the next reply", |w| {
        w.text(".gc-announcer") == "Agent is typing…"
    })
    .await;
    let said = recorded(&reader);
    let typing = said
        .iter()
        .filter(|t| t.contains("Agent is typing…"))
        .count();
    assert_eq!(typing, 2, "once before each reply: {said:?}");
}

#[wasm_bindgen_test]
async fn connection_changes_are_announced_but_not_every_attempt() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    let reader = record_text(&w.find(".gc-announcer").unwrap());
    w.control("drop", "").await;
    w.wait_status("Connected").await;
    w.wait_for("the reconnection announced", |_| {
        recorded(&reader).last().is_some_and(|t| t == "Connected")
    })
    .await;
    let said = recorded(&reader);
    assert!(
        said.iter().any(|t| t.starts_with("Disconnected")),
        "{said:?}"
    );
}

#[wasm_bindgen_test]
async fn each_message_names_its_sender_and_time() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    w.control("agent-message", r#"{"text":"hello"}"#).await;
    w.type_and_enter("hi");
    w.wait_for("the receipt", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    let agent = w.find(".gc-agent").unwrap();
    // The line the stylesheet shows under the bubble is what a screen reader reads too.
    let after = web_sys::window()
        .unwrap()
        .get_computed_style_with_pseudo_elt(&agent, "::after")
        .unwrap()
        .unwrap()
        .get_property_value("content")
        .unwrap();
    let meta = agent.get_attribute("data-meta").unwrap();
    assert_eq!(after, format!("\"{meta}\""));
    assert!(meta.starts_with("Sam · ") && meta.contains(':'), "{meta}");
    let guest = w.guest_meta();
    assert!(
        guest.starts_with("You · ") && guest.ends_with(" · Delivered"),
        "{guest}"
    );
    assert_eq!(
        w.find(".gc-transcript")
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("log")
    );
    assert_eq!(
        w.input().get_attribute("aria-label").as_deref(),
        Some("Message")
    );
}

#[wasm_bindgen_test]
async fn data_locale_chooses_the_language_and_arabic_is_right_to_left() {
    let w = mount(&[("locale", "es")]);
    w.wait_status("Conectado").await;
    assert_eq!(w.text(".gc-send"), "Enviar");
    assert_eq!(w.input().placeholder(), "Escribe un mensaje…");
    assert_eq!(
        w.find(".gc").unwrap().get_attribute("lang").as_deref(),
        Some("es")
    );
    drop(w);

    let w = mount(&[("locale", "ar")]);
    w.wait_status("متصل").await;
    let section = w.find(".gc").unwrap();
    assert_eq!(section.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(section.get_attribute("lang").as_deref(), Some("ar"));
    assert_eq!(w.text(".gc-send"), "إرسال");
    w.type_and_enter("مرحبا");
    w.wait_for("the guest bubble", |w| w.find(".gc-guest").is_some())
        .await;
    // Guest bubbles sit at the end side: the left in a right-to-left chat.
    let bubble = w.find(".gc-guest").unwrap().get_bounding_client_rect();
    let log = w.find(".gc-transcript").unwrap().get_bounding_client_rect();
    assert!(
        bubble.left() - log.left() < log.right() - bubble.right(),
        "the bubble is on the left"
    );
}

#[wasm_bindgen_test]
async fn german_hints_for_a_failed_start() {
    post("/control/fail-sessions", r#"{"count":1,"status":503}"#).await;
    let w = mount(&[("locale", "de-DE")]);
    w.wait_status("HTTP 503").await;
    assert!(w
        .status()
        .starts_with("Der Chat konnte nicht gestartet werden"));
    assert!(w.text(".gc-hint").contains("Probleme"));
    assert_eq!(w.text(".gc-retry"), "Erneut versuchen");
}

#[wasm_bindgen_test]
async fn a_burst_is_announced_by_its_last_three_lines() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    w.control("burst", r#"{"count":40,"prefix":"m"}"#).await;
    w.wait_for("the whole burst", |w| {
        w.all_text(".gc-agent .gc-text").len() == 40
    })
    .await;
    w.wait_for("the burst's last three lines announced", |w| {
        w.text(".gc-announcer") == "Sam says: m37 Sam says: m38 Sam says: m39"
    })
    .await;
}

#[wasm_bindgen_test]
async fn german_hint_after_every_reconnect_failed() {
    let w = mount(&[("locale", "de"), ("reconnect-attempts", "1")]);
    w.wait_status("Verbunden").await;
    w.control("refuse-upgrades", r#"{"count":100}"#).await;
    w.control("drop", "").await;
    w.wait_for("the retry button", |w| w.find(".gc-retry").is_some())
        .await;
    assert_eq!(w.text(".gc-hint"), guest_chat::i18n::DE.hint_gave_up);
    assert_eq!(w.text(".gc-retry"), "Erneut versuchen");
    w.control("refuse-upgrades", r#"{"count":0}"#).await;
}
