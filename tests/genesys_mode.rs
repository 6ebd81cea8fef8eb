//! The widget in Genesys Cloud mode against the simulator's Genesys side: the session
//! token made in the page, `configureSession` on connecting, the echo as the receipt,
//! typing for its duration, the agent ending the chat, and a reload resuming the token.

#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::Value;
use support::genesys::*;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_chat_in_genesys_cloud_mode() {
    let name = unique_name("genesys");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    w.type_and_enter("hello genesys");
    w.wait_for("the echo as the receipt", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    let received = genesys_session(&token).await["received"].clone();
    let first: Value = serde_json::from_str(received[0].as_str().unwrap()).unwrap();
    assert_eq!(first["action"], "configureSession");
    assert_eq!(first["deploymentId"], DEPLOYMENT);
    assert_eq!(first["token"], token.as_str());
    let sent: Value = serde_json::from_str(received[1].as_str().unwrap()).unwrap();
    assert_eq!(sent["action"], "onMessage");
    assert_eq!(sent["message"]["text"], "hello genesys");
    assert_eq!(
        sent["tracingId"],
        sent["message"]["metadata"]["customMessageId"]
    );

    post(
        &format!("/control/genesys/sessions/{token}/typing"),
        r#"{"duration_ms":300}"#,
    )
    .await;
    w.wait_for("typing shown", |w| w.find(".gc-typing").is_some())
        .await;
    w.wait_for("typing gone when its time is up", |w| {
        w.find(".gc-typing").is_none()
    })
    .await;
    post(
        &format!("/control/genesys/sessions/{token}/agent-message"),
        r#"{"text":"Hi from Genesys","nickname":"Ana"}"#,
    )
    .await;
    w.wait_for("the agent's message", |w| {
        w.all_text(".gc-agent .gc-text") == ["Hi from Genesys"]
    })
    .await;
    let meta = w
        .find(".gc-agent")
        .unwrap()
        .get_attribute("data-meta")
        .unwrap();
    assert!(meta.starts_with("Ana · "), "{meta}");

    post(&format!("/control/genesys/sessions/{token}/end"), "{}").await;
    w.wait_status("Chat ended").await;
    assert!(w.input().disabled());
}

#[wasm_bindgen_test]
async fn a_reload_resumes_the_same_genesys_session() {
    let name = unique_name("genesys-reload");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    drop(w);
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    assert_eq!(kept_token(&name).await, token);
    wait_until("the second configureSession", || async {
        genesys_session(&token).await["received"]
            .as_array()
            .is_some_and(|r| r.len() >= 2)
    })
    .await;
    let second: Value = serde_json::from_str(
        genesys_session(&token).await["received"][1]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(second["action"], "configureSession");
    assert_eq!(second["token"], token.as_str());
}

#[wasm_bindgen_test]
async fn a_fourth_window_of_a_conversation_does_not_start_a_tug_of_war() {
    let name = unique_name("genesys-tabs");
    // Four windows of one conversation that do not share a connection: four browsers,
    // or tabs kept apart by `data-storage="session"`.
    let apart = |name: &str| {
        let ws = ws_base();
        mount(&[
            ("access-token", ""),
            ("organization-id", ""),
            ("deployment-id", DEPLOYMENT),
            ("ws-base", ws.as_str()),
            ("api-base", SIM),
            ("guest-name", name),
            ("storage", "session"),
        ])
    };
    let first = apart(&name);
    first.wait_status("Connected").await;
    let token = kept_token(&name).await;
    let mut others = vec![];
    for _ in 0..3 {
        let w = apart(&name);
        w.wait_status("Connected").await;
        others.push(w);
    }
    // Three connections per token: the oldest is let go, says so, and offers to continue.
    let en = &guest_chat::i18n::EN;
    first.wait_status(en.displaced).await;
    assert_eq!(first.text(".gc-hint"), en.hint_displaced);
    assert!(first.find(".gc-retry").is_some());
    // Proves that nothing happens: many reconnect delays (40 ms) pass without the first
    // window taking a connection back.
    sleep(400).await;
    assert_eq!(first.status(), en.displaced);
    assert_eq!(genesys_session(&token).await["connections"], 3);
    assert!(others.iter().all(|w| w.status() == "Connected"));
    // The visitor chooses this window: it connects again (and another is let go).
    first.click(".gc-retry");
    first.wait_status("Connected").await;
}

#[wasm_bindgen_test]
async fn a_reload_fills_in_what_the_agent_wrote_meanwhile_from_the_history() {
    let name = unique_name("genesys-gap");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    w.type_and_enter("before the reload");
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    post(&control(&token, "agent-message"), r#"{"text":"seen live"}"#).await;
    w.wait_for("the live message", |w| {
        w.all_text(".gc-agent .gc-text").len() == 1
    })
    .await;
    drop(w);
    for text in ["written while away 1", "written while away 2"] {
        post(
            &control(&token, "agent-message"),
            &serde_json::json!({ "text": text }).to_string(),
        )
        .await;
    }
    let w = mount_genesys(&name);
    w.wait_for("the gap filled in, once each, in order", |w| {
        w.all_text(".gc-agent .gc-text")
            == ["seen live", "written while away 1", "written while away 2"]
    })
    .await;
    assert_eq!(w.all_text(".gc-guest .gc-text"), ["before the reload"]);
    assert_eq!(requests(&token, "getJwt").await.len(), 1);
}

#[wasm_bindgen_test]
async fn messages_out_of_order_or_repeated_show_once_in_time_order() {
    let name = unique_name("genesys-order");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    post(
        &control(&token, "deliver-reversed"),
        r#"{"texts":["one","two","three"]}"#,
    )
    .await;
    w.wait_for("placed by time", |w| {
        w.all_text(".gc-agent .gc-text") == ["one", "two", "three"]
    })
    .await;
    let again = serde_json::json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":"only once","direction":"Outbound","id":"1234567890abcdef1234567890abcdef","type":"Text",
            "channel":{"time":"2030-01-01T00:00:00.000Z","from":{"nickname":"Ana"}}}})
    .to_string();
    post(&control(&token, "push"), &again).await;
    post(&control(&token, "push"), &again).await;
    post(&control(&token, "agent-message"), r#"{"text":"after"}"#).await;
    w.wait_for("the repeat dropped", |w| {
        let texts = w.all_text(".gc-agent .gc-text");
        texts.len() == 5 && texts.iter().filter(|t| *t == "only once").count() == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_pasted_twenty_lines_go_out_under_the_rate_limit() {
    let name = unique_name("genesys-paste");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    for n in 0..20 {
        w.type_and_enter(&format!("line {n}"));
    }
    // Two a second: ten seconds for twenty, and some to spare.
    w.wait_for_up_to(20_000, "all twenty acknowledged", |w| {
        w.all_text(".gc-guest[data-delivery=delivered] .gc-text")
            .len()
            == 20
    })
    .await;
    let expected: Vec<String> = (0..20).map(|n| format!("line {n}")).collect();
    assert_eq!(w.all_text(".gc-guest .gc-text"), expected);
    let sent: Vec<Value> = requests(&token, "onMessage")
        .await
        .into_iter()
        .filter(|r| r["message"]["type"] == "Text")
        .collect();
    assert_eq!(sent.len(), 20, "each once: none refused, none repeated");
    assert!(w.find(".gc-error").is_none());
}

#[wasm_bindgen_test]
async fn an_ended_chat_offers_a_new_one_on_the_same_token() {
    let name = unique_name("genesys-new");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    post(&control(&token, "end"), "{}").await;
    w.wait_status("Chat ended").await;
    assert!(w.input().disabled());
    drop(w);
    // Restored as read-only: ended at once, said once.
    let w = mount_genesys(&name);
    w.wait_status("Chat ended").await;
    let en = &guest_chat::i18n::EN;
    let ended_lines = |w: &Widget| {
        w.all_text(".gc-system")
            .iter()
            .filter(|t| *t == en.chat_ended)
            .count()
    };
    // The transcript is drawn on the next frame, with every line of that update.
    w.wait_for("the ended line", |w| ended_lines(w) > 0).await;
    assert_eq!(ended_lines(&w), 1);
    w.click(".gc-new-chat");
    w.wait_status("Connected").await;
    w.wait_for("the new chat said", |w| {
        w.all_text(".gc-system").last().map(String::as_str) == Some(en.new_chat_line)
    })
    .await;
    assert_eq!(requests(&token, "closeSession").await.len(), 1);
    let configured = requests(&token, "configureSession").await;
    assert_eq!(configured.last().unwrap()["startNew"], true);
    w.type_and_enter("a fresh start");
    w.wait_for("acknowledged in the new chat", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn clearing_erases_the_conversation_after_the_visitor_confirms() {
    let name = unique_name("genesys-clear");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    w.type_and_enter("erase me");
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    assert!(w.find(".gc-menu[open]").is_none());
    w.click(".gc-menu-toggle");
    w.wait_for("the menu", |w| w.find(".gc-menu[open]").is_some())
        .await;
    w.click(".gc-clear");
    w.wait_for("the question", |w| {
        w.find(".gc-confirm-text:not([hidden])").is_some()
    })
    .await;
    // Cancelling keeps everything.
    w.click(".gc-confirm-cancel");
    w.wait_for("the menu closed", |w| w.find(".gc-menu[open]").is_none())
        .await;
    assert_eq!(w.all_text(".gc-guest .gc-text"), ["erase me"]);
    w.click(".gc-menu-toggle");
    w.wait_for("the menu again", |w| w.find(".gc-menu[open]").is_some())
        .await;
    w.click(".gc-clear");
    w.wait_for("the question again", |w| {
        w.find(".gc-confirm-clear:not([hidden])").is_some()
    })
    .await;
    w.click(".gc-confirm-clear");
    w.wait_for("the transcript erased", |w| {
        w.all_text(".gc-guest .gc-text").is_empty()
    })
    .await;
    w.wait_status("Connected").await;
    // Gone on the server too, and the widget has a new token.
    let sessions = get_json("/control/genesys/sessions").await;
    assert!(
        sessions
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["token"] != token.as_str()),
        "{sessions}"
    );
    wait_until("a new token kept", || {
        let name = name.clone();
        let token = token.clone();
        async move { kept_token(&name).await != token }
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_expired_session_is_replaced_and_the_transcript_stays() {
    let name = unique_name("genesys-expiry");
    let ws = ws_base();
    let w = mount(&[
        ("access-token", ""),
        ("organization-id", ""),
        ("deployment-id", DEPLOYMENT),
        ("ws-base", ws.as_str()),
        ("api-base", SIM),
        ("guest-name", name.as_str()),
        ("heartbeat-ms", "200"),
    ]);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    w.type_and_enter("still here?");
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    post(&control(&token, "expire"), "{}").await;
    let en = &guest_chat::i18n::EN;
    w.wait_for("the renewal said", |w| {
        w.all_text(".gc-system")
            .iter()
            .any(|t| t == en.session_renewed)
    })
    .await;
    w.wait_status("Connected").await;
    assert_eq!(w.all_text(".gc-guest .gc-text"), ["still here?"]);
    wait_until("a new token kept", || {
        let name = name.clone();
        let token = token.clone();
        async move { kept_token(&name).await != token }
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_refused_upgrade_says_what_to_check() {
    let name = unique_name("genesys-403");
    let ws = ws_base();
    let w = mount(&[
        ("access-token", ""),
        ("organization-id", ""),
        ("deployment-id", "00000000-0000-0000-0000-00000000dead"),
        ("ws-base", ws.as_str()),
        ("api-base", SIM),
        ("guest-name", name.as_str()),
    ]);
    let en = &guest_chat::i18n::EN;
    w.wait_status(en.unreachable).await;
    assert_eq!(w.text(".gc-hint"), en.hint_unreachable);
    assert!(w.find(".gc-retry").is_some());
}
