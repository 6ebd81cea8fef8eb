//! A file the visitor attaches, through the core and the Genesys Cloud adapter with
//! frames in the service's shapes: the checks before uploading, the upload, its
//! verdicts, removal, and what a dropped connection does to it.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::{genesys::GenesysProtocol, WireProtocol};
use serde_json::{json, Value};

const WIRE: GenesysProtocol = GenesysProtocol;

fn config() -> Config {
    Config::from_attributes(|name| match name {
        "deployment-id" => Some("dep-1".into()),
        "ws-base" => Some("ws://sim".into()),
        "api-base" => Some("http://sim".into()),
        _ => None,
    })
    .unwrap()
}

fn frame(core: &mut ChatCore, raw: &Value) -> Vec<Effect> {
    core.apply(WIRE.decode(&raw.to_string()))
}

/// A configured session whose deployment takes images and PDFs up to 1 MB, and no
/// `.exe` files.
fn ready() -> ChatCore {
    let mut core = ChatCore::new(config(), 3);
    core.clock_ms = 1_000_000.0;
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(
        WIRE.local_session(core.config(), "tok".into()),
    ));
    core.apply(Event::ConnectionOpened);
    frame(
        &mut core,
        &json!({"type":"response","class":"SessionResponse","code":200,"body":{
            "connected":true,"newSession":true,"readOnly":false,
            "allowedMedia":{"inbound":{"fileTypes":[{"type":"image/*"},{"type":"application/pdf"}],"maxFileSizeKB":1024}},
            "blockedExtensions":[".exe",".ade"]}}),
    );
    core
}

fn written(effects: &[Effect]) -> Vec<Value> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(out) => WIRE.encode(out),
            _ => None,
        })
        .map(|text| serde_json::from_str(&text).unwrap())
        .collect()
}

fn attach(core: &mut ChatCore, name: &str, mime: &str, size: u64) -> Vec<Effect> {
    core.apply(Event::AttachFile {
        file_id: "f-1".into(),
        name: name.into(),
        mime: mime.into(),
        size,
    })
}

fn stage(core: &ChatCore) -> Option<UploadStage> {
    core.pending_file().map(|f| f.stage)
}

fn address(core: &mut ChatCore) -> Vec<Effect> {
    frame(
        core,
        &json!({"type":"response","class":"PresignedUrlResponse","code":200,"body":{
            "attachmentId":"f-1","url":"http://127.0.0.1:9/uploads/f-1",
            "headers":{"x-amz-tagging":"organizationId=1234"}}}),
    )
}

#[test]
fn a_file_is_asked_for_uploaded_with_its_headers_and_sent_with_the_message() {
    let mut core = ready();
    assert!(core.takes_files());
    let asked = written(&attach(&mut core, "receipt.pdf", "application/pdf", 2048));
    assert_eq!(
        asked,
        [
            json!({"action":"onAttachment","token":"tok","attachmentId":"f-1","fileName":"receipt.pdf",
            "fileType":"application/pdf","fileSize":2048,"tracingId":"upload"})
        ]
    );
    assert_eq!(stage(&core), Some(UploadStage::Asking));
    // A message waits for the file it would go with.
    assert!(core.upload_busy());
    assert!(core
        .apply(Event::Send {
            text: "here".into(),
            client_id: "c-1".into()
        })
        .is_empty());
    let put = address(&mut core);
    assert_eq!(
        put,
        [Effect::PutFile {
            file_id: "f-1".into(),
            url: "http://127.0.0.1:9/uploads/f-1".into(),
            headers: vec![("x-amz-tagging".into(), "organizationId=1234".into())],
            mime: "application/pdf".into(),
        }]
    );
    core.apply(Event::UploadProgress {
        file_id: "f-1".into(),
        percent: 40,
    });
    assert_eq!(stage(&core), Some(UploadStage::Uploading { percent: 40 }));
    frame(
        &mut core,
        &json!({"type":"message","class":"UploadSuccessEvent","code":200,"body":{
            "attachmentId":"f-1","downloadUrl":"http://127.0.0.1:9/downloads/f-1","timestamp":"2026-12-05T10:00:00.000Z"}}),
    );
    assert_eq!(stage(&core), Some(UploadStage::Ready));
    assert!(!core.upload_busy());
    core.clock_ms += 1000.0;
    let sent = written(&core.apply(Event::Send {
        text: "here it is".into(),
        client_id: "c-2".into(),
    }));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["message"]["text"], "here it is");
    assert_eq!(
        sent[0]["message"]["content"],
        json!([{"contentType":"Attachment","attachment":{"id":"f-1"}}])
    );
    assert!(core.pending_file().is_none());
    let entry = core.transcript.last().unwrap();
    match entry.offer.as_deref() {
        Some(Offer::Files(files)) => {
            assert_eq!(files[0].name, "receipt.pdf");
            assert_eq!(files[0].url, "http://127.0.0.1:9/downloads/f-1");
            assert_eq!(files[0].size, Some(2048));
        }
        other => panic!("the guest's message shows no file: {other:?}"),
    }
}

