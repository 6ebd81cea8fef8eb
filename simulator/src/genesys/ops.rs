//! What the agent's side does to a Genesys session (messages, rich content, typing, the
//! end), the console's view of it, and the sample content.

use super::*;

impl AppState {
    pub(super) fn genesys(&self) -> std::sync::MutexGuard<'_, GenesysState> {
        self.genesys_state()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// An agent's or bot's message, kept in history and pushed to every connection.
    pub(crate) fn genesys_agent_message(
        &self,
        token: &str,
        text: &str,
        nickname: &str,
        bot: bool,
    ) -> Option<Value> {
        let body = json!({
            "text": text,
            "type": "Text",
            "direction": "Outbound",
            "id": message_id(),
            "channel": {
                "time": iso_time(now_millis()),
                "type": "Private",
                "from": { "nickname": nickname },
                "to": {}
            },
            "content": [],
            "originatingEntity": if bot { "Bot" } else { "Human" },
            "metadata": { "correlationId": uuid::Uuid::new_v4().to_string() }
        });
        self.genesys_push_message(token, body)
    }

    /// A bot's `Structured` message with `content` (quick replies, a card, a carousel).
    pub(crate) fn genesys_rich_message(
        &self,
        token: &str,
        text: &str,
        content: Value,
    ) -> Option<Value> {
        let body = json!({
            "text": text,
            "type": "Structured",
            "direction": "Outbound",
            "id": message_id(),
            "channel": {
                "time": iso_time(now_millis()),
                "type": "Private",
                "from": { "nickname": AGENT_NAME },
                "to": {}
            },
            "content": content,
            "originatingEntity": "Bot",
            "metadata": { "correlationId": uuid::Uuid::new_v4().to_string() }
        });
        self.genesys_push_message(token, body)
    }

    /// Keeps `body` in the session's history and pushes it as a `StructuredMessage`.
    pub(super) fn genesys_push_message(&self, token: &str, body: Value) -> Option<Value> {
        let mut state = self.genesys();
        let session = state.sessions.get_mut(token)?;
        session.history.push(body.clone());
        session.last_activity = Instant::now();
        session.broadcast(&envelope(
            "message",
            "StructuredMessage",
            200,
            body.clone(),
            None,
        ));
        Some(body)
    }

    /// The agent types: an Outbound Typing event of `duration_ms`.
    pub(crate) fn genesys_typing(&self, token: &str, duration_ms: u64) -> Option<()> {
        let body = json!({
            "type": "Event",
            "direction": "Outbound",
            "id": message_id(),
            "channel": { "time": iso_time(now_millis()), "messageId": uuid::Uuid::new_v4().to_string() },
            "events": [{ "eventType": "Typing", "typing": { "type": "On", "duration": duration_ms } }],
            "metadata": { "correlationId": uuid::Uuid::new_v4().to_string() }
        });
        let state = self.genesys();
        let session = state.sessions.get(token)?;
        session.broadcast(&envelope("message", "StructuredMessage", 200, body, None));
        Some(())
    }

    /// The agent ends the conversation; the session becomes read-only.
    pub(crate) fn genesys_end(&self, token: &str, nickname: &str) -> Option<()> {
        let body = json!({
            "type": "Event",
            "direction": "Outbound",
            "id": message_id(),
            "channel": { "time": iso_time(now_millis()), "type": "Private", "from": { "nickname": nickname }, "to": {} },
            "events": [{ "eventType": "Presence", "presence": { "type": "Disconnect" } }],
            "metadata": { "readOnly": "true" },
            "originatingEntity": "Human"
        });
        self.genesys_push_message(token, body)?;
        self.genesys().sessions.get_mut(token)?.read_only = true;
        Some(())
    }

