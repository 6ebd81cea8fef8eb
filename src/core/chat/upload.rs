//! A file the visitor attaches: checked against the deployment's rules, uploaded to
//! the address the server names, then sent with the next message. One file waits at a
//! time; the runtime holds its bytes, the core only its name, type and size.

use super::{safe_url, ChatCore, Effect, EntryKind, FileLink, Offer, Outgoing};

/// What the deployment lets a visitor upload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadRules {
    /// MIME types, or patterns such as `image/*` and `*/*`.
    pub types: Vec<String>,
    pub max_bytes: Option<u64>,
    /// Extensions with their dot, such as `.exe`.
    pub blocked_extensions: Vec<String>,
}

impl UploadRules {
    /// Why the file may not be uploaded, if it may not.
    pub fn check(&self, name: &str, mime: &str, size: u64) -> Option<UploadProblem> {
        let lower_name = name.to_ascii_lowercase();
        if self.blocked_extensions.iter().any(|ext| {
            let ext = ext.trim().to_ascii_lowercase();
            !ext.is_empty() && lower_name.ends_with(&ext)
        }) {
            return Some(UploadProblem::NameRefused);
        }
        let mime = mime.trim().to_ascii_lowercase();
        let allowed = self.types.iter().any(|pattern| {
            let pattern = pattern.trim().to_ascii_lowercase();
            match pattern.strip_suffix("/*") {
                Some("*") => true,
                Some(family) => mime.split_once('/').is_some_and(|(kind, _)| kind == family),
                None => pattern == mime,
            }
        });
        if !allowed {
            return Some(UploadProblem::TypeRefused);
        }
        if self.max_bytes.is_some_and(|max| size > max) {
            return Some(UploadProblem::TooLarge);
        }
        if size == 0 {
            return Some(UploadProblem::Empty);
        }
        None
    }
}

/// Why a file was not uploaded. The server's codes 4001–4005 map to the first five.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadProblem {
    TypeRefused,
    TooLarge,
    ContentRefused,
    NameRefused,
    NameTooLong,
    Empty,
    /// The upload broke off (network lost, or the storage answered with an error).
    Interrupted,
    /// The server refused it with a code this version does not know.
    Refused,
}

impl UploadProblem {
    pub fn from_code(code: u16) -> Self {
        match code {
            4001 => UploadProblem::TypeRefused,
            4002 => UploadProblem::TooLarge,
            4003 => UploadProblem::ContentRefused,
            4004 => UploadProblem::NameRefused,
            4005 => UploadProblem::NameTooLong,
            _ => UploadProblem::Refused,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadStage {
    /// Waiting for the address to upload to (or for a connection to ask on).
    Asking,
    /// Bytes are on their way; `percent` of them so far.
    Uploading {
        percent: u8,
    },
    /// Stored: it goes with the next message.
    Ready,
    Failed(UploadProblem),
}

/// The file waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingFile {
    /// The attachment id, chosen by the runtime (a UUID) and kept by the server.
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: u64,
    pub stage: UploadStage,
    /// The address to upload to was asked for on the current connection.
    pub(super) asked: bool,
    pub(super) download_url: Option<String>,
}

impl PendingFile {
    /// Whether the file is on its way and a message must wait for it.
    pub fn busy(&self) -> bool {
        matches!(
            self.stage,
            UploadStage::Asking | UploadStage::Uploading { .. }
        )
    }
}

/// The deployment's rules and the one file waiting.
#[derive(Debug, Clone, Default)]
pub(super) struct Uploads {
    rules: Option<UploadRules>,
    pending: Option<PendingFile>,
}

impl Uploads {
    pub(super) fn set_rules(&mut self, rules: Option<UploadRules>) {
        self.rules = rules;
    }

    /// A stored file waits to go with the next message.
    pub(super) fn file_ready(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|f| f.stage == UploadStage::Ready)
    }

    /// The connection went down: an address asked for or an upload not yet confirmed
    /// may be lost with it, so the file is asked for again on the next connection.
    pub(super) fn restart(&mut self) -> Vec<Effect> {
        match &mut self.pending {
            Some(file) if file.busy() => {
                let cancel = matches!(file.stage, UploadStage::Uploading { .. });
                file.stage = UploadStage::Asking;
                file.asked = false;
                if cancel {
                    vec![Effect::CancelUpload]
                } else {
                    vec![]
                }
            }
            _ => vec![],
        }
    }
}

impl ChatCore {
    /// The visitor attached a file: checked here, then uploaded once a connection is
    /// ready. A file attached before replaces the one waiting.
    pub(super) fn attach_file(
        &mut self,
        id: String,
        name: String,
        mime: String,
        size: u64,
    ) -> Vec<Effect> {
        let Some(rules) = self.uploads.rules.clone() else {
            return vec![];
        };
        let mut effects = self.remove_file();
        let stage = match rules.check(&name, &mime, size) {
            Some(problem) => UploadStage::Failed(problem),
            None => UploadStage::Asking,
        };
        self.uploads.pending = Some(PendingFile {
            id,
            name,
            mime,
            size,
            stage,
            asked: false,
            download_url: None,
        });
        effects.extend(self.ask_upload());
        effects
    }

    /// Asks where to upload the waiting file, once per connection.
    pub(super) fn ask_upload(&mut self) -> Vec<Effect> {
        let Some(session_id) = self.session.id() else {
            return vec![];
        };
        if !self.link.is_ready() {
            return vec![];
        }
        match &mut self.uploads.pending {
            Some(file) if file.stage == UploadStage::Asking && !file.asked => {
                file.asked = true;
                vec![Effect::Send(Outgoing::RequestUpload {
                    session_id,
                    file_id: file.id.clone(),
                    name: file.name.clone(),
                    mime: file.mime.clone(),
                    size: file.size,
                })]
            }
            _ => vec![],
        }
    }