#[test]
fn a_file_alone_is_a_message() {
    let mut core = ready();
    attach(&mut core, "cat.png", "image/png", 10);
    address(&mut core);
    frame(
        &mut core,
        &json!({"type":"message","class":"UploadSuccessEvent","code":200,"body":{
            "attachmentId":"f-1","downloadUrl":"https://files.example/cat.png","timestamp":"2026-12-05T10:00:00.000Z"}}),
    );
    let sent = written(&core.apply(Event::Send {
        text: "".into(),
        client_id: "c-1".into(),
    }));
    assert_eq!(sent.len(), 1);
    assert!(sent[0]["message"].get("text").is_none(), "{}", sent[0]);
    // Empty text without a file still sends nothing.
    assert!(core
        .apply(Event::Send {
            text: " ".into(),
            client_id: "c-3".into()
        })
        .is_empty());
}

#[test]
fn the_deployments_rules_are_checked_before_anything_is_asked() {
    let cases = [
        ("setup.exe", "image/png", 10, UploadProblem::NameRefused),
        ("SETUP.EXE", "image/png", 10, UploadProblem::NameRefused),
        ("notes.txt", "text/plain", 10, UploadProblem::TypeRefused),
        (
            "big.png",
            "image/png",
            1024 * 1024 + 1,
            UploadProblem::TooLarge,
        ),
        ("empty.png", "image/png", 0, UploadProblem::Empty),
    ];
    for (name, mime, size, problem) in cases {
        let mut core = ready();
        let effects = attach(&mut core, name, mime, size);
        assert!(written(&effects).is_empty(), "{name} was asked for");
        assert_eq!(stage(&core), Some(UploadStage::Failed(problem)), "{name}");
        assert!(!core.upload_busy());
    }
    let mut core = ready();
    attach(&mut core, "photo.JPG", "IMAGE/JPEG", 1024 * 1024);
    assert_eq!(stage(&core), Some(UploadStage::Asking));
}

#[test]
fn patterns_in_the_rules_match_as_the_service_writes_them() {
    let rules = |types: &[&str]| UploadRules {
        types: types.iter().map(|t| t.to_string()).collect(),
        max_bytes: None,
        blocked_extensions: vec![".ade".into()],
    };
    assert_eq!(
        rules(&["*/*"]).check("a.bin", "application/octet-stream", 1),
        None
    );
    assert_eq!(rules(&["image/*"]).check("a.gif", "image/gif", 1), None);
    assert_eq!(
        rules(&["image/*"]).check("a.pdf", "application/pdf", 1),
        Some(UploadProblem::TypeRefused)
    );
    assert_eq!(
        rules(&["*/*"]).check("mail.ade", "application/octet-stream", 1),
        Some(UploadProblem::NameRefused)
    );
    assert_eq!(
        rules(&["video/3gpp"]).check("a.3gp", "", 1),
        Some(UploadProblem::TypeRefused)
    );
}

