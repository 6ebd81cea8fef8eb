use crate::{
    core::{text, Delivery, Entry, EntryKind},
    UseGuestChatReturn,
};
use leptos::{html, prelude::*};

/// Distance from the bottom, in pixels, within which the visitor counts as reading the newest message.
const PINNED_SLACK_PX: i32 = 48;

fn delivery_label(delivery: Delivery) -> (&'static str, &'static str) {
    match delivery {
        Delivery::Sending => ("sending", "Sending…"),
        Delivery::Sent => ("sent", "Sent"),
        Delivery::Delivered => ("delivered", "Delivered"),
        Delivery::Failed => ("failed", "Not delivered"),
    }
}

#[component]
fn Message(entry: Entry, chat: UseGuestChatReturn) -> impl IntoView {
    let class = match entry.kind {
        EntryKind::Guest => "gc-msg gc-guest",
        EntryKind::Agent => "gc-msg gc-agent",
        EntryKind::System => "gc-msg gc-system",
        EntryKind::Error => "gc-msg gc-error",
    };
    let delivery = entry.delivery.map(delivery_label);
    // Text is always inserted as a text node: agent text can never become markup.
    view! {
        <div class=class data-delivery=delivery.map(|d| d.0)>
            <span class="gc-text">{entry.text.to_string()}</span>
                        {delivery.map(|(_, label)| view! { <span class="gc-delivery">{label}</span> })}
            {(entry.delivery == Some(Delivery::Failed)).then(|| {
                let id = entry.id;
                view! {
                    <button type="button" class="gc-retry-message" on:click=move |_| chat.retry_message(id)>
                        {text::RETRY_MESSAGE}
                    </button>
                }
            })}
        </div>
    }
}

/// The conversation, kept scrolled to the newest message unless the visitor scrolled up.
#[component]
pub fn Transcript(chat: UseGuestChatReturn) -> impl IntoView {
    let log = NodeRef::<html::Div>::new();
    let pinned = RwSignal::new(true);
    let unseen = RwSignal::new(false);
    // Runs from animation frames, which may fire after the widget was unmounted.
    let scroll_to_end = move || {
        if let Some(Some(el)) = log.try_get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    Effect::new(move |_| {
        chat.transcript.track();
        chat.agent_typing.track();
        if pinned.try_get_untracked().unwrap_or(false) {
            request_animation_frame(scroll_to_end);
        } else {
            unseen.try_set(true);
        }
    });
    // Content that grows between a programmatic scroll and its (asynchronous) scroll
    // event must not count as the visitor scrolling away: only a move upwards unpins.
    let last_top = StoredValue::new(0);
    let on_scroll = move |_| {
        if let Some(el) = log.get_untracked() {
            let top = el.scroll_top();
            let moved_up = top < last_top.get_value();
            last_top.set_value(top);
            let at_end = el.scroll_height() - top - el.client_height() <= PINNED_SLACK_PX;
            if at_end {
                pinned.set(true);
                unseen.set(false);
            } else if moved_up {
                pinned.set(false);
            }
        }
    };
    view! {
        <div class="gc-transcript-wrap">
            <div class="gc-transcript" role="log" aria-live="polite" node_ref=log on:scroll=on_scroll>
                <For
                    each=move || chat.transcript.get()
                    key=|entry| (entry.id, entry.delivery)
                    children=move |entry| view! { <Message entry chat /> }
                />
                <Show when=move || chat.agent_typing.get()>
                    <div class="gc-typing">{text::AGENT_TYPING}</div>
                </Show>
            </div>
            <Show when=move || unseen.get()>
                <button
                    type="button"
                    class="gc-new-messages"
                    on:click=move |_| {
                        pinned.set(true);
                        unseen.set(false);
                        scroll_to_end();
                    }
                >
                    {text::NEW_MESSAGES}
                </button>
            </Show>
        </div>
    }
}
