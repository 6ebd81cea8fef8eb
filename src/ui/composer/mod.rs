use super::transcript::file_size;
use crate::{core::UploadStage, UseGuestChatReturn};
use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

/// The first file of a list the browser gave (a picker, a drop, a paste).
pub(crate) fn first_file(files: Option<web_sys::FileList>) -> Option<web_sys::File> {
    files?.get(0)
}

/// The attached file: its name, the upload's progress, why it failed, and a button to
/// remove it. The announcer reads each new state out (`use_announcements`).
#[component]
fn AttachedFile(chat: UseGuestChatReturn) -> impl IntoView {
    let strings = chat.strings;
    move || {
        chat.upload.with(|upload| {
            let file = upload.file.clone()?;
            let max = upload.max_bytes.map(file_size);
            let words = strings.upload_state(&file, max.as_deref());
            let failed = matches!(file.stage, UploadStage::Failed(_));
            let percent = match file.stage {
                UploadStage::Asking => Some(0),
                UploadStage::Uploading { percent } => Some(percent),
                _ => None,
            };
            let remove = crate::i18n::fill_name(strings.remove_file, &file.name);
            Some(view! {
                <div class="gc-attached" class:gc-attached-failed=failed>
                    <span class="gc-attached-text">{words}</span>
                    {percent.map(|p| view! {
                        <progress class="gc-progress" max="100" value=p aria-label=file.name.clone()></progress>
                    })}
                    <button
                        type="button"
                        class="gc-remove-file"
                        aria-label=remove.clone()
                        title=remove
                        on:click=move |_| chat.remove_file()
                    >
                        "×"
                    </button>
                </div>
            })
        })
    }
}

/// Where the visitor writes. Enter sends; Shift+Enter starts a new line.
#[component]
pub fn Composer(chat: UseGuestChatReturn) -> impl IntoView {
    let input = NodeRef::<html::Textarea>::new();
    let disabled = move || !chat.can_compose.get();
    Effect::new(move |previous: Option<u32>| {
        let requests = chat.focus_requests.get();
        if previous.is_some_and(|p| p != requests) || (previous.is_none() && requests > 0) {
            if let Some(Some(el)) = input.try_get_untracked() {
                // The element was disabled until this very update; focus once it is enabled,
                // and never away from something the visitor focused on the page.
                request_animation_frame(move || {
                    if super::focus_is_free_or_ours(&el) {
                        let _ = el.focus();
                    }
                });
            }
        }
        requests
    });
    // The draft of the previous page comes back once the textarea exists.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            if el.value().is_empty() {
                el.set_value(&chat.saved("draft", true));
            }
        }
    });
    let file_ready = move || {
        chat.upload.with_untracked(|u| {
            u.file
                .as_ref()
                .is_some_and(|f| f.stage == UploadStage::Ready)
        })
    };
    // The message waits while its file uploads; the words stay in the composer.
    let uploading = move || {
        chat.upload
            .with(|u| u.file.as_ref().is_some_and(|f| f.busy()))
    };
    let picker = NodeRef::<html::Input>::new();
    // Shown only where the deployment takes files, and in the tab holding the connection.
    let no_files = move || !chat.upload.with(|u| u.takes_files);
    let submit = move || {
        if uploading() {
            return;
        }
        if let Some(el) = input.get_untracked() {
            let text = el.value();
            if !text.trim().is_empty() || file_ready() {
                chat.send(text);
                el.set_value("");
                chat.save("draft", "", true);
            }
        }
    };
    view! {
        <AttachedFile chat />
        <form
            class="gc-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <textarea
                class="gc-input"
                rows="1"
                aria-label=chat.strings.message_label
                placeholder=chat.strings.placeholder
                node_ref=input
                disabled=disabled
                on:input=move |ev| {
                    chat.save("draft", &event_target_value(&ev), true);
                    chat.typing();
                }
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
                on:paste=move |ev: leptos::ev::ClipboardEvent| {
                    // A pasted image (a screenshot) is attached; pasted text is text.
                    let file = first_file(ev.clipboard_data().and_then(|d| d.files()));
                    if let Some(file) = file.filter(|_| chat.upload.with_untracked(|u| u.takes_files)) {
                        ev.prevent_default();
                        chat.attach(file);
                    }
                }
            ></textarea>
            <input
                    type="file"
                    class="gc-file-picker"
                    node_ref=picker
                    tabindex="-1"
                    aria-hidden="true"
                    on:change=move |ev| {
                        let picked: Option<web_sys::HtmlInputElement> = ev
                            .target()
                            .and_then(|t| t.dyn_into().ok());
                        if let Some(el) = picked {
                            if let Some(file) = first_file(el.files()) {
                                chat.attach(file);
                            }
                            // The same file may be chosen again after a failure.
                            el.set_value("");
                        }
                    }
                />
                <button
                    type="button"
                    class="gc-attach"
                    hidden=no_files
                    aria-label=chat.strings.attach_file
                    title=chat.strings.attach_file
                    disabled=disabled
                    on:click=move |_| {
                        if let Some(el) = picker.get_untracked() {
                            el.click();
                        }
                    }
                >
                </button>
            <button type="submit" class="gc-send" disabled=move || disabled() || uploading()>
                {chat.strings.send}
            </button>
        </form>
    }
}
