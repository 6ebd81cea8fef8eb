//! The adapter against frames as the sources show them.

use super::*;
use crate::core::*;

fn config() -> Config {
    Config::from_attributes(|name| {
        match name {
            "deployment-id" => Some("dep 1"),
            "ws-base" => Some("ws://sim"),
            _ => None,
        }
        .map(String::from)
    })
    .unwrap()
}

fn received(text: &str) -> Incoming {
    match GenesysProtocol.decode(text) {
        Event::Received(incoming) => incoming,
        other => panic!("{text} read as {other:?}"),
    }
}

#[test]
fn the_session_is_the_clients_and_configured_on_every_connection() {
    let wire = GenesysProtocol;
    let c = config();
    assert_eq!(wire.session_start(&c), SessionStart::Local);
    let session = wire.local_session(&c, "tok-1".into());
    assert_eq!(
        (session.guest_token.as_str(), session.session_id.as_str()),
        ("tok-1", "tok-1")
    );
    let session = Session {
        guest_token: "tok-1".into(),
        session_id: "tok-1".into(),
        organization_id: String::new(),
        expires_at_ms: 0.0,
    };
    assert_eq!(
        wire.connection_url(&c, &session, Some(3)),
        "ws://sim/v1?deploymentId=dep%201"
    );
    assert_eq!(
        wire.opening_frames(&c, &session, false, None),
        [r#"{"action":"configureSession","token":"tok-1","deploymentId":"dep 1"}"#]
    );
    // A signed-in visitor's connection opens with the exchange's JWT.
    assert_eq!(
        wire.opening_frames(&c, &session, false, Some("j.w.t")),
        [
            r#"{"action":"configureAuthenticatedSession","token":"tok-1","deploymentId":"dep 1","data":{"code":"j.w.t"}}"#
        ]
    );
}

#[test]
fn the_token_endpoints_are_asked_as_the_service_documents_them() {
    use crate::core::auth::AuthCode;
    use crate::protocol::{HttpMethod, TokenRequest};
    let c = config();
    let code = AuthCode {
        code: "c-1".into(),
        redirect_uri: "https://shop.example/back".into(),
        code_verifier: Some("v".into()),
        nonce: None,
        max_age: None,
    };
    let exchange = GenesysProtocol
        .token_request(&c, TokenRequest::Exchange(&code))
        .unwrap();
    assert_eq!(exchange.method, HttpMethod::Post);
    assert!(exchange
        .url
        .ends_with("/api/v2/webdeployments/token/oauthcodegrantjwtexchange"));
    assert_eq!(
        exchange.body,
        r#"{"deploymentId":"dep 1","grantType":"code","code":"c-1","redirectUri":"https://shop.example/back","codeVerifier":"v"}"#
    );
    let refresh = GenesysProtocol
        .token_request(&c, TokenRequest::Refresh("r-1"))
        .unwrap();
    assert_eq!(refresh.body, r#"{"refreshToken":"r-1"}"#);
    let revoke = GenesysProtocol
        .token_request(&c, TokenRequest::Revoke("j"))
        .unwrap();
    assert_eq!(revoke.method, HttpMethod::Delete);
    assert_eq!(
        revoke.headers,
        [("Authorization".to_string(), "Bearer j".to_string())]
    );
    let tokens = GenesysProtocol
        .read_tokens(r#"{"jwt":"j","refreshToken":"r"}"#)
        .unwrap();
    assert_eq!(
        (tokens.jwt.as_str(), tokens.refresh_token.as_deref()),
        ("j", Some("r"))
    );
    assert!(GenesysProtocol.read_tokens("{}").is_err());
    // A logout from the service is news to the sign-in, not a line.
    assert_eq!(
        received(r#"{"type":"message","class":"LogoutEvent","code":200,"body":{}}"#),
        Incoming::LoggedOut
    );
}

#[test]
fn messages_echoes_typing_and_the_end_become_domain_events() {
    assert_eq!(
        received(
            r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"Hi","direction":"Outbound","id":"1","channel":{"time":"2024-02-09T22:39:50.526Z","from":{"nickname":"Robot Friend"}},"type":"Text","originatingEntity":"Bot"}}"#
        ),
        Incoming::AgentMessage {
            seq: None,
            id: Some("1".into()),
            at_ms: Some(1_707_518_390_526.0),
            author: Some("Robot Friend".into()),
            text: "Hi".into(),
            offer: None,
        }
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"mine","direction":"Inbound","id":"2","type":"Text"},"tracingId":"c-1"}"#
        ),
        Incoming::Acknowledged {
            client_id: Some("c-1".into()),
            server_id: Some("2".into()),
            at_ms: None
        }
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"mine","direction":"Inbound","id":"2","type":"Text","metadata":{"customMessageId":"c-2"}}}"#
        ),
        Incoming::Acknowledged {
            client_id: Some("c-2".into()),
            server_id: Some("2".into()),
            at_ms: None
        }
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"StructuredMessage","code":200,"body":{"text":"ping","type":"Text","direction":"Inbound","id":"e"},"tracingId":"SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="}"#
        ),
        Incoming::HeartbeatAnswered
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","type":"Event","events":[{"eventType":"Typing","typing":{"type":"On","duration":3000}}]}}"#
        ),
        Incoming::AgentTypingFor(3000)
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","type":"Event","events":[{"eventType":"Typing","typing":{"type":"On"}}]}}"#
        ),
        Incoming::AgentTypingFor(5000)
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"type":"Event","direction":"Outbound","events":[{"eventType":"Presence","presence":{"type":"Disconnect"}}],"metadata":{"readOnly":"true"}}}"#
        ),
        Incoming::ConversationEnded
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":false,"readOnly":true}}"#
        ),
        Incoming::SessionConfigured(SessionConfigured {
            new_session: false,
            read_only: true,
            max_attribute_bytes: None,
            uploads: None,
        })
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":false,"maxCustomDataBytes":100}}"#
        ),
        Incoming::SessionConfigured(SessionConfigured {
            new_session: false,
            read_only: false,
            max_attribute_bytes: Some(100),
            uploads: None,
        })
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true,"readOnly":false,"maxCustomDataBytes":100,"allowedMedia":{"inbound":{"fileTypes":[{"type":"*/*"},{"type":"video/3gpp"}],"maxFileSizeKB":10240}},"blockedExtensions":[".ade"],"clearedExistingSession":false}}"#
        ),
        Incoming::SessionConfigured(SessionConfigured {
            new_session: true,
            read_only: false,
            max_attribute_bytes: Some(100),
            uploads: Some(UploadRules {
                types: vec!["*/*".into(), "video/3gpp".into()],
                max_bytes: Some(10240 * 1024),
                blocked_extensions: vec![".ade".into()],
            }),
        })
    );
    // Upload answers: an address with headers, the verdicts, and a refusal in words.
    assert_eq!(
        received(
            r#"{"type":"response","class":"PresignedUrlResponse","code":200,"body":{"attachmentId":"abcd-1234","headers":{"x-amz-tagging":"organizationId=1234"},"url":"https://uploads.url/foo.png"}}"#
        ),
        Incoming::UploadAddress {
            file_id: "abcd-1234".into(),
            url: "https://uploads.url/foo.png".into(),
            headers: vec![("x-amz-tagging".into(), "organizationId=1234".into())],
        }
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"UploadSuccessEvent","code":200,"body":{"attachmentId":"abcd-1234","downloadUrl":"https://uploads.url/foo.png","timestamp":"2021-04-21T14:03:09.581Z"}}"#
        ),
        Incoming::UploadStored {
            file_id: "abcd-1234".into(),
            url: "https://uploads.url/foo.png".into(),
        }
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"UploadFailureEvent","code":200,"body":{"attachmentId":"abcd-1234","errorCode":4001,"errorMessage":"error message","timestamp":"2021-04-21T14:03:09.581Z"}}"#
        ),
        Incoming::UploadRefused {
            file_id: Some("abcd-1234".into()),
            code: 4001,
        }
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"GenerateUrlError","code":200,"body":{"attachmentId":"abcd-1234","errorCode":4002,"errorMessage":"error message"}}"#
        ),
        Incoming::UploadRefused {
            file_id: Some("abcd-1234".into()),
            code: 4002,
        }
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"string","code":4004,"body":"File name invalid","tracingId":"upload"}"#
        ),
        Incoming::UploadRefused {
            file_id: None,
            code: 4004,
        }
    );
    assert_eq!(
        received(
            r#"{"type":"message","class":"AttachmentDeletedResponse","code":200,"body":{"attachmentId":"attachment_id"}}"#
        ),
        Incoming::Noted
    );
    // The answer to closeSession, before the new session's own.
    assert_eq!(
        received(
            r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":false,"readOnly":true}}"#
        ),
        Incoming::Noted
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"string","code":409,"body":"Session is read-only, no new messages allowed","tracingId":"c-4"}"#
        ),
        Incoming::Refused {
            code: 409,
            client_id: Some("c-4".into()),
            reason: "Session is read-only, no new messages allowed".into()
        }
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"string","code":4011,"body":"message too long","tracingId":"c-5"}"#
        ),
        Incoming::Refused {
            code: 4011,
            client_id: Some("c-5".into()),
            reason: "message too long".into()
        }
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"string","code":403,"body":"Turn on the Feature Toggle or fix the configuration.","tracingId":"guest-typing"}"#
        ),
        Incoming::TypingRefused
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"string","code":403,"body":"Presence events Conversation Clear are not supported","tracingId":"clear-conversation"}"#
        ),
        Incoming::Refused {
            code: 403,
            client_id: None,
            reason: "Presence events Conversation Clear are not supported".into()
        }
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"TooManyRequestsErrorMessage","code":429,"body":{"retryAfter":3,"errorCode":4029,"errorMessage":"Message rate too high for this session"},"tracingId":"c-6"}"#
        ),
        Incoming::RateLimited {
            client_id: Some("c-6".into()),
            retry_after_ms: 3000
        }
    );
    assert_eq!(
        received(
            r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"j.w.t","exp":1700000000}}"#
        ),
        Incoming::HistoryToken {
            jwt: "j.w.t".into(),
            expires_at_ms: 1_700_000_000_000.0
        }
    );
    assert_eq!(
        received(r#"{"type":"message","class":"SessionClearedEvent","code":200,"body":{}}"#),
        Incoming::SessionCleared
    );
    for code in [4006, 4007] {
        let frame =
            format!(r#"{{"type":"response","class":"string","code":{code},"body":"gone"}}"#);
        assert!(matches!(
            GenesysProtocol.decode(&frame),
            Event::ConnectionClosed {
                kind: CloseKind::SessionExpired,
                ..
            }
        ));
    }
    assert!(matches!(
        GenesysProtocol
            .decode(r#"{"type":"response","class":"SessionExpiredEvent","code":200,"body":{}}"#),
        Event::ConnectionClosed {
            kind: CloseKind::SessionExpired,
            ..
        }
    ));
    assert!(matches!(
            GenesysProtocol.decode(
                r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{"reason":"signedIn"}}"#
            ),
            Event::ConnectionClosed {
                kind: CloseKind::Displaced,
                ..
            }
        ));
    assert!(matches!(
        GenesysProtocol
            .decode(r#"{"type":"response","class":"UploadSuccessEvent","code":200,"body":{}}"#),
        Event::Unreadable(Unreadable::Malformed { .. })
    ));
    assert!(matches!(
        GenesysProtocol.decode(
            r#"{"type":"response","class":"GetConfigurationResponse","code":200,"body":{}}"#
        ),
        Event::Unreadable(Unreadable::UnknownKind(_))
    ));
    assert!(matches!(
        GenesysProtocol.decode("{oops"),
        Event::Unreadable(Unreadable::Malformed { .. })
    ));
}

#[test]
fn requests_carry_the_token_and_the_message_id_twice() {
    let sent: serde_json::Value = serde_json::from_str(
        &GenesysProtocol
            .encode(&Outgoing::Message {
                session_id: "tok".into(),
                text: "hello".into(),
                client_id: Some("c-9".into()),
                attributes: Default::default(),
                answer: None,
                files: vec![],
            })
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"action":"onMessage","token":"tok","tracingId":"c-9","message":{"type":"Text","text":"hello","metadata":{"customMessageId":"c-9"}}})
    );
    let encode = |outgoing: Outgoing| -> serde_json::Value {
        serde_json::from_str(&GenesysProtocol.encode(&outgoing).unwrap()).unwrap()
    };
    let with_attributes = encode(Outgoing::Message {
        session_id: "tok".into(),
        text: "hi".into(),
        client_id: None,
        attributes: [("context.firstName".to_string(), "Ada".to_string())].into(),
        answer: None,
        files: vec![],
    });
    assert_eq!(
        with_attributes["message"]["channel"],
        serde_json::json!({"metadata":{"customAttributes":{"context.firstName":"Ada"}}})
    );
    assert_eq!(
        encode(Outgoing::Typing {
            session_id: "tok".into()
        }),
        serde_json::json!({"action":"onMessage","token":"tok","tracingId":"guest-typing","message":{"type":"Event","events":[{"eventType":"Typing","typing":{"type":"On"}}]}})
    );
    assert_eq!(
        encode(Outgoing::Clear {
            session_id: "tok".into()
        }),
        serde_json::json!({"action":"onMessage","token":"tok","tracingId":"clear-conversation","message":{"type":"Event","events":[{"eventType":"Presence","presence":{"type":"Clear"}}]}})
    );
    assert_eq!(
        encode(Outgoing::RequestUpload {
            session_id: "tok".into(),
            file_id: "f-1".into(),
            name: "cat.png".into(),
            mime: "image/png".into(),
            size: 12345,
        }),
        serde_json::json!({"action":"onAttachment","token":"tok","attachmentId":"f-1","fileName":"cat.png","fileType":"image/png","fileSize":12345,"tracingId":"upload"})
    );
    assert_eq!(
        encode(Outgoing::DeleteFile {
            session_id: "tok".into(),
            file_id: "f-1".into(),
        }),
        serde_json::json!({"action":"deleteAttachment","token":"tok","attachmentId":"f-1","tracingId":"upload"})
    );
    let with_file = encode(Outgoing::Message {
        session_id: "tok".into(),
        text: "".into(),
        client_id: Some("c-2".into()),
        attributes: Default::default(),
        answer: None,
        files: vec!["f-1".into()],
    });
    assert_eq!(
        with_file["message"]["content"],
        serde_json::json!([{"contentType":"Attachment","attachment":{"id":"f-1"}}])
    );
    assert_eq!(
        encode(Outgoing::HistoryToken {
            session_id: "tok".into()
        }),
        serde_json::json!({"action":"getJwt","token":"tok","tracingId":"history-token"})
    );
    let echo = encode(Outgoing::Heartbeat {
        session_id: "tok".into(),
    });
    assert_eq!(echo["action"], "echo");
    assert_eq!(echo["token"], "tok");
    assert_eq!(echo["tracingId"], HEALTH_CHECK_TRACING_ID);
}

