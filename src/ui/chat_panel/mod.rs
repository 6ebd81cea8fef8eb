use super::{
    composer::{first_file, Composer},
    status_bar::StatusBar,
    transcript::{file_size, Transcript},
};
use crate::{
    core::{markdown, Config, ConfigError, EntryKind, Offer, Phase, UploadStage},
    use_guest_chat, UseGuestChatReturn,
};
use leptos::prelude::*;

/// The whole widget inline in the page, for one configuration; a configuration error
/// is shown in its place.
#[component]
pub fn GuestChat(config: Result<Config, ConfigError>) -> impl IntoView {
    match config {
        Ok(config) => {
            let theme = config.theme.as_str();
            let chat = use_guest_chat(config);
            view! { <ChatView chat theme /> }.into_any()
        }
        Err(err) => view! { <ConfigProblem err /> }.into_any(),
    }
}

/// What a site owner must fix, shown where the chat would be.
#[component]
pub fn ConfigProblem(err: ConfigError) -> impl IntoView {
    view! {
        <section class="gc gc-misconfigured" aria-label="Chat">
            <p class="gc-status gc-status-error" role="alert">{err.to_string()}</p>
        </section>
    }
}

/// What a screen reader should hear: new agent messages, routing and error lines,
/// connection changes, and typing once per reply. Restored history is not news.
fn use_announcements(chat: UseGuestChatReturn) -> RwSignal<String> {
    let announcement = RwSignal::new(String::new());
    // This effect also runs for connection and typing changes: a batch of news is
    // worded once.
    let last_batch = StoredValue::new(0u64);
    let last_phase = StoredValue::new(None::<Phase>);
    let typing_told = StoredValue::new(false);
    let last_upload = StoredValue::new(None::<(String, bool, bool)>);
    let strings = chat.strings;
    Effect::new(move |_| {
        let mut said: Vec<String> = vec![];
        chat.news.with(|news| {
            if news.batch == last_batch.get_value() {
                return;
            }
            last_batch.set_value(news.batch);
            if news.entries.iter().any(|e| e.kind == EntryKind::Agent) {
                typing_told.set_value(false);
            }
            // A burst is summarised by its last lines, not read out in full: only those
            // are worded, however many arrived in this frame.
            let mut lines: Vec<String> = news
                .entries
                .iter()
                .rev()
                .filter_map(|entry| match entry.kind {
                    EntryKind::Agent => {
                        // Formatting is not read out: the marks' words are.
                        let words = if chat.markdown {
                            markdown::spoken(&entry.text)
                        } else {
                            entry.text.to_string()
                        };
                        let said = strings.agent_says(entry.agent_name.as_deref(), &words);
                        // A rich message is read by its text, and says how many choices it offers.
                        let choices = match entry.offer.as_deref() {
                            Some(Offer::QuickReplies(replies)) => replies.len(),
                            Some(Offer::Cards(cards)) => {
                                cards.iter().map(|c| c.actions.len()).sum()
                            }
                            Some(Offer::Files(_)) | None => 0,
                        };
                        Some(if choices > 0 {
                            format!("{said} {}", strings.choices_label(choices as u32))
                        } else {
                            said
                        })
                    }
                    EntryKind::System | EntryKind::Error => Some(strings.entry_text(entry)),
                    EntryKind::Guest => None,
                })
                .take(3)
                .collect();
            lines.reverse();
            said.extend(lines);
        });
        // Phases, not every reconnect attempt, are announced; starting up is not news.
        chat.connection.with(|c| {
            let phase = c.phase();
            let quiet = matches!(phase, Phase::Idle | Phase::Connecting);
            if last_phase.get_value().is_some_and(|p| p != phase) && !quiet {
                said.push(strings.status_line(c));
            }
            last_phase.set_value(Some(phase));
        });
        // The attached file is told when it starts, is ready, or fails; not each percent.
        chat.upload.with(|upload| {
            let now = upload
                .file
                .as_ref()
                .map(|f| (f.id.clone(), f.busy(), f.stage == UploadStage::Ready));
            if now != last_upload.get_value() {
                if let Some(file) = &upload.file {
                    let max = upload.max_bytes.map(file_size);
                    said.push(strings.upload_state(file, max.as_deref()));
                }
                last_upload.set_value(now);
            }
        });
        if chat.agent_typing.get() && !typing_told.get_value() {
            typing_told.set_value(true);
            said.push(strings.agent_typing.to_string());
        }
        if !said.is_empty() {
            let start = said.len().saturating_sub(3);
            announcement.set(said[start..].join(" "));
        }
    });
    announcement
}

/// Status, transcript and composer of one chat.
#[component]
pub fn ChatView(chat: UseGuestChatReturn, theme: &'static str) -> impl IntoView {
    let announcement = use_announcements(chat);
    let dragging = RwSignal::new(false);
    let takes_files = move || chat.upload.with_untracked(|u| u.takes_files);
    view! {
        <section
            class="gc"
            class:gc-dragging=move || dragging.get()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                if takes_files() {
                    // Accepting the drag is what lets the file be dropped here.
                    ev.prevent_default();
                    dragging.set(true);
                }
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: leptos::ev::DragEvent| {
                dragging.set(false);
                if !takes_files() {
                    return;
                }
                ev.prevent_default();
                if let Some(file) = first_file(ev.data_transfer().and_then(|d| d.files())) {
                    chat.attach(file);
                }
            }
            data-theme=theme
            lang=chat.locale.tag()
            dir=if chat.locale.is_rtl() { "rtl" } else { "ltr" }
            aria-label=chat.strings.chat_label
            part="chat"
        >
            <StatusBar chat />
            <Transcript chat />
            <Composer chat />
            <div class="gc-sr-only gc-announcer" aria-live="polite" aria-atomic="true">
                {move || announcement.get()}
            </div>
        </section>
    }
}
