//! Nothing lost, nothing twice: reloads, expiry, refused sessions, failed messages, the
//! network coming and going, and bad answers from the session endpoint.

#![cfg(target_arch = "wasm32")]

mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn delivery(w: &Widget) -> Vec<String> {
    let list = w.root.query_selector_all(".gc-guest").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| {
            n.unchecked_into::<web_sys::Element>()
                .get_attribute("data-delivery")
                .unwrap_or_default()
        })
        .collect()
}

/// What a reload does to the old page: `pagehide`, then the page is gone.
fn leave_page(w: Widget) {
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    drop(w);
}

async fn sessions_named(name: &str) -> usize {
    get_json(&format!("/control/sessions?guest_name={name}"))
        .await
        .as_array()
        .unwrap()
        .len()
}

#[wasm_bindgen_test]
async fn a_reload_resumes_the_same_session_with_transcript_and_draft() {
    let name = unique_name("reload");
    let w = mount(&[("guest-name", &name)]);
    w.wait_status("Connected").await;
    w.type_and_enter("before the reload");
    w.control("agent-message", r#"{"text":"agent before"}"#)
        .await;
    w.wait_for("both messages", |w| {
        w.all_text(".gc-agent .gc-text") == ["agent before"] && delivery(w) == ["delivered"]
    })
    .await;
    let input = w.input();
    input.set_value("half-written");
    input
        .dispatch_event(&web_sys::InputEvent::new("input").unwrap())
        .unwrap();
    let session_id = w.session_id().await;
    leave_page(w);

    let w = mount(&[("guest-name", &name)]);
    w.wait_status("Connected").await;
    assert_eq!(w.all_text(".gc-agent .gc-text"), ["agent before"]);
    assert_eq!(w.all_text(".gc-guest .gc-text"), ["before the reload"]);
    assert!(
        !w.text(".gc-announcer").contains("agent before"),
        "restored history is not announced again"
    );
    assert_eq!(w.input().value(), "half-written");
    assert_eq!(sessions_named(&name).await, 1, "no new session was created");
    assert_eq!(w.session_id().await, session_id);
    assert_eq!(w.session().await["connections_total"], 2);
    // Agent messages sent while the page was away arrive once.
    w.control("agent-message", r#"{"text":"agent after"}"#)
        .await;
    w.wait_for("the new agent message", |w| {
        w.all_text(".gc-agent .gc-text") == ["agent before", "agent after"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_conversation_kept_in_one_language_reads_in_the_next_pages() {
    let name = unique_name("language");
    let w = mount(&[("guest-name", &name), ("locale", "en")]);
    w.wait_status("Connected").await;
    w.control("routing", r#"{"status":"queued","position":3}"#)
        .await;
    w.wait_for("the routing line", |w| w.all_text(".gc-system").len() == 2)
        .await;
    leave_page(w);

    // The same conversation, now shown to a visitor whose page speaks German: the lines
    // the widget wrote are words of the current catalog, not of the one they were kept in.
    let w = mount(&[("guest-name", &name), ("locale", "de")]);
    w.wait_status("Verbunden").await;
    let de = &guest_chat::i18n::DE;
    assert_eq!(
        w.all_text(".gc-system"),
        [
            de.chat_connected.to_string(),
            de.queued_position.replace("{n}", "3")
        ]
    );
}

#[wasm_bindgen_test]
async fn agent_messages_sent_while_the_page_was_closed_arrive_after_the_reload() {
    let name = unique_name("away");
    let w = mount(&[("guest-name", &name)]);
    w.wait_status("Connected").await;
    let id = w.session_id().await;
    w.control("agent-message", r#"{"text":"one"}"#).await;
    w.wait_for("one", |w| w.all_text(".gc-agent .gc-text").len() == 1)
        .await;
    leave_page(w);
    // Only messages the server holds for an absent guest prove the catch-up.
    wait_until("the simulator to see the page gone", || async {
        get_json(&format!("/control/sessions/{id}")).await["connected"] == false
    })
    .await;
    post(
        &format!("/control/sessions/{id}/agent-message"),
        r#"{"text":"two"}"#,
    )
    .await;
    post(
        &format!("/control/sessions/{id}/agent-message"),
        r#"{"text":"three"}"#,
    )
    .await;
    let w = mount(&[("guest-name", &name)]);
    w.wait_for("the missed messages, once each", |w| {
        w.all_text(".gc-agent .gc-text") == ["one", "two", "three"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_kept_session_the_server_refuses_becomes_a_new_conversation() {
    let name = unique_name("refused");
    let w = mount(&[("guest-name", &name)]);
    w.wait_status("Connected").await;
    w.type_and_enter("old conversation");
    w.wait_for("delivery", |w| delivery(w) == ["delivered"])
        .await;
    w.control("refuse-upgrades", r#"{"count":100}"#).await;
    leave_page(w);
    let w = mount(&[("guest-name", &name)]);
    w.wait_status("Connected").await;
    // The status shows at once, the transcript in the next animation frame.
    w.wait_for("the line saying so", |w| {
        w.all_text(".gc-system")
            .contains(&"Your session expired, so a new conversation began.".to_string())
    })
    .await;
    assert_eq!(w.all_text(".gc-guest .gc-text"), ["old conversation"]);
    assert_eq!(sessions_named(&name).await, 2);
}

#[wasm_bindgen_test]
async fn an_expiring_session_is_renewed_while_chatting() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    let first = w.session_id().await;
    w.control("expire", r#"{"after_ms":0}"#).await;
    w.wait_for("the renewal line", |w| {
        w.all_text(".gc-system")
            .contains(&"Your session expired, so a new conversation began.".to_string())
    })
    .await;
    w.wait_status("Connected").await;
    let list = get_json(&format!("/control/sessions?guest_name={}", w.guest_name)).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_ne!(list[0]["id"].as_str().unwrap(), first);
    w.type_and_enter("in the new session");
    w.wait_for("delivery", |w| delivery(w) == ["delivered"])
        .await;
}

#[wasm_bindgen_test]
async fn a_message_that_could_not_go_out_is_marked_failed_and_can_be_retried() {
    let w = mount(&[("reconnect-attempts", "1")]);
    w.wait_status("Connected").await;
    w.control("refuse-upgrades", r#"{"count":100}"#).await;
    w.control("drop", "").await;
    w.wait_status("Could not reconnect.").await;
    w.type_and_enter("are you there?");
    w.wait_for("the failed mark", |w| delivery(w) == ["failed"])
        .await;
    assert!(
        w.guest_meta().ends_with("Not delivered"),
        "{}",
        w.guest_meta()
    );
    w.control("refuse-upgrades", r#"{"count":0}"#).await;
    w.click(".gc-retry-message");
    w.wait_for("delivery after the retry", |w| delivery(w) == ["delivered"])
        .await;
    let sent = w
        .received()
        .await
        .into_iter()
        .filter(|f| f.contains("are you there?"))
        .count();
    assert_eq!(sent, 1);
}

#[wasm_bindgen_test]
async fn offline_waits_and_online_reconnects_at_once() {
    let w = mount(&[("reconnect-base-ms", "60000")]);
    w.wait_status("Connected").await;
    let window = web_sys::window().unwrap();
    window
        .dispatch_event(&web_sys::Event::new("offline").unwrap())
        .unwrap();
    w.control("drop", "").await;
    w.wait_status("Offline. Waiting for the network…").await;
    assert!(!w.input().disabled());
    window
        .dispatch_event(&web_sys::Event::new("online").unwrap())
        .unwrap();
    // The backoff would be a minute; the network coming back skips it.
    w.wait_status("Connected").await;
}

#[wasm_bindgen_test]
async fn a_page_waking_up_probes_the_connection() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    let pings = |frames: Vec<String>| frames.iter().filter(|f| f.contains("\"ping\"")).count();
    assert_eq!(pings(w.received().await), 0);
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new("visibilitychange").unwrap())
        .unwrap();
    wait_until("a ping", || async { pings(w.received().await) >= 1 }).await;
    assert_eq!(pings(w.received().await), 1);
}

#[wasm_bindgen_test]
async fn bad_answers_from_the_session_endpoint_are_explained() {
    for (plan, status, hint) in [
        (
            r#"{"count":1,"status":400}"#,
            "HTTP 400",
            "refused the request",
        ),
        (r#"{"count":1,"status":404}"#, "HTTP 404", "not found"),
        (
            r#"{"count":1,"status":500,"body":"<html><b>oops</b></html>"}"#,
            "HTTP 500: <html><b>oops</b></html>",
            "having trouble",
        ),
        (
            r#"{"count":1,"status":200,"body":"not json"}"#,
            "HTTP 200: not json",
            "not a guest session",
        ),
    ] {
        post("/control/fail-sessions", plan).await;
        let w = mount(&[]);
        w.wait_status(status).await;
        assert!(
            w.text(".gc-hint").contains(hint),
            "{plan}: {}",
            w.text(".gc-hint")
        );
        assert!(w.find(".gc-status b").is_none());
    }
}

#[wasm_bindgen_test]
async fn a_429_is_retried_after_retry_after() {
    post(
        "/control/fail-sessions",
        r#"{"count":1,"status":429,"retry_after":1}"#,
    )
    .await;
    let w = mount(&[]);
    w.wait_status("HTTP 429").await;
    assert!(w.text(".gc-hint").contains("1 s"));
    w.wait_status("Connected").await;
}

#[wasm_bindgen_test]
async fn a_session_endpoint_that_never_answers_times_out() {
    post("/control/delay-sessions", r#"{"ms":3000}"#).await;
    let w = mount(&[("session-timeout-ms", "300")]);
    w.wait_status("network error").await;
    post("/control/delay-sessions", r#"{"ms":0}"#).await;
    w.click(".gc-retry");
    w.wait_status("Connected").await;
}

#[wasm_bindgen_test]
async fn a_100_kb_agent_message_is_plain_text() {
    let w = mount(&[]);
    w.wait_status("Connected").await;
    let huge = "<b>".repeat(34_000);
    let frame = serde_json::json!({"type": "agent_message", "text": huge}).to_string();
    w.push(&frame).await;
    w.wait_for("the huge message", |w| {
        w.all_text(".gc-agent .gc-text").len() == 1
    })
    .await;
    assert_eq!(w.all_text(".gc-agent .gc-text")[0].len(), huge.len());
    assert!(w.find(".gc-agent b").is_none());
}