#[test]
fn a_new_chat_closes_the_old_session_before_configuring_the_new_one() {
    let session = Session {
        guest_token: "tok".into(),
        session_id: "tok".into(),
        organization_id: String::new(),
        expires_at_ms: 0.0,
    };
    let frames = GenesysProtocol.opening_frames(&config(), &session, true, None);
    assert_eq!(
        frames,
        [
            r#"{"action":"configureSession","token":"tok","deploymentId":"dep 1"}"#,
            r#"{"action":"closeSession","token":"tok","closeAllConnections":true,"tracingId":"close-session"}"#,
            r#"{"action":"configureSession","token":"tok","deploymentId":"dep 1","startNew":true}"#
        ]
    );
}

#[test]
fn history_is_read_with_the_token_and_keeps_messages_only() {
    let request = GenesysProtocol
        .history_request(&config(), "j.w.t", 2)
        .unwrap();
    assert_eq!(request.method, HttpMethod::Get);
    assert!(request
        .url
        .ends_with("/api/v2/webmessaging/messages?pageSize=25&pageNumber=2"));
    assert!(request
        .headers
        .contains(&("Authorization".into(), "Bearer j.w.t".into())));
    // The reference's own example page: an event and a null time included.
    let page = GenesysProtocol
            .read_history(
                r#"{"entities":[{"id":"5befde6373a23f32f20b59b4e1cba0e6","channel":{"time":"2014-04-30T21:09:51.411Z"},"type":"Text","text":"x","content":[],"direction":"Outbound","originatingEntity":"Bot"},
                {"id":"46e7001c24abed05e9bcd1a006eb54b7","channel":{"time":null},"type":"Event","events":[{"eventType":"Presence","presence":{"type":"Join"}}],"text":"customer msg 7","content":[],"direction":"Inbound","originatingEntity":"Human"},
                {"id":"g1","channel":{"time":null},"type":"Text","text":"mine","direction":"Inbound","metadata":{"customMessageId":"c-1"}}],
                "pageSize":25,"pageNumber":1,"total":30,"pageCount":2}"#,
                1,
            )
            .unwrap();
    assert!(page.more);
    assert_eq!(
        page.items,
        [
            HistoryItem {
                id: "5befde6373a23f32f20b59b4e1cba0e6".into(),
                from_guest: false,
                text: "x".into(),
                author: None,
                at_ms: Some(1_398_892_191_411.0),
                client_id: None,
                offer: None,
            },
            HistoryItem {
                id: "g1".into(),
                from_guest: true,
                text: "mine".into(),
                author: None,
                at_ms: None,
                client_id: Some("c-1".into()),
                offer: None,
            }
        ]
    );
    let empty = GenesysProtocol
        .read_history(
            r#"{"entities":[],"pageSize":0,"pageNumber":1,"total":0,"pageCount":0}"#,
            1,
        )
        .unwrap();
    assert!(!empty.more && empty.items.is_empty());
    assert!(GenesysProtocol.read_history("<html>", 1).is_err());
}

#[test]
fn times_are_read_as_utc_milliseconds() {
    assert_eq!(parse_time_ms("1970-01-01T00:00:00Z"), Some(0.0));
    assert_eq!(
        parse_time_ms("2022-08-22T19:24:26.704Z"),
        Some(1_661_196_266_704.0)
    );
    assert_eq!(
        parse_time_ms("2024-02-29T00:00:00.5Z"),
        Some(1_709_164_800_500.0)
    );
    for bad in [
        "",
        "yesterday",
        "2022-13-01T00:00:00Z",
        "2022-08-22 19:24:26Z",
        "2022-08-22T19:24:26+02:00",
        "２０２２-08-22T19:24:26Z",
    ] {
        assert_eq!(parse_time_ms(bad), None, "{bad}");
    }
}
