//! The widget in Genesys Cloud mode against the simulator's Genesys side: the session
//! token made in the page, `configureSession` on connecting, the echo as the receipt,
//! typing for its duration, the agent ending the chat, and a reload resuming the token.

#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::Value;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The simulator's development deployment (`--deployment-id` default).
const DEPLOYMENT: &str = "5b1f0ef4-4c1a-4c0e-9d37-000000000001";

fn mount_genesys(name: &str) -> Widget {
    let ws = ws_base();
    mount(&[
        ("access-token", ""),
        ("organization-id", ""),
        ("deployment-id", DEPLOYMENT),
        ("ws-base", ws.as_str()),
        ("api-base", SIM),
        ("guest-name", name),
    ])
}

/// The session token the widget made, as it keeps it.
async fn kept_token(name: &str) -> String {
    let window = web_sys::window().unwrap();
    let stores = [
        window.local_storage().unwrap().unwrap(),
        window.session_storage().unwrap().unwrap(),
    ];
    for _ in 0..250 {
        for (storage, i) in stores
            .iter()
            .flat_map(|s| (0..s.length().unwrap()).map(move |i| (s, i)))
        {
            let key = storage.key(i).unwrap().unwrap_or_default();
            if key.contains(name) && key.ends_with("|test@example.com") {
                let kept: Value =
                    serde_json::from_str(&storage.get_item(&key).unwrap().unwrap()).unwrap();
                if let Some(token) = kept["session"]["guest_token"].as_str() {
                    return token.to_string();
                }
            }
        }
        sleep(20).await;
    }
    panic!("no kept session for {name}");
}

async fn genesys_session(token: &str) -> Value {
    get_json(&format!("/control/genesys/sessions/{token}")).await
}

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

fn control(token: &str, action: &str) -> String {
    format!("/control/genesys/sessions/{token}/{action}")
}

/// Requests of `action` the session received.
async fn requests(token: &str, action: &str) -> Vec<Value> {
    genesys_session(token).await["received"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|r| serde_json::from_str::<Value>(r.as_str()?).ok())
                .filter(|r| r["action"] == action)
                .collect()
        })
        .unwrap_or_default()
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

/// Guest typing events the session received.
async fn typing_events(token: &str) -> usize {
    requests(token, "onMessage")
        .await
        .iter()
        .filter(|r| r["message"]["events"][0]["eventType"] == "Typing")
        .count()
}

