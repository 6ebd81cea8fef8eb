//! The widget in headless Chromium against the real simulator: every behaviour of the
//! tutorial's page, and the ways ours does better.

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn connected(extra: &[(&str, &str)]) -> Widget {
    let w = mount(extra);
    w.wait_status("Connected").await;
    w
}

#[wasm_bindgen_test]
async fn starts_by_creating_a_session_then_connects_enables_and_focuses_the_composer() {
    // A tab of its own: one sharing its conversation first asks the other tabs' lock.
    let w = mount(&[("storage", "session")]);
    // The status is shown at once, not on the next animation frame.
    assert_eq!(w.status(), "Creating session…");
    w.wait_status("Connected").await;
    assert!(!w.input().disabled());
    assert!(!w
        .send_button()
        .unchecked_ref::<web_sys::HtmlButtonElement>()
        .disabled());
    w.wait_for("focus in the composer", |w| {
        document()
            .active_element()
            .map(|e| e == **w.input())
            .unwrap_or(false)
    })
    .await;
    assert_eq!(
        w.all_text(".gc-system"),
        ["Chat connected. You can start typing."]
    );
    let session = w.session().await;
    assert_eq!(session["guest_email"], "test@example.com");
    assert_eq!(session["connected"], true);
}

#[wasm_bindgen_test]
async fn the_composer_is_disabled_until_connected() {
    let w = mount(&[]);
    assert!(w.input().disabled());
    w.wait_status("Connected").await;
    assert!(!w.input().disabled());
}

#[wasm_bindgen_test]
async fn backend_mode_gets_the_session_from_the_session_url() {
    let url = format!("{SIM}/guest-session");
    let w = connected(&[("session-url", &url), ("access-token", "")]).await;
    assert_eq!(w.session().await["connected"], true);
}

#[wasm_bindgen_test]
async fn the_socket_uses_the_organization_from_the_rest_answer() {
    // The backend ignores the page's organization; the simulator refuses an upgrade whose
    // organization is not the token's, so this only connects with the REST answer's id.
    let url = format!("{SIM}/guest-session");
    let w = connected(&[
        ("session-url", &url),
        ("access-token", ""),
        ("organization-id", "a-stale-organization"),
    ])
    .await;
    assert_eq!(w.session().await["connections_total"], 1);
}

#[wasm_bindgen_test]
async fn a_401_shows_status_server_text_hint_and_a_way_to_retry() {
    let w = mount(&[("access-token", "expired-token")]);
    w.wait_status("HTTP 401").await;
    assert!(
        w.status().contains("the access token is invalid"),
        "{}",
        w.status()
    );
    assert!(w.text(".gc-hint").contains("webmessaging:guest"));
    assert!(w.find(".gc-retry").is_some());
    assert!(w.input().disabled());
    assert_eq!(spied("alert"), "");
}

#[wasm_bindgen_test]
async fn a_server_error_can_be_retried_into_a_working_chat() {
    post(
        "/control/fail-sessions",
        r#"{"count":1,"status":503,"body":"{\"error\":\"unavailable\",\"message\":\"maintenance\"}"}"#,
    )
    .await;
    let w = mount(&[]);
    w.wait_status("HTTP 503: maintenance").await;
    assert!(w.text(".gc-hint").contains("having trouble"));
    w.click(".gc-retry");
    w.wait_status("Connected").await;
    assert!(w.find(".gc-retry").is_none());
}

#[wasm_bindgen_test]
async fn a_403_and_a_429_get_their_own_hints() {
    post("/control/fail-sessions", r#"{"count":1,"status":403}"#).await;
    let w = mount(&[]);
    w.wait_status("HTTP 403").await;
    assert!(w.text(".gc-hint").contains("organization"));
    drop(w);
    post(
        "/control/fail-sessions",
        r#"{"count":1,"status":429,"retry_after":9}"#,
    )
    .await;
    let w = mount(&[]);
    w.wait_status("HTTP 429").await;
    assert!(w.text(".gc-hint").contains("9 s"), "{}", w.text(".gc-hint"));
}

#[wasm_bindgen_test]
async fn an_unreachable_service_is_a_network_error() {
    let w = mount(&[("api-base", "http://127.0.0.1:9")]);
    w.wait_status("network error").await;
    assert!(w.text(".gc-hint").contains("could not be reached"));
}

#[wasm_bindgen_test]
async fn a_bad_configuration_is_explained_in_the_widget() {
    let w = mount(&[("access-token", "")]);
    w.wait_for("the configuration message", |w| {
        w.text(".gc-status-error").contains("data-session-url")
    })
    .await;
    assert!(w.find(".gc-input").is_none());
}

#[wasm_bindgen_test]
async fn agent_messages_render_as_inert_text() {
    let w = connected(&[]).await;
    let hostile = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>\u{202E}abc\u{200B}";
    let frame = serde_json::json!({"type": "agent_message", "text": hostile}).to_string();
    w.push(&frame).await;
    w.wait_for("the agent bubble", |w| {
        w.all_text(".gc-agent .gc-text").len() == 1
    })
    .await;
    assert_eq!(w.all_text(".gc-agent .gc-text"), [hostile]);
    assert!(w.find(".gc-agent img").is_none() && w.find(".gc-agent script").is_none());
    assert!(
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"__pwned".into())
            .unwrap()
            .is_undefined()
    );
}

