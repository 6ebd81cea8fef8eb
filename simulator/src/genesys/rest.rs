//! The REST endpoints: the history behind a JWT, and the deployment's `config.json`.

use super::*;

#[derive(Deserialize)]
pub(crate) struct HistoryQuery {
    #[serde(rename = "pageSize")]
    page_size: Option<usize>,
    #[serde(rename = "pageNumber")]
    page_number: Option<usize>,
}

/// `GET /api/v2/webmessaging/messages`: the session's messages, newest first, in pages.
pub(crate) async fn history(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HistoryQuery>,
) -> Response {
    let jwt = bearer(&headers);
    let genesys = state.genesys();
    let now = now_millis() / 1000;
    // A signed-in visitor may read their identity's history with the exchange's JWT.
    let Some(token) = jwt
        .and_then(|jwt| {
            genesys.jwts.get(&jwt).cloned().or_else(|| {
                genesys
                    .signed_in_jwts
                    .get(&jwt)
                    .map(|j| (super::auth::identity_key(&j.identity.subject), j.exp))
            })
        })
        .filter(|(_, exp)| *exp > now)
        .map(|(token, _)| token)
    else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "status": 401, "code": "bad.credentials", "message": "Invalid login credentials." })),
        )
            .into_response();
    };
    let entities: Vec<Value> = genesys
        .sessions
        .get(&token)
        .map(|s| s.history.iter().rev().cloned().collect())
        .unwrap_or_default();
    let size = query.page_size.unwrap_or(25).clamp(1, 100);
    let number = query.page_number.unwrap_or(1).max(1);
    let total = entities.len();
    let page: Vec<Value> = entities
        .into_iter()
        .skip((number - 1) * size)
        .take(size)
        .collect();
    Json(json!({
        "entities": page,
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": total.div_ceil(size)
    }))
    .into_response()
}

/// The deployment's public configuration (`config.json`), in the shape Messenger reads.
pub(crate) async fn deployment_config(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    if !state.config().genesys.deployments.contains(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut config = default_deployment_config(&id);
    merge(&mut config, &state.config().genesys.deployment_settings);
    for settings in &state.genesys().deployment_settings {
        merge(&mut config, settings);
    }
    Json(config).into_response()
}

/// The configuration of a deployment nobody changed: Messenger's defaults for the
/// fields the official SDKs read (see `../shared/reference/genesys-messenger-api.md`, §4).
fn default_deployment_config(id: &str) -> Value {
    json!({
        "id": id,
        "version": "1",
        "languages": ["en-us", "es", "de", "ar"],
        "defaultLanguage": "en-us",
        "apiEndpoint": "",
        "messenger": {
            "enabled": true,
            "apps": { "conversations": {
                "enabled": true,
                "showAgentTypingIndicator": true,
                "showUserTypingIndicator": true,
                "autoStart": { "enabled": false },
                "markdown": { "enabled": true },
                "conversationDisconnect": { "enabled": true, "type": "ReadOnly" },
                "conversationClear": { "enabled": true },
                "humanize": { "enabled": true }
            } },
            "styles": { "primaryColor": "#1f6feb" },
            "launcherButton": { "visibility": "On" },
            "homeScreen": { "enabled": false },
            "fileUpload": { "modes": [{ "fileTypes": ["image/*", "application/pdf"], "maxFileSizeKB": 10240 }] }
        },
        "journeyEvents": { "enabled": false },
        "auth": { "enabled": false },
        "status": "Active"
    })
}

/// Lays `overlay` over `base`: objects field by field, `null` removing a field, any
/// other value replacing what was there.
fn merge(base: &mut Value, overlay: &Value) {
    let (Value::Object(base), Value::Object(overlay)) = (&mut *base, overlay) else {
        if !overlay.is_null() {
            *base = overlay.clone();
        }
        return;
    };
    for (key, value) in overlay {
        match (value, base.get_mut(key)) {
            (Value::Null, _) => {
                base.remove(key);
            }
            (Value::Object(_), Some(inner)) if inner.is_object() => merge(inner, value),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}