#[wasm_bindgen_test]
async fn typing_is_told_at_most_every_five_seconds_and_a_refusal_stops_it_quietly() {
    let name = unique_name("genesys-typing");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    for n in 0..10 {
        w.type_only(&"x".repeat(n + 1));
    }
    wait_until("one typing event", || {
        let token = token.clone();
        async move { typing_events(&token).await == 1 }
    })
    .await;
    // A message in between proves the socket carried everything typed since.
    w.type_and_enter("typed");
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    assert_eq!(typing_events(&token).await, 1);
    drop(w);

    post("/control/genesys/guest-typing", r#"{"enabled":false}"#).await;
    let other = unique_name("genesys-typing-off");
    let w = mount_genesys(&other);
    w.wait_status("Connected").await;
    let token = kept_token(&other).await;
    w.type_only("a");
    wait_until("the refused typing event", || {
        let token = token.clone();
        async move { typing_events(&token).await == 1 }
    })
    .await;
    post("/control/genesys/guest-typing", r#"{"enabled":true}"#).await;
    w.type_and_enter("still fine");
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    assert!(w.find(".gc-error").is_none());
    let en = &guest_chat::i18n::EN;
    assert!(!w
        .all_text(".gc-system")
        .iter()
        .any(|t| t == en.refused_forbidden));
}

#[wasm_bindgen_test]
async fn the_guests_details_go_as_custom_attributes_once() {
    let name = unique_name("genesys-attrs");
    let ws = ws_base();
    let w = mount(&[
        ("access-token", ""),
        ("organization-id", ""),
        ("deployment-id", DEPLOYMENT),
        ("ws-base", ws.as_str()),
        ("api-base", SIM),
        ("guest-name", name.as_str()),
        ("attributes", r#"{"plan":"gold"}"#),
    ]);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    w.type_and_enter("one");
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    w.type_and_enter("two");
    w.wait_for("both acknowledged", |w| {
        w.all_text(".gc-guest[data-delivery=delivered]").len() == 2
    })
    .await;
    let session = genesys_session(&token).await;
    assert_eq!(
        session["customAttributes"]["context.firstName"],
        name.as_str()
    );
    assert_eq!(
        session["customAttributes"]["context.email"],
        "test@example.com"
    );
    assert_eq!(session["customAttributes"]["plan"], "gold");
    let carrying = requests(&token, "onMessage")
        .await
        .iter()
        .filter(|r| r["message"]["channel"]["metadata"]["customAttributes"].is_object())
        .count();
    assert_eq!(carrying, 1, "sent once");
}

#[wasm_bindgen_test]
async fn a_message_over_the_services_limit_is_marked_and_explained() {
    let name = unique_name("genesys-long");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    w.type_and_enter(&"long ".repeat(900));
    let en = &guest_chat::i18n::EN;
    w.wait_for("the refusal in words", |w| {
        w.all_text(".gc-system")
            .iter()
            .any(|t| t == en.refused_too_long)
    })
    .await;
    w.wait_for("the message marked", |w| {
        w.find(".gc-guest[data-delivery=failed]").is_some()
    })
    .await;
}

fn rich_frame(id: &str, text: &str, content: Value) -> String {
    serde_json::json!({"type":"message","class":"StructuredMessage","code":200,
        "body":{"text":text,"type":"Structured","direction":"Outbound","id":id,
            "channel":{"time":"2030-01-01T00:00:00.000Z","from":{"nickname":"Bot"}},
            "content":content,"originatingEntity":"Bot"}})
    .to_string()
}

#[wasm_bindgen_test]
async fn quick_replies_answer_once_and_go_away() {
    let name = unique_name("genesys-qr");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    let ask = rich_frame(
        "11111111111111111111111111111111",
        "What would you like to do?",
        serde_json::json!([
            {"contentType":"QuickReply","quickReply":{"text":"Yes","payload":"cookie1"}},
            {"contentType":"QuickReply","quickReply":{"text":"No","payload":"cookie2"}}
        ]),
    );
    post(&control(&token, "push"), &ask).await;
    w.wait_for("the replies as buttons", |w| {
        w.all_text(".gc-replies .gc-reply") == ["Yes", "No"]
    })
    .await;
    let group = w.find(".gc-replies").unwrap();
    assert_eq!(group.get_attribute("role").as_deref(), Some("group"));
    let en = &guest_chat::i18n::EN;
    w.wait_for("the choices announced", |w| {
        w.text(".gc-announcer").contains(&en.choices_label(2))
    })
    .await;
    let buttons = document().query_selector_all(".gc-reply").unwrap();
    let no: web_sys::HtmlElement = buttons.item(1).unwrap().unchecked_into();
    no.click();
    w.wait_for(
        "the answer as the visitor's message, the buttons gone",
        |w| w.all_text(".gc-guest .gc-text") == ["No"] && w.find(".gc-replies").is_none(),
    )
    .await;
    w.wait_for("acknowledged", |w| {
        w.find(".gc-guest[data-delivery=delivered]").is_some()
    })
    .await;
    let answered = requests(&token, "onMessage").await;
    let sent = answered.last().unwrap();
    assert_eq!(
        sent["message"]["content"][0]["buttonResponse"],
        serde_json::json!({"text":"No","payload":"cookie2","type":"QuickReply"})
    );
}

#[wasm_bindgen_test]
async fn a_carousel_links_safely_and_answers_by_postback() {
    let name = unique_name("genesys-cards");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    let cards = rich_frame(
        "22222222222222222222222222222222",
        "<b>Carousel</b> content test",
        serde_json::json!([
            {"contentType":"Carousel","carousel":{"cards":[
                {"title":"Card 1","description":"D1","image":"javascript:alert(1)","actions":[
                    {"type":"Link","text":"Open","url":"https://example.org/a"},
                    {"type":"Link","text":"Evil","url":"javascript:alert(1)"},
                    {"type":"Postback","text":"Select this option","payload":"postback_payload"}]},
                {"title":"Card 2","description":"D2","actions":[]}]}},
            {"contentType":"DatePicker","datePicker":{"title":"Select a time"}}
        ]),
    );
    post(&control(&token, "push"), &cards).await;
    w.wait_for("two cards", |w| {
        w.all_text(".gc-card-title") == ["Card 1", "Card 2"]
    })
    .await;
    // Text stays text; an unshown content type leaves the text and breaks nothing.
    assert_eq!(
        w.all_text(".gc-agent > .gc-text"),
        ["<b>Carousel</b> content test"]
    );
    assert!(w.find(".gc-agent b").is_none());
    let links = w.all_text(".gc-card-link");
    assert_eq!(links, ["Open"], "the javascript: link is gone");
    let link = w.find(".gc-card-link").unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://example.org/a")
    );
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert!(w.find(".gc-card-image").is_none(), "no javascript: image");
    let strip = w.find(".gc-cards").unwrap();
    assert_eq!(strip.get_attribute("tabindex").as_deref(), Some("0"));
    w.click(".gc-card-button");
    w.wait_for("the postback as the visitor's message", |w| {
        w.all_text(".gc-guest .gc-text") == ["Select this option"]
    })
    .await;
    wait_until("the button response sent", || {
        let token = token.clone();
        async move {
            requests(&token, "onMessage").await.iter().any(|r| {
                r["message"]["type"] == "Structured"
                    && r["message"]["content"][0]["buttonResponse"]["type"] == "Button"
                    && r["message"]["content"][0]["buttonResponse"]["payload"] == "postback_payload"
            })
        }
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_agents_image_and_file_show_safely() {
    let name = unique_name("genesys-files");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    let files = serde_json::json!({"type":"message","class":"StructuredMessage","code":200,"body":{
        "direction":"Outbound","id":"33333333333333333333333333333333",
        "channel":{"time":"2030-01-01T00:00:00.000Z"},"type":"Text","text":"Here you are","content":[
        {"contentType":"Attachment","attachment":{"id":"a1","filename":"parcel <photo>.png","mediaType":"Image","mime":"image/png","url":format!("{SIM}/healthz")}},
        {"contentType":"Attachment","attachment":{"id":"a2","filename":"receipt.pdf","mediaType":"File","fileSize":12345,"mime":"application/pdf","url":"https://downloads.example.org/r"}},
        {"contentType":"Attachment","attachment":{"id":"a3","filename":"x.html","mediaType":"File","url":"data:text/html,<script>alert(1)</script>"}}],
        "originatingEntity":"Human"}})
    .to_string();
    post(&control(&token, "push"), &files).await;
    w.wait_for("the image and the file", |w| w.find(".gc-files").is_some())
        .await;
    let image = w.find(".gc-image img").unwrap();
    assert_eq!(
        image.get_attribute("alt").as_deref(),
        Some("parcel <photo>.png")
    );
    assert_eq!(image.get_attribute("loading").as_deref(), Some("lazy"));
    assert!(image.get_attribute("width").is_some() && image.get_attribute("height").is_some());
    let opener = w.find(".gc-image").unwrap();
    assert_eq!(
        opener.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    assert_eq!(
        w.all_text(".gc-file-name"),
        ["receipt.pdf"],
        "the data: file is gone"
    );
    assert_eq!(w.all_text(".gc-file-size"), ["13 KB"]);
    assert_eq!(w.all_text(".gc-file").len(), 2);
}

#[wasm_bindgen_test]
async fn an_expired_download_link_is_refreshed_when_opened() {
    let name = unique_name("genesys-expired");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    post(
        &control(&token, "file"),
        r#"{"name":"receipt.txt","mime":"text/plain","text":"Your receipt","expires_in_ms":1}"#,
    )
    .await;
    w.wait_for("the file link", |w| w.find(".gc-file").is_some())
        .await;
    let stale = w.find(".gc-file").unwrap().get_attribute("href").unwrap();
    let window = web_sys::window().unwrap();
    let expired = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&stale))
        .await
        .unwrap()
        .unchecked_into::<web_sys::Response>();
    assert_eq!(expired.status(), 403, "the first address has expired");
    // What the widget opens is recorded instead of opening a tab.
    let record = js_sys::Function::new_with_args("url", "window.__opened = url; return null;");
    js_sys::Reflect::set(&window, &"open".into(), &record).unwrap();
    w.click(".gc-file");
    wait_until("a fresh address opened", || async {
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"__opened".into())
            .unwrap()
            .is_string()
    })
    .await;
    let fresh = js_sys::Reflect::get(&window, &"__opened".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_ne!(fresh, stale);
    let answer = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&fresh))
        .await
        .unwrap()
        .unchecked_into::<web_sys::Response>();
    assert_eq!(answer.status(), 200);
    assert_eq!(requests(&token, "getAttachment").await.len(), 1);
}

/// Gives the widget's file picker a file of `size` bytes, as a visitor choosing one would.
fn pick_file(w: &Widget, name: &str, mime: &str, size: u32) {
    let picker = w.find(".gc-file-picker").expect("a file picker");
    let choose = js_sys::Function::new_with_args(
        "input, name, mime, size",
        "const data = new DataTransfer();
         data.items.add(new File([new Uint8Array(size)], name, { type: mime }));
         input.files = data.files;
         input.dispatchEvent(new Event('change', { bubbles: true }));",
    );
    let args = js_sys::Array::of4(&picker, &name.into(), &mime.into(), &size.into());
    choose.apply(&wasm_bindgen::JsValue::NULL, &args).unwrap();
}

fn attached_text(w: &Widget) -> String {
    w.all_text(".gc-attached-text").join("")
}

#[wasm_bindgen_test]
async fn a_file_is_checked_uploaded_and_sent_or_its_refusal_explained() {
    let name = unique_name("genesys-upload");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    let attach = w.find(".gc-attach").unwrap();
    assert_eq!(
        attach.get_attribute("hidden"),
        None,
        "the deployment takes files"
    );
    assert_eq!(
        attach.get_attribute("aria-label").as_deref(),
        Some("Attach a file")
    );

    // Too large: refused here, never announced to the service.
    pick_file(&w, "scan.png", "image/png", 10240 * 1024 + 1);
    w.wait_for("the size refusal", |w| {
        attached_text(w) == "scan.png is too large to send. Files can be up to 10.0 MB."
    })
    .await;
    assert!(requests(&token, "onAttachment").await.is_empty());

    // Refused by the service after the upload.
    post("/control/genesys/uploads", r#"{"enabled":false}"#).await;
    pick_file(&w, "scan.png", "image/png", 64);
    w.wait_for("the service's refusal", |w| {
        attached_text(w) == "scan.png did not pass the chat service's checks and was not sent."
    })
    .await;
    post("/control/genesys/uploads", r#"{"enabled":true}"#).await;

    // Stored, then sent with the words typed meanwhile.
    pick_file(&w, "scan.png", "image/png", 64);
    w.wait_for("the file ready", |w| {
        attached_text(w) == "scan.png is ready to send."
    })
    .await;
    w.type_and_enter("the scan");
    w.wait_for("the message with its image", |w| {
        w.find(".gc-guest .gc-image img")
            .and_then(|img| img.get_attribute("alt"))
            .as_deref()
            == Some("scan.png")
    })
    .await;
    assert!(w.find(".gc-attached").is_none());
    let sent = requests(&token, "onMessage").await;
    let with_file: Vec<&Value> = sent
        .iter()
        .filter(|r| r["message"]["content"][0]["contentType"] == "Attachment")
        .collect();
    assert_eq!(with_file.len(), 1);
    assert_eq!(with_file[0]["message"]["text"], "the scan");
}
