//! Files: `onAttachment` checks and gives an upload address, the upload's `PUT`,
//! messages' attachments completed from the store, and downloads until their address
//! expires.

use super::*;

/// `onAttachment`: the file is checked against the deployment's rules, then given an
/// address to upload to, with the headers the upload must carry.
pub(super) fn on_attachment(
    state: &AppState,
    token: &str,
    request: &Map<String, Value>,
    tracing_id: Option<&str>,
    reply: &dyn Fn(String),
) {
    let text = |key: &str| request.get(key).and_then(Value::as_str).unwrap_or_default();
    let id = match text("attachmentId") {
        "" => uuid::Uuid::new_v4().to_string(),
        given => given.to_string(),
    };
    let name = text("fileName");
    let mime = text("fileType").to_ascii_lowercase();
    let size = request.get("fileSize").and_then(Value::as_u64).unwrap_or(0) as usize;
    let lower = name.to_ascii_lowercase();
    let refusal =
        if BLOCKED_EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) || !type_allowed(&mime) {
            Some((4001, "File type is not allowed"))
        } else if size == 0 || size > MAX_UPLOAD_BYTES {
            Some((4002, "File size is not allowed"))
        } else if name.trim().is_empty() {
            Some((4004, "File name is invalid"))
        } else if name.chars().count() > MAX_FILE_NAME_CHARS {
            Some((4005, "File name is too long"))
        } else {
            None
        };
    if let Some((code, words)) = refusal {
        return reply(envelope(
            "message",
            "GenerateUrlError",
            200,
            json!({ "attachmentId": id, "errorCode": code, "errorMessage": words }),
            tracing_id,
        ));
    }
    let mut genesys = state.genesys();
    let url = format!("{}/uploads/{id}", genesys.origin);
    genesys.uploads.insert(
        id.clone(),
        ExpectedUpload {
            token: token.to_string(),
            name: name.to_string(),
            mime: mime.clone(),
            size,
        },
    );
    drop(genesys);
    reply(envelope(
        "response",
        "PresignedUrlResponse",
        200,
        json!({
            "attachmentId": id,
            "headers": { "x-amz-tagging": UPLOAD_TAGGING },
            "url": url,
            "fileName": name,
            "fileSize": size,
            "fileType": mime
        }),
        tracing_id,
    ));
}

/// `PUT /uploads/{id}`: the storage behind an upload address. It takes the bytes only
/// with the announced type and size and every header the address named (403 or 400
/// otherwise, and the service hears nothing); then the service tells the guest's
/// connections whether the file is kept.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut genesys = state.genesys();
    let Some(expected) = genesys.uploads.get(&id) else {
        return (
            StatusCode::FORBIDDEN,
            "no upload was announced at this address",
        )
            .into_response();
    };
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if header_text("x-amz-tagging") != UPLOAD_TAGGING {
        return (
            StatusCode::FORBIDDEN,
            "the signed header x-amz-tagging is missing or wrong",
        )
            .into_response();
    }
    if !header_text("content-type").eq_ignore_ascii_case(&expected.mime) {
        return (
            StatusCode::FORBIDDEN,
            "Content-Type differs from the announced fileType",
        )
            .into_response();
    }
    if body.len() != expected.size {
        return (
            StatusCode::BAD_REQUEST,
            "the body's size differs from the announced fileSize",
        )
            .into_response();
    }
    let Some(expected) = genesys.uploads.remove(&id) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let frame = if genesys.refuse_uploads {
        envelope(
            "message",
            "UploadFailureEvent",
            200,
            json!({ "attachmentId": id, "errorCode": 4003, "errorMessage": "File content is invalid", "timestamp": iso_time(now_millis()) }),
            None,
        )
    } else {
        let lifetime = Duration::from_secs(600);
        let url = download_url(&genesys.origin, &id, lifetime);
        genesys.files.insert(
            id.clone(),
            StoredFile {
                name: expected.name,
                mime: expected.mime,
                bytes: body.to_vec(),
                lifetime,
            },
        );
        envelope(
            "message",
            "UploadSuccessEvent",
            200,
            json!({ "attachmentId": id, "downloadUrl": url, "timestamp": iso_time(now_millis()) }),
            None,
        )
    };
    if let Some(session) = genesys.sessions.get(&expected.token) {
        session.broadcast(&frame);
    }
    StatusCode::OK.into_response()
}

/// The message's `Attachment` items, each completed from the stored file as the
/// service echoes them; `Err` with the first id it does not hold.
pub(super) fn complete_attachments(
    genesys: &GenesysState,
    content: &Value,
) -> Result<Value, String> {
    let Some(items) = content.as_array() else {
        return Ok(content.clone());
    };
    let mut completed = vec![];
    for item in items {
        let id = item.pointer("/attachment/id").and_then(Value::as_str);
        match (item.get("contentType").and_then(Value::as_str), id) {
            (Some("Attachment"), Some(id)) => {
                let Some(file) = genesys.files.get(id) else {
                    return Err(id.to_string());
                };
                let media_type = if file.mime.starts_with("image/") {
                    "Image"
                } else {
                    "File"
                };
                completed.push(json!({ "contentType": "Attachment", "attachment": {
                    "id": id, "filename": file.name, "mediaType": media_type, "mime": file.mime,
                    "fileSize": file.bytes.len(),
                    "url": download_url(&genesys.origin, id, file.lifetime)
                } }));
            }
            _ => completed.push(item.clone()),
        }
    }
    Ok(Value::Array(completed))
}

#[derive(Deserialize)]
pub(crate) struct DownloadQuery {
    exp: Option<u64>,
}

/// `GET /downloads/{id}?exp=`: a file an agent sent, until its address expires (403).
pub(crate) async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> Response {
    let genesys = state.genesys();
    let Some(file) = genesys.files.get(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if query.exp.is_none_or(|exp| exp < now_millis()) {
        return (StatusCode::FORBIDDEN, "Request has expired").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, file.mime.clone()),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_string()),
        ],
        file.bytes.clone(),
    )
        .into_response()
}