#[test]
fn the_servers_refusals_are_kept_with_their_meaning() {
    for (class, code, problem) in [
        ("GenerateUrlError", 4001, UploadProblem::TypeRefused),
        ("GenerateUrlError", 4002, UploadProblem::TooLarge),
        ("GenerateUrlError", 4005, UploadProblem::NameTooLong),
        ("UploadFailureEvent", 4003, UploadProblem::ContentRefused),
        ("UploadFailureEvent", 4999, UploadProblem::Refused),
    ] {
        let mut core = ready();
        attach(&mut core, "cat.png", "image/png", 10);
        if class == "UploadFailureEvent" {
            address(&mut core);
        }
        frame(
            &mut core,
            &json!({"type":"message","class":class,"code":200,"body":{
                "attachmentId":"f-1","errorCode":code,"errorMessage":"no"}}),
        );
        assert_eq!(
            stage(&core),
            Some(UploadStage::Failed(problem)),
            "{class} {code}"
        );
    }
}

#[test]
fn an_upload_that_breaks_off_fails_and_the_typed_text_stays_unsent() {
    let mut core = ready();
    attach(&mut core, "cat.png", "image/png", 10);
    address(&mut core);
    core.apply(Event::UploadInterrupted {
        file_id: "f-1".into(),
    });
    assert_eq!(
        stage(&core),
        Some(UploadStage::Failed(UploadProblem::Interrupted))
    );
    // Dismissing it leaves nothing attached and lets messages go again.
    core.apply(Event::RemoveFile);
    assert!(core.pending_file().is_none());
    assert_eq!(
        written(&core.apply(Event::Send {
            text: "hi".into(),
            client_id: "c-1".into()
        }))
        .len(),
        1
    );
}

#[test]
fn removing_a_file_stops_its_upload_and_withdraws_it_from_the_server() {
    let mut core = ready();
    attach(&mut core, "cat.png", "image/png", 10);
    address(&mut core);
    let effects = core.apply(Event::RemoveFile);
    assert!(effects.contains(&Effect::CancelUpload));
    assert_eq!(
        written(&effects),
        [
            json!({"action":"deleteAttachment","token":"tok","attachmentId":"f-1","tracingId":"upload"})
        ]
    );
    assert!(core.pending_file().is_none());
    // A file never asked for is simply forgotten.
    attach(&mut core, "setup.exe", "image/png", 10);
    assert!(written(&core.apply(Event::RemoveFile)).is_empty());
}

#[test]
fn a_dropped_connection_asks_for_the_file_again_on_the_next() {
    let mut core = ready();
    attach(&mut core, "cat.png", "image/png", 10);
    address(&mut core);
    let closed = core.apply(Event::ConnectionClosed {
        kind: CloseKind::Lost,
        code: 1006,
        reason: String::new(),
    });
    assert!(closed.contains(&Effect::CancelUpload));
    assert_eq!(stage(&core), Some(UploadStage::Asking));
    core.apply(Event::ReconnectDue);
    core.apply(Event::ConnectionOpened);
    let again = frame(
        &mut core,
        &json!({"type":"response","class":"SessionResponse","code":200,"body":{
            "connected":true,"newSession":true,"readOnly":false,
            "allowedMedia":{"inbound":{"fileTypes":[{"type":"image/*"}],"maxFileSizeKB":1024}}}}),
    );
    assert_eq!(
        written(&again)
            .iter()
            .filter(|f| f["action"] == "onAttachment")
            .count(),
        1
    );
}

#[test]
fn an_unsafe_upload_address_is_refused() {
    let mut core = ready();
    attach(&mut core, "cat.png", "image/png", 10);
    let effects = frame(
        &mut core,
        &json!({"type":"response","class":"PresignedUrlResponse","code":200,"body":{
            "attachmentId":"f-1","url":"javascript:alert(1)","headers":{"x":"y"}}}),
    );
    assert!(!effects.iter().any(|e| matches!(e, Effect::PutFile { .. })));
    assert_eq!(
        stage(&core),
        Some(UploadStage::Failed(UploadProblem::Refused))
    );
}

#[test]
fn a_deployment_without_media_takes_no_files() {
    let mut core = ChatCore::new(config(), 3);
    core.apply(Event::Start);
    core.apply(Event::SessionCreated(
        WIRE.local_session(core.config(), "tok".into()),
    ));
    core.apply(Event::ConnectionOpened);
    frame(
        &mut core,
        &json!({"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true}}),
    );
    assert!(!core.takes_files());
    assert!(attach(&mut core, "cat.png", "image/png", 10).is_empty());
    assert!(core.pending_file().is_none());
}
