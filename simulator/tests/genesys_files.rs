//! The simulator's Genesys mode: the deployment's configuration, the agent console,
//! files agents send and guests upload.

use guest_chat_simulator::{AgentMode, DEFAULT_DEPLOYMENT};
use serde_json::{json, Value};
use std::time::Duration;

#[path = "helpers/genesys.rs"]
mod helpers;
use helpers::*;

#[tokio::test]
async fn the_deployment_configuration_is_served() {
    let sim = server(AgentMode::None).await;
    let base = format!("{}/webdeployments/v1/deployments", sim.http_url());
    let config: Value = reqwest::get(format!("{base}/{DEFAULT_DEPLOYMENT}/config.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["id"], DEFAULT_DEPLOYMENT);
    assert_eq!(
        config["messenger"]["apps"]["conversations"]["conversationDisconnect"]["type"],
        "ReadOnly"
    );
    let missing = reqwest::get(format!("{base}/nope/config.json"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    sim.stop().await;
}

/// The deployment's `config.json` as the widget reads it.
async fn deployment_config(sim: &guest_chat_simulator::Running) -> Value {
    reqwest::get(format!(
        "{}/webdeployments/v1/deployments/{DEFAULT_DEPLOYMENT}/config.json",
        sim.http_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap()
}

#[tokio::test]
async fn an_admin_s_settings_change_the_served_configuration_until_reset() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sim = guest_chat_simulator::start(
        listener,
        guest_chat_simulator::Config {
            control: true,
            genesys: guest_chat_simulator::GenesysConfig {
                deployment_settings: json!({ "defaultLanguage": "de" }),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    let served = deployment_config(&sim).await;
    assert_eq!(
        served["defaultLanguage"], "de",
        "the command line's setting"
    );
    assert_eq!(served["messenger"]["styles"]["primaryColor"], "#1f6feb");
    let conversations = &served["messenger"]["apps"]["conversations"];
    assert_eq!(conversations["conversationClear"]["enabled"], true);
    assert_eq!(conversations["showAgentTypingIndicator"], true);

    control(
        &sim,
        "/deployment-config",
        json!({
            "messenger": {
                "styles": { "primaryColor": "#0a7d3b" },
                "apps": { "conversations": { "conversationClear": { "enabled": false } } },
                "fileUpload": null
            }
        }),
    )
    .await;
    let changed = deployment_config(&sim).await;
    assert_eq!(changed["messenger"]["styles"]["primaryColor"], "#0a7d3b");
    let conversations = &changed["messenger"]["apps"]["conversations"];
    assert_eq!(conversations["conversationClear"]["enabled"], false);
    // Fields beside a changed one stay.
    assert_eq!(conversations["showAgentTypingIndicator"], true);
    assert!(
        changed["messenger"].get("fileUpload").is_none(),
        "null removes a field"
    );
    assert_eq!(changed["defaultLanguage"], "de");

    let reset = reqwest::Client::new()
        .delete(format!(
            "{}/control/genesys/deployment-config",
            sim.http_url()
        ))
        .send()
        .await
        .unwrap();
    assert!(reset.status().is_success());
    assert_eq!(deployment_config(&sim).await, served);

    let refused = reqwest::Client::new()
        .post(format!(
            "{}/control/genesys/deployment-config",
            sim.http_url()
        ))
        .json(&json!(["not", "an", "object"]))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn the_agent_console_serves_genesys_conversations_too() {
    let sim = server(AgentMode::None).await;
    let mut ws = open(&sim).await;
    let token = token();
    configure(&mut ws, &token).await;
    send(
        &mut ws,
        json!({"action":"onMessage","token":token,"tracingId":"c-1","message":{"type":"Text","text":"hello console",
            "channel":{"metadata":{"customAttributes":{"context.firstName":"Ada"}}}}}),
    )
    .await;
    next_of(&mut ws, "StructuredMessage").await;
    let api = format!("{}/agent/api/sessions", sim.http_url());
    let list: Value = reqwest::get(&api).await.unwrap().json().await.unwrap();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == token.as_str())
        .expect("listed")
        .clone();
    assert_eq!(listed["protocol"], "genesys");
    assert_eq!(listed["guest_name"], "Ada");
    assert_eq!(listed["messages"], 1);
    let detail: Value = reqwest::get(format!("{api}/{token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["transcript"],
        json!([{"from":"guest","text":"hello console","at":0}])
    );
    let post = |path: String, body: Value| async move {
        let res = reqwest::Client::new()
            .post(path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    };
    post(format!("{api}/{token}/typing"), json!({"typing":true})).await;
    let typing = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(typing["body"]["events"][0]["eventType"], "Typing");
    post(
        format!("{api}/{token}/message"),
        json!({"text":"from the console"}),
    )
    .await;
    let reply = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(reply["body"]["direction"], "Outbound");
    assert_eq!(reply["body"]["text"], "from the console");
    assert!(is_iso_time(
        reply["body"]["channel"]["time"].as_str().unwrap()
    ));
    post(format!("{api}/{token}/end"), json!({})).await;
    let end = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(end["body"]["events"][0]["presence"]["type"], "Disconnect");
    assert_eq!(end["body"]["metadata"]["readOnly"], "true");
    assert_eq!(session(&sim, &token).await["readOnly"], true);
}

#[tokio::test]
async fn an_agents_file_downloads_until_its_address_expires_and_get_attachment_renews_it() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(
        &sim,
        &format!("/sessions/{t}/file"),
        json!({"name":"terms.pdf","mime":"application/pdf","text":"","expires_in_ms":1}),
    )
    .await;
    let pushed = next_of(&mut ws, "StructuredMessage").await;
    let attachment = &pushed["body"]["content"][0]["attachment"];
    assert_eq!(attachment["filename"], "terms.pdf");
    assert_eq!(attachment["mediaType"], "File");
    let id = attachment["id"].as_str().unwrap().to_string();
    let first = attachment["url"].as_str().unwrap().to_string();
    // Its one-millisecond address is already over.
    let mut expired = reqwest::get(&first).await.unwrap().status();
    for _ in 0..20 {
        if expired == reqwest::StatusCode::FORBIDDEN {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        expired = reqwest::get(&first).await.unwrap().status();
    }
    assert_eq!(expired, reqwest::StatusCode::FORBIDDEN);

    send(
        &mut ws,
        json!({"action":"getAttachment","token":t,"attachmentId":id,"tracingId":"dl-1"}),
    )
    .await;
    let renewed = next_of(&mut ws, "PresignedUrlResponse").await;
    assert_eq!(renewed["type"], "response");
    assert_eq!(renewed["tracingId"], "dl-1");
    assert_eq!(renewed["body"]["attachmentId"], id.as_str());
    let fresh = renewed["body"]["url"].as_str().unwrap();
    assert_ne!(fresh, first);
    let res = reqwest::get(fresh).await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.text().await.unwrap().starts_with("terms.pdf"));

    send(
        &mut ws,
        json!({"action":"getAttachment","token":t,"attachmentId":"no-such-file"}),
    )
    .await;
    let refused = next(&mut ws).await;
    assert_eq!(refused["class"], "string");
    assert_eq!(refused["code"], 4009);
    sim.stop().await;
}

#[tokio::test]
async fn a_guests_upload_is_checked_stored_announced_and_sent_with_a_message() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let bytes = b"\x89PNG fake image bytes".to_vec();
    let answer = announce(&mut ws, &t, "cat.png", "image/png", bytes.len()).await;
    assert_eq!(answer["type"], "response");
    assert_eq!(answer["tracingId"], "up-1");
    let body = &answer["body"];
    let id = body["attachmentId"].as_str().unwrap().to_string();
    let url = body["url"].as_str().unwrap().to_string();
    let tagging = body["headers"]["x-amz-tagging"]
        .as_str()
        .unwrap()
        .to_string();
    // Without the named header, or with another type or size, the storage refuses.
    assert_eq!(
        put(&url, &[("content-type", "image/png")], bytes.clone()).await,
        reqwest::StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/gif"), ("x-amz-tagging", &tagging)],
            bytes.clone()
        )
        .await,
        reqwest::StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/png"), ("x-amz-tagging", &tagging)],
            b"short".to_vec()
        )
        .await,
        reqwest::StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/png"), ("x-amz-tagging", &tagging)],
            bytes.clone()
        )
        .await,
        reqwest::StatusCode::OK
    );
    let stored = next_of(&mut ws, "UploadSuccessEvent").await;
    assert_eq!(stored["type"], "message");
    assert_eq!(stored["body"]["attachmentId"], id.as_str());
    assert!(is_iso_time(stored["body"]["timestamp"].as_str().unwrap()));
    let download = stored["body"]["downloadUrl"].as_str().unwrap();
    assert_eq!(
        reqwest::get(download)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec(),
        bytes
    );
    // The address is used up.
    assert_eq!(
        put(
            &url,
            &[("content-type", "image/png"), ("x-amz-tagging", &tagging)],
            bytes.clone()
        )
        .await,
        reqwest::StatusCode::FORBIDDEN
    );

    send(
        &mut ws,
        json!({"action":"onMessage","token":t,"tracingId":"m-1","message":{"type":"Text","text":"file attached","content":[{"contentType":"Attachment","attachment":{"id":id}}]}}),
    )
    .await;
    let echo = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(echo["tracingId"], "m-1");
    let attachment = &echo["body"]["content"][0]["attachment"];
    assert_eq!(attachment["id"], id.as_str());
    assert_eq!(attachment["filename"], "cat.png");
    assert_eq!(attachment["mediaType"], "Image");
    assert_eq!(attachment["mime"], "image/png");
    assert_eq!(attachment["fileSize"], bytes.len());
    assert!(attachment["url"].as_str().unwrap().contains(&id));
    // A message naming a file the service does not hold is refused.
    send(
        &mut ws,
        json!({"action":"onMessage","token":t,"tracingId":"m-2","message":{"type":"Text","content":[{"contentType":"Attachment","attachment":{"id":"nope"}}]}}),
    )
    .await;
    let refused = next(&mut ws).await;
    assert_eq!(
        (refused["class"].as_str(), refused["code"].as_u64()),
        (Some("string"), Some(4009))
    );
    sim.stop().await;
}

#[tokio::test]
async fn uploads_outside_the_deployments_rules_get_their_codes() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let long_name = format!("{}.png", "n".repeat(300));
    for (name, mime, size, code) in [
        ("notes.txt", "text/plain", 10, 4001),
        ("setup.exe", "image/png", 10, 4001),
        ("huge.png", "image/png", 10240 * 1024 + 1, 4002),
        ("empty.png", "image/png", 0, 4002),
        (" ", "image/png", 10, 4004),
        (long_name.as_str(), "image/png", 10, 4005),
    ] {
        let answer = announce(&mut ws, &t, name, mime, size).await;
        assert_eq!(answer["class"], "GenerateUrlError", "{name}");
        assert_eq!(answer["body"]["errorCode"], code, "{name}");
        assert!(answer["body"]["attachmentId"].is_string());
    }
    sim.stop().await;
}

#[tokio::test]
async fn a_refused_upload_is_reported_and_an_unsent_one_can_be_deleted() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    control(&sim, "/uploads", json!({"enabled": false})).await;
    let answer = announce(&mut ws, &t, "scan.pdf", "application/pdf", 3).await;
    let (id, url) = (
        answer["body"]["attachmentId"].as_str().unwrap().to_string(),
        answer["body"]["url"].as_str().unwrap().to_string(),
    );
    let tagging = answer["body"]["headers"]["x-amz-tagging"]
        .as_str()
        .unwrap()
        .to_string();
    let headers = [
        ("content-type", "application/pdf"),
        ("x-amz-tagging", tagging.as_str()),
    ];
    assert_eq!(
        put(&url, &headers, b"pdf".to_vec()).await,
        reqwest::StatusCode::OK
    );
    let failed = next_of(&mut ws, "UploadFailureEvent").await;
    assert_eq!(failed["body"]["attachmentId"], id.as_str());
    assert_eq!(failed["body"]["errorCode"], 4003);

    control(&sim, "/uploads", json!({"enabled": true})).await;
    let answer = announce(&mut ws, &t, "scan.pdf", "application/pdf", 3).await;
    let id = answer["body"]["attachmentId"].as_str().unwrap().to_string();
    let url = answer["body"]["url"].as_str().unwrap().to_string();
    assert_eq!(
        put(&url, &headers, b"pdf".to_vec()).await,
        reqwest::StatusCode::OK
    );
    let stored = next_of(&mut ws, "UploadSuccessEvent").await;
    let download = stored["body"]["downloadUrl"].as_str().unwrap().to_string();
    send(
        &mut ws,
        json!({"action":"deleteAttachment","token":t,"attachmentId":id,"tracingId":"del-1"}),
    )
    .await;
    let deleted = next_of(&mut ws, "AttachmentDeletedResponse").await;
    assert_eq!(deleted["body"]["attachmentId"], id.as_str());
    assert_eq!(
        reqwest::get(&download).await.unwrap().status(),
        reqwest::StatusCode::NOT_FOUND
    );
    sim.stop().await;
}

#[tokio::test]
async fn the_agent_console_sends_a_file_the_guest_can_download() {
    let sim = server(AgentMode::None).await;
    let t = token();
    let mut ws = open(&sim).await;
    configure(&mut ws, &t).await;
    let res = reqwest::Client::new()
        .post(format!("{}/agent/api/sessions/{t}/rich", sim.http_url()))
        .json(&json!({"kind":"file","text":"Here is your order summary."}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let pushed = next_of(&mut ws, "StructuredMessage").await;
    assert_eq!(pushed["body"]["text"], "Here is your order summary.");
    let attachment = &pushed["body"]["content"][0]["attachment"];
    assert_eq!(attachment["mediaType"], "File");
    let url = attachment["url"].as_str().unwrap();
    assert_eq!(
        reqwest::get(url).await.unwrap().status(),
        reqwest::StatusCode::OK
    );
    sim.stop().await;
}
