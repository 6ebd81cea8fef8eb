//! The widget in Genesys Cloud mode in the browser: typing, custom attributes, the
//! service's limits, quick replies, carousels, files both ways.

#![cfg(target_arch = "wasm32")]

mod support;

use serde_json::Value;
use support::genesys::*;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn typing_is_told_at_most_every_five_seconds_and_a_refusal_stops_it_quietly() {
    let name = unique_name("genesys-typing");
    let w = mount_genesys(&name);
    w.wait_status("Connected").await;
    let token = kept_token(&name).await;
    // "Connected" shows when the socket opens; typing is told once the service has
    // also taken the session, which a delivered message proves.
    let delivered = |count: usize| {
        move |w: &Widget| w.all_text(".gc-guest[data-delivery=delivered]").len() == count
    };
    w.type_and_enter("hello");
    w.wait_for("acknowledged", delivered(1)).await;
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
    w.wait_for("acknowledged", delivered(2)).await;
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