    pub(super) fn attach_genesys(
        &self,
        token: &str,
        deployment: &str,
        conn: Conn,
    ) -> (Value, bool) {
        let ttl = self.config().genesys.session_ttl;
        let mut state = self.genesys();
        let expired = state
            .sessions
            .get(token)
            .is_some_and(|s| !s.read_only && s.last_activity.elapsed() > ttl);
        let known = state.sessions.contains_key(token) && !expired;
        if !known {
            state.sessions_made += 1;
            let serial = state.sessions_made;
            state
                .sessions
                .insert(token.to_string(), GuestSession::new(deployment, serial));
        }
        let session = state.sessions.get_mut(token).expect("inserted above");
        session.last_activity = Instant::now();
        if session.connections.len() >= CONNECTIONS_PER_TOKEN {
            // Over the limit the oldest connection is told and let go.
            let oldest = session.connections.remove(0);
            let closed = envelope("message", "ConnectionClosedEvent", 200, json!({}), None);
            let _ = oldest.tx.send(Outbound::Text(closed));
            let _ = oldest
                .tx
                .send(Outbound::Close(1000, "session limit reached".into()));
        }
        if !session.connections.iter().any(|c| c.id == conn.id) {
            session.connections.push(conn);
        }
        let expires = now_millis() / 1000 + ttl.as_secs();
        (
            json!({
                "connected": true,
                "newSession": !known,
                "readOnly": session.read_only,
                "maxCustomDataBytes": MAX_CUSTOM_DATA_BYTES,
                "allowedMedia": allowed_media(),
                "blockedExtensions": BLOCKED_EXTENSIONS,
                "clearedExistingSession": false,
                "durationSeconds": ttl.as_secs(),
                "expirationDate": expires
            }),
            !known,
        )
    }
}

impl AppState {
    /// The Genesys sessions as the agent console lists them, newest first.
    pub(crate) fn genesys_summaries(&self) -> Vec<crate::shared::SessionSummary> {
        let genesys = self.genesys();
        let mut list: Vec<_> = genesys
            .sessions
            .iter()
            .map(|(token, s)| genesys_summary(token, s))
            .collect();
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
        list
    }

    /// One Genesys session as the agent console shows it: the messages of its history.
    pub(crate) fn genesys_detail(&self, token: &str) -> Option<crate::shared::SessionDetail> {
        let genesys = self.genesys();
        let s = genesys.sessions.get(token)?;
        let transcript = s
            .history
            .iter()
            .filter(|m| m["type"] != "Event")
            .map(|m| crate::shared::TranscriptLine {
                from: if m["direction"] == "Inbound" {
                    "guest"
                } else {
                    "agent"
                },
                text: m["text"].as_str().unwrap_or_default().to_string(),
                at: 0,
                seq: None,
                client_message_id: None,
            })
            .collect();
        Some(crate::shared::SessionDetail {
            summary: genesys_summary(token, s),
            attributes: s.custom_attributes.clone(),
            transcript,
        })
    }

    /// The console's agent acts in a Genesys session; `None` when there is no such session.
    pub(crate) fn genesys_console_say(&self, token: &str, text: &str) -> Option<Value> {
        self.genesys().sessions.contains_key(token).then_some(())?;
        self.genesys_take_over(token);
        self.genesys_agent_message(token, text, AGENT_NAME, false)
    }

    pub(crate) fn genesys_console_typing(&self, token: &str, typing: bool) -> Option<()> {
        self.genesys().sessions.contains_key(token).then_some(())?;
        self.genesys_take_over(token);
        // The protocol has no "typing off": the indicator runs out by itself.
        if typing {
            self.genesys_typing(token, 5000)?;
        }
        Some(())
    }

    /// The console's agent sends sample rich content: `quick-replies`, `card`,
    /// `carousel` or `file`; `None` for another kind or session.
    pub(crate) fn genesys_console_rich(
        &self,
        token: &str,
        kind: &str,
        text: &str,
    ) -> Option<Value> {
        let content = match kind {
            "quick-replies" => sample_quick_replies(),
            "card" => sample_card(),
            "carousel" => sample_carousel(),
            "file" => {
                self.genesys_take_over(token);
                let origin = self.genesys().origin.clone();
                let file = FileBody {
                    name: "order-summary.pdf".into(),
                    mime: Some("application/pdf".into()),
                    text: text.into(),
                    expires_in_ms: None,
                };
                return self.genesys_send_file(token, &origin, file);
            }
            _ => return None,
        };
        self.genesys_take_over(token);
        self.genesys_rich_message(token, text, content)
    }

