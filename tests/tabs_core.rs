//! What one tab tells the others of a conversation: the view's state in a line, and a
//! mirroring core that shows exactly what the leading one holds.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use guest_chat::core::*;
use guest_chat::protocol::{tutorial::TutorialProtocol, WireProtocol};

fn config() -> Config {
    Config::from_attributes(|name| {
        match name {
            "access-token" => Some("tok"),
            "organization-id" => Some("org-1"),
            "api-base" => Some("http://sim"),
            "ws-base" => Some("ws://sim"),
            _ => None,
        }
        .map(String::from)
    })
    .unwrap()
}

#[test]
fn every_state_survives_the_line_between_tabs() {
    let failures = [
        RestFailure::new(Some(429), "slow down\nplease", Some(0)),
        RestFailure::new(None, "", None),
        RestFailure::new(Some(500), "Ünïcode ✓", Some(30)),
    ];
    let mut connections = vec![
        Connection::Idle,
        Connection::CreatingSession,
        Connection::Connecting,
        Connection::Connected,
        Connection::Disconnected {
            attempt: 3,
            delay_ms: 4000,
        },
        Connection::Reconnecting { attempt: 2 },
        Connection::GaveUp,
        Connection::Displaced,
        Connection::Ended,
        Connection::Offline,
        Connection::Unreachable,
    ];
    connections.extend(failures.into_iter().map(Connection::SessionFailed));
    for connection in connections {
        for routing in [
            Routing::Unknown,
            Routing::Connected,
            Routing::Queued { position: None },
            Routing::Queued { position: Some(0) },
            Routing::Queued { position: Some(7) },
        ] {
            let view = MirroredView {
                connection: connection.clone(),
                routing,
                agent_typing: true,
                ever_connected: false,
                len: 1234,
            };
            assert_eq!(MirroredView::decode(&view.encode()), Some(view));
        }
    }
    for bad in ["", "4 0 0 0 0 0 0", "99 0 0 0 0 0 0 1\n", "x y z\n"] {
        assert_eq!(MirroredView::decode(bad), None, "{bad:?}");
    }
}

#[test]
fn a_mirroring_core_holds_what_the_leader_holds_and_sees_its_news() {
    let mut leader = ChatCore::new(config(), 1);
    leader.share_changes();
    leader.apply(Event::Start);
    leader.apply(Event::SessionCreated(NewSession {
        guest_token: "g".into(),
        session_id: "s".into(),
        organization_id: "o".into(),
        expires_in_s: 600,
    }));
    leader.apply(Event::ConnectionOpened);
    let mut mirror = ChatCore::new(config(), 2);
    let tell = |leader: &mut ChatCore, mirror: &mut ChatCore| {
        let shared = leader.take_shared().unwrap();
        mirror.mirror(leader.mirrored_view(), shared.changed, shared.added);
    };
    tell(&mut leader, &mut mirror);
    leader.apply(Event::Send {
        text: "hi".into(),
        client_id: "c-1".into(),
    });
    leader.apply(
        TutorialProtocol
            .decode(r#"{"type":"agent_message","text":"hello","seq":1,"agent_name":"Sam"}"#),
    );
    tell(&mut leader, &mut mirror);
    assert_eq!(mirror.transcript, leader.transcript);
    assert_eq!(mirror.connection, Connection::Connected);
    assert!(mirror.can_compose());
    let news: Vec<String> = mirror
        .take_news()
        .iter()
        .map(|e| e.text.to_string())
        .collect();
    assert_eq!(
        news,
        ["", "hi", "hello"],
        "the connected line, then the messages"
    );
    // A receipt changes an entry in place; nothing new is news.
    leader.apply(
        TutorialProtocol.decode(r#"{"type":"guest_message_delivered","client_message_id":"c-1"}"#),
    );
    tell(&mut leader, &mut mirror);
    assert_eq!(mirror.transcript, leader.transcript);
    assert!(mirror.take_news().is_empty());
    // A message another tab already handed over is taken once.
    let again = leader.apply(Event::Send {
        text: "hi".into(),
        client_id: "c-1".into(),
    });
    assert!(again.is_empty());
}