    /// The visitor removes the waiting file: an upload in flight stops, and a stored
    /// one is withdrawn from the server.
    pub(super) fn remove_file(&mut self) -> Vec<Effect> {
        let Some(file) = self.uploads.pending.take() else {
            return vec![];
        };
        let mut effects = vec![];
        if matches!(file.stage, UploadStage::Uploading { .. }) {
            effects.push(Effect::CancelUpload);
        }
        if matches!(
            file.stage,
            UploadStage::Uploading { .. } | UploadStage::Ready
        ) {
            let file_id = file.id;
            effects.extend(self.session_request(|session_id| Outgoing::DeleteFile {
                session_id,
                file_id,
            }));
        }
        effects
    }

    /// The server named where to upload `file_id`. A server that chose its own id is
    /// followed when a file waits for its address.
    pub(super) fn upload_address(
        &mut self,
        file_id: String,
        url: String,
        headers: Vec<(String, String)>,
    ) -> Vec<Effect> {
        let Some(file) = &mut self.uploads.pending else {
            return vec![];
        };
        if file.stage != UploadStage::Asking || !file.asked {
            return vec![];
        }
        let Some(url) = safe_url(&url).map(String::from) else {
            file.stage = UploadStage::Failed(UploadProblem::Refused);
            return vec![Effect::Warn(
                "guest-chat: the upload address was not safe; nothing uploaded".into(),
            )];
        };
        file.id = file_id.clone();
        file.stage = UploadStage::Uploading { percent: 0 };
        vec![Effect::PutFile {
            file_id,
            url,
            headers,
            mime: file.mime.clone(),
        }]
    }

    pub(super) fn upload_progress(&mut self, file_id: &str, percent: u8) -> Vec<Effect> {
        if let Some(file) = &mut self.uploads.pending {
            if file.id == file_id && matches!(file.stage, UploadStage::Uploading { .. }) {
                file.stage = UploadStage::Uploading {
                    percent: percent.min(100),
                };
            }
        }
        vec![]
    }

    /// The upload broke off before the storage took it.
    pub(super) fn upload_interrupted(&mut self, file_id: &str) -> Vec<Effect> {
        if let Some(file) = &mut self.uploads.pending {
            if file.id == file_id && file.busy() {
                file.stage = UploadStage::Failed(UploadProblem::Interrupted);
            }
        }
        vec![]
    }

    pub(super) fn upload_stored(&mut self, file_id: &str, download_url: String) -> Vec<Effect> {
        if let Some(file) = &mut self.uploads.pending {
            if file.id == file_id && file.busy() {
                file.stage = UploadStage::Ready;
                file.download_url = safe_url(&download_url).map(String::from);
            }
        }
        vec![]
    }

    /// The server refused the upload; without an id, the one waiting is meant.
    pub(super) fn upload_refused(&mut self, file_id: Option<&str>, code: u16) -> Vec<Effect> {
        if let Some(file) = &mut self.uploads.pending {
            if file.busy() && file_id.is_none_or(|id| id == file.id) {
                file.stage = UploadStage::Failed(UploadProblem::from_code(code));
            }
        }
        vec![]
    }

    /// A stored file goes with the message written at entry `index`.
    pub(super) fn take_ready_file(&mut self, index: usize) {
        if self.transcript[index].kind != EntryKind::Guest {
            return;
        }
        let Some(file) = self
            .uploads
            .pending
            .take_if(|f| f.stage == UploadStage::Ready)
        else {
            return;
        };
        let image = file.mime.starts_with("image/");
        self.transcript.offer(
            index,
            Some(Offer::Files(vec![FileLink {
                id: file.id,
                name: file.name,
                url: file.download_url.unwrap_or_default(),
                image,
                size: Some(file.size),
            }])),
        );
    }

    /// Whether a message now would have to leave the attached file behind.
    pub fn upload_busy(&self) -> bool {
        self.uploads.pending.as_ref().is_some_and(PendingFile::busy)
    }

    pub fn pending_file(&self) -> Option<&PendingFile> {
        self.uploads.pending.as_ref()
    }

    /// The largest file the deployment takes, when it says.
    pub fn upload_max_bytes(&self) -> Option<u64> {
        self.uploads.rules.as_ref()?.max_bytes
    }

    /// Files may be attached in this conversation.
    pub fn takes_files(&self) -> bool {
        self.features.file_upload && self.uploads.rules.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(stage: UploadStage) -> Uploads {
        Uploads {
            rules: Some(UploadRules::default()),
            pending: Some(PendingFile {
                id: "f".into(),
                name: "a.png".into(),
                mime: "image/png".into(),
                size: 1,
                stage,
                asked: true,
                download_url: None,
            }),
        }
    }

    #[test]
    fn a_drop_asks_again_for_a_file_on_its_way() {
        let mut uploads = waiting(UploadStage::Uploading { percent: 40 });
        assert_eq!(uploads.restart(), [Effect::CancelUpload]);
        let file = uploads.pending.as_ref().unwrap();
        assert_eq!(file.stage, UploadStage::Asking);
        assert!(!file.asked);
        assert!(uploads.restart().is_empty(), "asking again cancels nothing");
    }

    #[test]
    fn a_stored_file_stays_ready_across_a_drop() {
        let mut uploads = waiting(UploadStage::Ready);
        assert!(uploads.restart().is_empty());
        assert!(uploads.file_ready());
    }
}