#[wasm_bindgen_test]
async fn typing_indicator_follows_the_agent_and_sits_at_the_end() {
    let w = connected(&[]).await;
    w.control("typing", r#"{"typing":true}"#).await;
    w.wait_for("the typing indicator", |w| w.find(".gc-typing").is_some())
        .await;
    assert_eq!(w.text(".gc-typing"), "Agent is typing…");
    let last = w
        .find(".gc-transcript")
        .unwrap()
        .last_element_child()
        .unwrap();
    assert_eq!(last.class_name(), "gc-typing");
    w.control("typing", r#"{"typing":false}"#).await;
    w.wait_for("the indicator to go", |w| w.find(".gc-typing").is_none())
        .await;
    w.push(r#"{"type":"agent_typing"}"#).await;
    w.wait_for("the typing indicator", |w| w.find(".gc-typing").is_some())
        .await;
    w.control("agent-message", r#"{"text":"done typing"}"#)
        .await;
    w.wait_for("the message to replace the indicator", |w| {
        w.find(".gc-typing").is_none() && w.all_text(".gc-agent .gc-text") == ["done typing"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn routing_updates_become_system_lines() {
    let w = connected(&[]).await;
    w.control("routing", r#"{"status":"queued","position":3}"#)
        .await;
    w.wait_for("the queue line", |w| {
        w.all_text(".gc-system")
            .contains(&"You are in the queue (position 3).".to_string())
    })
    .await;
    w.control("routing", r#"{"status":"connected"}"#).await;
    w.wait_for("the connected line", |w| {
        w.all_text(".gc-system")
            .contains(&"Connected to an agent.".to_string())
    })
    .await;
}

#[wasm_bindgen_test]
async fn sending_by_enter_and_by_button_trims_clears_and_uses_the_rest_session_id() {
    let w = connected(&[]).await;
    w.type_and_enter("  hello there  ");
    w.wait_for("the guest bubble", |w| {
        w.all_text(".gc-guest .gc-text") == ["hello there"]
    })
    .await;
    assert_eq!(w.input().value(), "");
    w.input().set_value("   ");
    w.send_button().click();
    w.input().set_value("by button");
    w.send_button().click();
    w.wait_for("the second bubble", |w| {
        w.all_text(".gc-guest .gc-text").len() == 2
    })
    .await;
    let session_id = w.session_id().await;
    let frames: Vec<serde_json::Value> = w
        .received()
        .await
        .iter()
        .map(|f| serde_json::from_str(f).unwrap())
        .filter(|f: &serde_json::Value| f["type"] == "message")
        .collect();
    assert_eq!(frames.len(), 2, "the blank message was not sent");
    assert_eq!(frames[0]["text"], "hello there");
    assert_eq!(frames[1]["text"], "by button");
    assert!(frames
        .iter()
        .all(|f| f["session_id"] == session_id.as_str()));
    assert!(frames.iter().all(|f| f["client_message_id"]
        .as_str()
        .is_some_and(|id| id.len() == 36)));
}

#[wasm_bindgen_test]
async fn the_server_receipt_marks_a_message_delivered() {
    let w = connected(&[]).await;
    w.type_and_enter("receipt please");
    w.wait_for("delivered", |w| {
        w.find(".gc-guest")
            .and_then(|e| e.get_attribute("data-delivery"))
            .as_deref()
            == Some("delivered")
    })
    .await;
    assert!(w.guest_meta().ends_with("Delivered"), "{}", w.guest_meta());
}

#[wasm_bindgen_test]
async fn an_error_frame_is_shown_in_the_widget_never_alerted() {
    let w = connected(&[]).await;
    w.push(r#"{"type":"error","reason":"Conversation limit reached"}"#)
        .await;
    w.wait_for("the error line", |w| {
        w.all_text(".gc-error") == ["Conversation limit reached"]
    })
    .await;
    assert_eq!(spied("alert"), "");
    assert!(spied("error").contains("Conversation limit reached"));
}

#[wasm_bindgen_test]
async fn unknown_and_malformed_frames_are_logged_and_break_nothing() {
    let w = connected(&[]).await;
    w.push(r#"{"type":"co_browse_invite","url":"x"}"#).await;
    w.push("{\"type\":\"agent_message\",\"text\":").await;
    w.push(r#"{"type":"agent_message","text":42}"#).await;
    w.control("push?binary=true", "\u{1}\u{2}").await;
    w.control("agent-message", r#"{"text":"still alive"}"#)
        .await;
    w.wait_for("the next good message", |w| {
        w.all_text(".gc-agent .gc-text") == ["still alive"]
    })
    .await;
    assert!(spied("warn").contains("co_browse_invite"));
    assert!(spied("error").contains("malformed frame"));
    assert_eq!(w.status(), "Connected");
}

#[wasm_bindgen_test]
async fn the_session_request_leaves_before_the_widget_has_rendered() {
    install_spies();
    let sessions_before = spied("fetch").matches("/sessions").count();
    // A tab of its own: one sharing its conversation first asks the other tabs' lock,
    // which answers within milliseconds.
    let w = mount(&[("storage", "session")]);
    // Checked synchronously after mounting, before any task or microtask ran: the
    // request travels while the browser lays out and paints the widget.
    assert_eq!(
        spied("fetch").matches("/sessions").count() - sessions_before,
        1
    );
    w.wait_status("Connected").await;
}

#[wasm_bindgen_test]
async fn frames_nested_deeply_cost_no_stack_and_stop_nothing() {
    let w = connected(&[]).await;
    let malformed_before = spied("error").matches("malformed frame").count();
    // Read recursively, 50,000 levels would overflow the wasm stack and take the whole
    // widget down. Skipped in a field the widget does not read, they are harmless;
    // where a known field stands, the frame is malformed.
    let depth = 50_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    w.push(&format!(
        r#"{{"type":"agent_message","text":"deep extra","extra":{nested}}}"#
    ))
    .await;
    w.push(&format!(r#"{{"type":"agent_message","text":{nested}}}"#))
        .await;
    w.control("agent-message", r#"{"text":"after the deep ones"}"#)
        .await;
    w.wait_for("the next good message", |w| {
        w.all_text(".gc-agent .gc-text").last().map(String::as_str) == Some("after the deep ones")
    })
    .await;
    assert_eq!(
        w.all_text(".gc-agent .gc-text"),
        ["deep extra", "after the deep ones"]
    );
    assert_eq!(
        spied("error").matches("malformed frame").count() - malformed_before,
        1
    );
    assert_eq!(w.status(), "Connected");
}

#[wasm_bindgen_test]
async fn an_abnormal_close_reconnects_with_the_same_session() {
    let w = connected(&[]).await;
    w.control("drop", r#"{"code":4500,"reason":"test"}"#).await;
    w.wait_for("a reconnect", |w| {
        w.status().starts_with("Disconnected") || w.status().starts_with("Reconnecting")
    })
    .await;
    w.wait_status("Connected").await;
    let session = w.session().await;
    assert_eq!(session["connections_total"], 2);
    w.control("drop", "").await;
    w.wait_for("the second reconnect", |w| {
        !w.status().starts_with("Connected")
    })
    .await;
    w.wait_status("Connected").await;
    assert_eq!(w.session().await["connections_total"], 3);
}

#[wasm_bindgen_test]
async fn a_normal_close_ends_the_chat_without_reconnecting() {
    let w = connected(&[]).await;
    w.control("end", "{}").await;
    w.wait_status("Chat ended").await;
    // Proves that nothing happens: several reconnect delays (40 ms each) pass unused.
    sleep(300).await;
    assert_eq!(w.status(), "Chat ended");
    assert_eq!(w.session().await["connections_total"], 1);
    assert!(w.input().disabled());
    assert!(w
        .all_text(".gc-system")
        .contains(&"The agent ended the chat.".to_string()));
}

#[wasm_bindgen_test]
async fn reconnecting_gives_up_after_the_attempts_and_offers_retry() {
    let w = connected(&[("reconnect-attempts", "2")]).await;
    w.control("refuse-upgrades", r#"{"count":100}"#).await;
    w.control("drop", "").await;
    w.wait_status("Could not reconnect.").await;
    assert!(w.find(".gc-retry").is_some());
    assert_eq!(spied("alert"), "");
    w.control("refuse-upgrades", r#"{"count":0}"#).await;
    w.click(".gc-retry");
    w.wait_status("Connected").await;
}

#[wasm_bindgen_test]
async fn messages_typed_while_reconnecting_are_queued_and_sent_after() {
    let w = connected(&[("reconnect-base-ms", "600")]).await;
    w.control("drop", "").await;
    w.wait_for("the disconnect", |w| w.status().starts_with("Disconnected"))
        .await;
    assert!(!w.input().disabled(), "the composer stays usable");
    w.type_and_enter("written offline");
    w.wait_for("the queued bubble", |w| {
        w.find(".gc-guest")
            .and_then(|e| e.get_attribute("data-delivery"))
            .as_deref()
            == Some("sending")
    })
    .await;
    w.wait_for("delivery after the reconnect", |w| {
        w.find(".gc-guest")
            .and_then(|e| e.get_attribute("data-delivery"))
            .as_deref()
            == Some("delivered")
    })
    .await;
    let texts: Vec<String> = w
        .received()
        .await
        .into_iter()
        .filter(|f| f.contains("written offline"))
        .collect();
    assert_eq!(texts.len(), 1);
}

#[wasm_bindgen_test]
async fn the_heartbeat_pings_and_a_missing_pong_forces_a_reconnect() {
    let w = connected(&[("heartbeat-ms", "150")]).await;
    let pings = || async {
        w.received()
            .await
            .iter()
            .filter(|f| f.contains("ping"))
            .count()
    };
    wait_until("two pings on the wire", || async { pings().await >= 2 }).await;
    assert_eq!(
        w.session().await["connections_total"],
        1,
        "answered pings keep the connection"
    );
    // Pongs now arrive too late: the widget must give up on this connection.
    w.control("delay", r#"{"ms":1000}"#).await;
    wait_until("a new connection", || async {
        w.session().await["connections_total"].as_u64() >= Some(2)
    })
    .await;
    w.control("delay", r#"{"ms":0}"#).await;
}

#[wasm_bindgen_test]
async fn the_transcript_follows_new_messages_unless_the_visitor_scrolled_up() {
    let w = connected(&[]).await;
    for i in 0..30 {
        w.control(
            "agent-message",
            &format!(r#"{{"text":"line {i}\nsecond row"}}"#),
        )
        .await;
    }
    w.wait_for("30 messages", |w| w.all_text(".gc-agent").len() == 30)
        .await;
    let log: web_sys::HtmlElement = w.find(".gc-transcript").unwrap().unchecked_into();
    let at_bottom = |log: &web_sys::HtmlElement| {
        log.scroll_height() - log.scroll_top() - log.client_height() <= 48
    };
    w.wait_for("the newest message in view", |_| at_bottom(&log))
        .await;
    assert!(
        log.scroll_height() > log.client_height(),
        "the transcript overflows"
    );
    log.set_scroll_top(0);
    log.dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    w.control("agent-message", r#"{"text":"while reading"}"#)
        .await;
    w.wait_for("the new-messages button", |w| {
        w.find(".gc-new-messages").is_some()
    })
    .await;
    assert!(log.scroll_top() < 10, "reading position kept");
    w.click(".gc-new-messages");
    w.wait_for("the end of the transcript", |w| {
        at_bottom(&log) && w.find(".gc-new-messages").is_none()
    })
    .await;
}

/// How many of the document's adopted sheets are the widget's (hold its transcript rule).
fn adopted_widget_sheets() -> usize {
    let adopted = document().adopted_style_sheets();
    adopted
        .iter()
        .filter(|sheet| {
            let rules: js_sys::Array =
                js_sys::Array::from(&js_sys::Reflect::get(sheet, &"cssRules".into()).unwrap());
            rules.iter().any(|rule| {
                js_sys::Reflect::get(&rule, &"cssText".into())
                    .ok()
                    .and_then(|t| t.as_string())
                    .is_some_and(|t| t.starts_with(".gc-transcript {"))
            })
        })
        .count()
}

#[wasm_bindgen_test]
async fn the_inline_widget_brings_its_stylesheet_once_however_many_are_mounted() {
    let first = mount(&[]);
    let second = mount(&[]);
    // The page links no stylesheet: the styles come from the wasm.
    assert!(document()
        .query_selector("link[rel=stylesheet], style")
        .unwrap()
        .is_none());
    assert_eq!(adopted_widget_sheets(), 1);
    for w in [&first, &second] {
        let transcript = w.find(".gc-transcript").unwrap();
        let style = web_sys::window()
            .unwrap()
            .get_computed_style(&transcript)
            .unwrap()
            .unwrap();
        assert_eq!(style.get_property_value("overflow-y").unwrap(), "auto");
    }
}
