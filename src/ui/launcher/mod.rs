use super::{chat_panel::ChatView, toaster::Toaster};
use crate::{core::Side, runtime::News, UseGuestChatReturn};
use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

/// The floating button and the panel it opens. `open` is shared with the host page's
/// JavaScript API.
#[component]
pub fn Launcher(
    chat: UseGuestChatReturn,
    open: RwSignal<bool>,
    side: Side,
    theme: &'static str,
) -> impl IntoView {
    let button = NodeRef::<html::Button>::new();
    crate::runtime::use_title_badge(chat, open);
    let notifications = crate::runtime::use_notifications(chat, open);
    let unread = RwSignal::new(0u32);
    // Agent messages that arrive while the panel is closed are counted.
    Effect::new(move |_| {
        let fresh = chat.news.with(News::from_agents);
        if !open.get_untracked() && fresh > 0 {
            unread.update(|n| *n += fresh);
        }
    });
    // Kept for the next page's loader, which draws the launcher before the widget loads.
    Effect::new(move |_| {
        let n = unread.get();
        chat.save(
            "unread",
            &if n > 0 { n.to_string() } else { String::new() },
            false,
        );
    });
    // Read in another tab: read here too.
    Effect::new(move |_| {
        if chat.read_elsewhere.get() > 0 {
            unread.set(0);
        }
    });
    let panel = NodeRef::<html::Div>::new();
    // Open from the start: restored from the last page. Opened by the page's API call
    // that loaded the widget (or the click on the loader's launcher), the panel is
    // already open at the first run below, and that is the visitor's act.
    let restored_open = open.get_untracked();
    // The panel's contents are drawn the first time it opens: a page whose visitor never
    // opens the chat does not pay for them (the conversation itself runs regardless).
    let opened_once = RwSignal::new(restored_open);
    Effect::new(move |_| {
        if open.get() && !opened_once.get_untracked() {
            opened_once.set(true);
        }
    });
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open {
            unread.set(0);
            chat.mark_read();
        }
        chat.save("open", if is_open { "1" } else { "" }, false);
        // Opening is the visitor's act (launcher, or the page's button through the API):
        // focus goes into the panel; a panel restored open on load takes no focus.
        if is_open && was_open.map_or(!restored_open, |was| !was) {
            request_animation_frame(move || {
                let Some(Some(panel)) = panel.try_get_untracked() else {
                    return;
                };
                let target = panel
                    .query_selector(".gc-input:not([disabled])")
                    .ok()
                    .flatten()
                    .or_else(|| panel.query_selector(".gc-close").ok().flatten());
                if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            });
        }
        is_open
    });
    let close = move || {
        open.set(false);
        if let Some(el) = button.get_untracked() {
            let _ = el.focus();
        }
    };
    view! {
        <div
            class="gc-embed"
            class:gc-left=side == Side::Left
            data-theme=theme
            lang=chat.locale.tag()
            dir=if chat.locale.is_rtl() { "rtl" } else { "ltr" }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" && open.get_untracked() {
                    ev.prevent_default();
                    close();
                }
            }
        >
            <div class="gc-panel" part="panel" node_ref=panel role="dialog" aria-label=chat.strings.chat_title hidden=move || !open.get()>
                <div class="gc-panel-header" part="header">
                    <h2 class="gc-title">{chat.strings.chat_title}</h2>
                    <button type="button" class="gc-close" part="close" aria-label=chat.strings.close_chat on:click=move |_| close()>
                        "×"
                    </button>
                </div>
                <Show when=move || notifications.can_offer()>
                    <div class="gc-notify-offer" role="group">
                        <p>{chat.strings.notify_offer}</p>
                        <button type="button" class="gc-notify-on" on:click=move |_| notifications.ask()>
                            {chat.strings.notify_turn_on}
                        </button>
                    </div>
                </Show>
                {move || opened_once.get().then(|| view! { <ChatView chat theme /> }.into_any())}
            </div>
            <Toaster chat open />
            <button
                type="button"
                class="gc-launcher"
                part="launcher"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-label=move || chat.strings.launcher_label(open.get(), unread.get())
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <svg class="gc-launcher-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"></path>
                </svg>
                <Show when=move || { unread.get() > 0 }>
                    // The launcher's name says the count; the digits would only repeat it.
                    <span class="gc-badge" part="badge" aria-hidden="true">
                        {move || unread.get().to_string()}
                    </span>
                </Show>
            </button>
        </div>
    }
}
