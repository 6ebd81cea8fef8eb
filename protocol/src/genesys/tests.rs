//! The frames as the sources show them, read and written.

use super::*;

fn decode(text: &str) -> ServerMessage {
    ServerMessage::decode(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
}

#[test]
fn session_responses_in_every_published_shape() {
    let minimal = decode(
        r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true}}"#,
    );
    assert_eq!(minimal.frame_type, FrameType::Response);
    let ServerBody::SessionResponse(session) = minimal.body else {
        panic!()
    };
    assert!(session.connected && session.new_session && !session.read_only);
    let full = decode(
        r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true,"readOnly":false,"maxCustomDataBytes":100,"allowedMedia":{"inbound":{"fileTypes":[{"type":"*/*"},{"type":"video/3gpp"}],"maxFileSizeKB":10240}},"blockedExtensions":[".ade"],"clearedExistingSession":false}}"#,
    );
    let ServerBody::SessionResponse(session) = full.body else {
        panic!()
    };
    assert_eq!(session.max_custom_data_bytes, Some(100));
    assert_eq!(session.blocked_extensions, [".ade"]);
    let inbound = session.allowed_media.and_then(|m| m.inbound).unwrap();
    assert_eq!(inbound.max_file_size_kb, Some(10240));
    let types: Vec<&str> = inbound.file_types.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(types, ["*/*", "video/3gpp"]);
    let resumed = decode(
        r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":false}}"#,
    );
    assert!(matches!(
        resumed.body,
        ServerBody::SessionResponse(SessionResponse {
            new_session: false,
            ..
        })
    ));
}

#[test]
fn messages_echoes_and_events() {
    let bot = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"Hello world","direction":"Outbound","id":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","channel":{"time":"2024-02-09T22:39:50.526Z","type":"Private"},"type":"Text","originatingEntity":"Bot","metadata":{"correlationId":"c"}}}"#,
    );
    let ServerBody::StructuredMessage(m) = bot.body else {
        panic!()
    };
    assert_eq!(
        (m.direction, m.text.as_deref()),
        (Some(Direction::Outbound), Some("Hello world"))
    );
    assert_eq!(
        m.channel.unwrap().time.as_deref(),
        Some("2024-02-09T22:39:50.526Z")
    );
    assert_eq!(m.originating_entity.as_deref(), Some("Bot"));
    let agent = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"From a person","direction":"Outbound","id":"0","channel":{"time":"2020-12-09T15:40:07.247Z","type":"Private","to":{"firstName":"Peter"},"from":{"firstName":"Tony","lastName":"Stark"}},"type":"Text","content":[]}}"#,
    );
    let ServerBody::StructuredMessage(m) = agent.body else {
        panic!()
    };
    assert_eq!(
        m.channel.unwrap().from.unwrap().display_name(),
        Some("Tony")
    );
    let echo = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":"Hello world!","direction":"Inbound","id":"test_id","channel":{"time":"2022-08-22T19:24:26.704Z","messageId":"message_id"},"type":"Text","metadata":{"customMessageId":"some_custom_message_id"}},"tracingId":"t-1"}"#,
    );
    assert_eq!(echo.tracing_id.as_deref(), Some("t-1"));
    let ServerBody::StructuredMessage(m) = echo.body else {
        panic!()
    };
    assert_eq!(
        m.metadata.custom_message_id.as_deref(),
        Some("some_custom_message_id")
    );
    let typing = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","id":"0","channel":{"time":"2022-03-09T13:35:31.104Z"},"type":"Event","events":[{"eventType":"Typing","typing":{"type":"On","duration":5000}}]}}"#,
    );
    let ServerBody::StructuredMessage(m) = typing.body else {
        panic!()
    };
    assert_eq!(
        m.events,
        [Event::Typing {
            typing: Typing {
                kind: "On".into(),
                duration: Some(5000)
            }
        }]
    );
    let ended = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"type":"Event","direction":"Outbound","id":"x","channel":{"time":"2024-02-09T22:39:50.526Z","type":"Private","from":{"nickname":"Robot Friend"},"to":{}},"events":[{"eventType":"Presence","presence":{"type":"Disconnect"}}],"metadata":{"readOnly":"true"},"originatingEntity":"Bot"}}"#,
    );
    let ServerBody::StructuredMessage(m) = ended.body else {
        panic!()
    };
    assert_eq!(m.metadata.read_only.as_deref(), Some("true"));
    assert!(matches!(&m.events[0], Event::Presence { presence } if presence.kind == "Disconnect"));
    // Events of kinds this version does not know, and a null time, are no error.
    let other = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"type":"Event","channel":{"time":null},"events":[{"eventType":"CoBrowse","coBrowse":{}}],"metadata":{"readOnly":1}}}"#,
    );
    let ServerBody::StructuredMessage(m) = other.body else {
        panic!()
    };
    assert_eq!(m.events, [Event::Other]);
    assert_eq!(m.metadata, Metadata::default());
}