    /// An agent sends a small file: kept for download, pushed as an `Attachment`.
    pub(crate) fn genesys_send_file(
        &self,
        token: &str,
        origin: &str,
        body: FileBody,
    ) -> Option<Value> {
        let id = uuid::Uuid::new_v4().to_string();
        let mime = body
            .mime
            .unwrap_or_else(|| "application/octet-stream".into());
        let lifetime = Duration::from_millis(body.expires_in_ms.unwrap_or(600_000));
        let bytes = format!("{} from the simulator\n", body.name).into_bytes();
        let url = {
            let mut genesys = self.genesys();
            genesys.origin = origin.to_string();
            let url = download_url(origin, &id, lifetime);
            genesys.files.insert(
                id.clone(),
                StoredFile {
                    name: body.name.clone(),
                    mime: mime.clone(),
                    bytes: bytes.clone(),
                    lifetime,
                },
            );
            url
        };
        let media_type = if mime.starts_with("image/") {
            "Image"
        } else {
            "File"
        };
        let message = json!({
            "text": body.text,
            "type": "Text",
            "direction": "Outbound",
            "id": message_id(),
            "channel": { "time": iso_time(now_millis()), "type": "Private", "from": { "nickname": AGENT_NAME }, "to": {} },
            "content": [{ "contentType": "Attachment", "attachment": {
                "id": id, "filename": body.name, "mediaType": media_type, "mime": mime,
                "fileSize": bytes.len(), "url": url
            } }],
            "originatingEntity": "Human"
        });
        self.genesys_push_message(token, message)
    }

    pub(crate) fn genesys_console_end(&self, token: &str) -> Option<()> {
        self.genesys_end(token, AGENT_NAME)
    }

    pub(super) fn genesys_take_over(&self, token: &str) {
        if let Some(s) = self.genesys().sessions.get_mut(token) {
            s.taken_over = true;
        }
    }

    /// Whether the scripted agent may still speak in this session.
    pub(crate) fn genesys_scripted_and_free(&self, token: &str) -> bool {
        self.config().agent == crate::shared::AgentMode::Scripted
            && self
                .genesys()
                .sessions
                .get(token)
                .is_some_and(|s| !s.taken_over && !s.read_only)
    }
}

fn genesys_summary(token: &str, s: &GuestSession) -> crate::shared::SessionSummary {
    crate::shared::SessionSummary {
        id: token.to_string(),
        protocol: "genesys",
        guest_name: match &s.identity {
            Some(identity) => Some(identity.name.clone()),
            None => s.custom_attributes.get("context.firstName").cloned(),
        },
        guest_email: match &s.identity {
            Some(identity) => Some(identity.email.clone()),
            None => s.custom_attributes.get("context.email").cloned(),
        },
        verified: s.identity.is_some(),
        created_at: s.created_at,
        connected: !s.connections.is_empty(),
        connections_total: s.connections.len() as u64,
        routing: None,
        ended: s.read_only,
        messages: s.history.iter().filter(|m| m["type"] != "Event").count(),
    }
}

/// The scripted bot's greeting choices.
pub(crate) fn sample_quick_replies() -> Value {
    json!([
        { "contentType": "QuickReply", "quickReply": { "text": "Track my order", "payload": "track", "action": "Message" } },
        { "contentType": "QuickReply", "quickReply": { "text": "Returns", "payload": "returns", "action": "Message" } },
        { "contentType": "QuickReply", "quickReply": { "text": "Talk to a person", "payload": "human", "action": "Message" } }
    ])
}

/// One card, as the agent console sends it.
pub(crate) fn sample_card() -> Value {
    json!([{ "contentType": "Card", "card": {
        "title": "Trail tent 2P",
        "description": "Two people, 1.9 kg, three seasons.",
        "actions": [
            { "type": "Postback", "text": "Add to basket", "payload": "add-tent" },
            { "type": "Link", "text": "Details", "url": "https://shop.example.com/tent" }
        ]
    } }])
}

/// A carousel of three cards, as the agent console sends it.
pub(crate) fn sample_carousel() -> Value {
    let card = |title: &str, payload: &str| {
        json!({
            "title": title,
            "description": "In stock",
            "actions": [
                { "type": "Postback", "text": "Choose", "payload": payload },
                { "type": "Link", "text": "Details", "url": format!("https://shop.example.com/{payload}") }
            ]
        })
    };
    json!([{ "contentType": "Carousel", "carousel": { "cards": [
        card("Hiking boots", "boots"), card("Rain jacket", "jacket"), card("Day pack", "pack")
    ] } }])
}

#[derive(Deserialize)]
pub(crate) struct FileBody {
    name: String,
    #[serde(default)]
    mime: Option<String>,
    #[serde(default)]
    text: String,
    /// How long its first address works (10 minutes unless said).
    #[serde(default)]
    expires_in_ms: Option<u64>,
}
