//! What an agent's or bot's message offers the visitor: quick replies and card buttons
//! answered with a message, and files opened at a fresh address.

use super::{safe_url, Answer, CardAction, ChatCore, Effect, Offer, Outgoing, UploadStage};

impl ChatCore {
    /// The visitor chose quick reply `choice` of entry `entry`.
    pub(super) fn choose_reply(
        &mut self,
        entry: u64,
        choice: usize,
        client_id: String,
    ) -> Vec<Effect> {
        let Some(index) = self.transcript.position_of(entry) else {
            return vec![];
        };
        let reply = match self.transcript[index].offer.as_deref() {
            Some(Offer::QuickReplies(replies)) if !self.transcript[index].answered => {
                replies.get(choice).cloned()
            }
            _ => None,
        };
        let Some(reply) = reply else { return vec![] };
        self.transcript.edit(index).answered = true;
        let answer = Answer {
            payload: reply.payload,
            quick_reply: true,
        };
        self.answer(reply.text, answer, client_id)
    }

    /// The visitor pressed button `action` of card `card` of entry `entry`; only a
    /// postback answers (a link opens in the view).
    pub(super) fn press_card_button(
        &mut self,
        entry: u64,
        card: usize,
        action: usize,
        client_id: String,
    ) -> Vec<Effect> {
        let pressed = self
            .transcript
            .iter()
            .find(|e| e.id == entry)
            .and_then(|e| match e.offer.as_deref()? {
                Offer::Cards(cards) => cards.get(card)?.actions.get(action).cloned(),
                Offer::QuickReplies(_) | Offer::Files(_) => None,
            });
        let Some(CardAction::Postback { text, payload }) = pressed else {
            return vec![];
        };
        let answer = Answer {
            payload,
            quick_reply: false,
        };
        self.answer(text, answer, client_id)
    }

    /// The visitor opens file `file` of entry `entry`.
    pub(super) fn open_file(&mut self, entry: u64, file: usize) -> Vec<Effect> {
        let link = self
            .transcript
            .iter()
            .find(|e| e.id == entry)
            .and_then(|e| match e.offer.as_deref()? {
                Offer::Files(files) => files.get(file).cloned(),
                _ => None,
            });
        let Some(link) = link else { return vec![] };
        // Download addresses expire: a fresh one is asked for first, when the
        // connection allows; the answer opens it.
        let refresh = self.session_request(|session_id| Outgoing::RefreshFile {
            session_id,
            file_id: link.id.clone(),
        });
        if refresh.is_empty() || !self.confirms_sessions {
            return vec![Effect::OpenUrl(link.url)];
        }
        self.opening_file = Some(link.id);
        refresh
    }

    /// A fresh download address for `file_id`; for a file still waiting for its upload
    /// address, it is that address.
    pub(super) fn file_refreshed(&mut self, file_id: String, url: String) -> Vec<Effect> {
        if self
            .pending_file()
            .is_some_and(|f| f.id == file_id && f.stage == UploadStage::Asking)
        {
            return self.upload_address(file_id, url, vec![]);
        }
        let Some(url) = safe_url(&url).map(String::from) else {
            return vec![Effect::Warn(
                "guest-chat: a refreshed download address was not safe; not opened".into(),
            )];
        };
        self.transcript.refresh_file(&file_id, &url);
        if self.opening_file.as_deref() == Some(file_id.as_str()) {
            self.opening_file = None;
            return vec![Effect::OpenUrl(url)];
        }
        vec![]
    }
}