#[test]
fn errors_limits_and_session_events() {
    assert_eq!(
        decode(
            r#"{"type":"response","class":"string","code":409,"body":"Session is read-only, no new messages allowed"}"#
        ),
        ServerMessage {
            frame_type: FrameType::Response,
            code: 409,
            tracing_id: None,
            body: ServerBody::Error("Session is read-only, no new messages allowed".into())
        }
    );
    let limited = decode(
        r#"{"type":"response","class":"TooManyRequestsErrorMessage","code":429,"body":{"retryAfter":3,"errorCode":4029,"errorMessage":"Message rate too high for this session"}}"#,
    );
    assert!(matches!(
        limited.body,
        ServerBody::TooManyRequests(TooManyRequests {
            retry_after: 3,
            error_code: Some(4029),
            ..
        })
    ));
    assert_eq!(
        decode(r#"{"type":"response","class":"SessionExpiredEvent","code":200,"body":{}}"#).body,
        ServerBody::SessionExpired
    );
    assert_eq!(
        decode(r#"{"type":"message","class":"SessionExpiredEvent","code":200,"body":{}}"#).body,
        ServerBody::SessionExpired
    );
    assert_eq!(decode(r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{"reason":"signedIn"}}"#).body, ServerBody::ConnectionClosed { reason: Some("signedIn".into()) });
    assert_eq!(decode(r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{"reasonCode":"SessionLimitReached"}}"#).body, ServerBody::ConnectionClosed { reason: Some("SessionLimitReached".into()) });
    assert_eq!(
        decode(r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{}}"#).body,
        ServerBody::ConnectionClosed { reason: None }
    );
    assert_eq!(
        decode(r#"{"type":"message","class":"SessionClearedEvent","code":200,"body":{}}"#).body,
        ServerBody::SessionCleared
    );
    assert_eq!(decode(r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"expected-jwt-token","exp":1623675564}}"#).body, ServerBody::Jwt { jwt: "expected-jwt-token".into(), exp: 1623675564 });
    assert_eq!(decode(r#"{"type":"response","class":"PresignedUrlResponse","code":200,"body":{"attachmentId":"a","headers":{},"url":"u"}}"#).body, ServerBody::PresignedUrl { attachment_id: "a".into(), url: "u".into(), headers: BTreeMap::new() });
    assert_eq!(
            decode(r#"{"type":"response","class":"PresignedUrlResponse","code":200,"body":{"attachmentId":"abcd-1234","headers":{"x-amz-tagging":"organizationId=1234&originPlatform=PureCloud"},"url":"https://uploads.url/foo.png"}}"#).body,
            ServerBody::PresignedUrl {
                attachment_id: "abcd-1234".into(),
                url: "https://uploads.url/foo.png".into(),
                headers: [("x-amz-tagging".to_string(), "organizationId=1234&originPlatform=PureCloud".to_string())].into(),
            }
        );
    assert_eq!(decode(r#"{"type":"message","class":"UploadSuccessEvent","code":200,"body":{"attachmentId":"abcd-1234","downloadUrl":"https://uploads.url/foo.png","timestamp":"2021-04-21T14:03:09.581Z"}}"#).body, ServerBody::UploadSucceeded { attachment_id: "abcd-1234".into(), download_url: "https://uploads.url/foo.png".into() });
    assert_eq!(decode(r#"{"type":"message","class":"UploadFailureEvent","code":200,"body":{"attachmentId":"abcd-1234","errorCode":4001,"errorMessage":"error message","timestamp":"2021-04-21T14:03:09.581Z"}}"#).body, ServerBody::UploadFailed { attachment_id: Some("abcd-1234".into()), error_code: 4001 });
    assert_eq!(decode(r#"{"type":"message","class":"GenerateUrlError","code":200,"body":{"attachmentId":"abcd-1234","errorCode":4002,"errorMessage":"error message"}}"#).body, ServerBody::UploadFailed { attachment_id: Some("abcd-1234".into()), error_code: 4002 });
    assert_eq!(decode(r#"{"type":"message","class":"AttachmentDeletedResponse","code":200,"body":{"attachmentId":"attachment_id"}}"#).body, ServerBody::AttachmentDeleted { attachment_id: "attachment_id".into() });
}

#[test]
fn malformed_frames_are_refused() {
    for text in [
        "{",
        "[]",
        "null",
        r#"{"type":"response","code":200,"body":{}}"#,
        r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":1}}"#,
        r#"{"type":"response","class":"TooManyRequestsErrorMessage","code":429,"body":{}}"#,
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"text":5}}"#,
        r#"{"type":"message","class":"UploadSuccessEvent","code":200,"body":{"attachmentId":"a"}}"#,
    ] {
        assert!(ServerMessage::decode(text).is_err(), "{text}");
    }
}

#[test]
fn requests_have_the_published_shapes() {
    let parse = |r: &Request| serde_json::from_str::<serde_json::Value>(&r.encode()).unwrap();
    assert_eq!(
        parse(&Request::ConfigureSession {
            token: "t".into(),
            deployment_id: "d".into(),
            start_new: false,
            tracing_id: None
        }),
        serde_json::json!({"action":"configureSession","token":"t","deploymentId":"d"})
    );
    assert_eq!(
        parse(&Request::ConfigureSession {
            token: "t".into(),
            deployment_id: "d".into(),
            start_new: true,
            tracing_id: Some("x".into())
        }),
        serde_json::json!({"action":"configureSession","token":"t","deploymentId":"d","startNew":true,"tracingId":"x"})
    );
    let attributes: Attributes = [("plan".to_string(), "pro".to_string())].into();
    assert_eq!(
        parse(&Request::OnMessage {
            token: "t".into(),
            message: OutgoingMessage::text("Hello world", attributes),
            tracing_id: Some("m".into())
        }),
        serde_json::json!({"action":"onMessage","token":"t","tracingId":"m","message":{"type":"Text","text":"Hello world","channel":{"metadata":{"customAttributes":{"plan":"pro"}}}}})
    );
    assert_eq!(
        parse(&Request::OnMessage {
            token: "t".into(),
            message: OutgoingMessage::event(Event::Typing {
                typing: Typing {
                    kind: "On".into(),
                    duration: None
                }
            }),
            tracing_id: None
        }),
        serde_json::json!({"action":"onMessage","token":"t","message":{"type":"Event","events":[{"eventType":"Typing","typing":{"type":"On"}}]}})
    );
    assert_eq!(
        parse(&Request::Echo {
            token: "t".into(),
            message: OutgoingMessage::text("ping", Attributes::new()),
            tracing_id: HEALTH_CHECK_TRACING_ID.into()
        }),
        serde_json::json!({"action":"echo","token":"t","tracingId":HEALTH_CHECK_TRACING_ID,"message":{"type":"Text","text":"ping"}})
    );
    assert_eq!(
        parse(&Request::CloseSession {
            token: "t".into(),
            close_all_connections: true,
            tracing_id: None
        }),
        serde_json::json!({"action":"closeSession","token":"t","closeAllConnections":true})
    );
    assert_eq!(
        parse(&Request::GetJwt {
            token: "t".into(),
            tracing_id: None
        }),
        serde_json::json!({"action":"getJwt","token":"t"})
    );
}

#[test]
fn a_history_page_reads_with_null_times_and_unknown_kinds() {
    let page: HistoryPage = serde_json::from_str(r#"{"entities":[{"id":"5befde6373a23f32f20b59b4e1cba0e6","channel":{"time":"2014-04-30T21:09:51.411Z"},"type":"Text","text":"🤪","content":[],"direction":"Outbound","originatingEntity":"Bot"},
             {"id":"46e7001c24abed05e9bcd1a006eb54b7","channel":{"time":null},"type":"Event","events":[{"eventType":"Presence","presence":{"type":"Join"}}],"text":"customer msg 7","content":[],"direction":"Inbound","originatingEntity":"Human"}],
             "pageSize":25,"pageNumber":1,"total":2,"pageCount":1}"#).unwrap();
    assert_eq!(page.entities.len(), 2);
    assert_eq!(page.entities[1].channel.as_ref().unwrap().time, None);
    let empty: HistoryPage = serde_json::from_str(
        r#"{"entities":[],"pageSize":0,"pageNumber":1,"total":0,"pageCount":0}"#,
    )
    .unwrap();
    assert!(empty.entities.is_empty());
}
