//! The page's title counts the agent messages the visitor has not seen: while the page
//! is hidden or the chat is closed it reads "(2) Shop", and it is restored once they look.

use super::{handle::UseGuestChatReturn, window::page_visible};
use leptos::prelude::*;

/// Keeps the title's count for as long as the calling component lives; `open` is the
/// chat panel's state.
pub fn use_title_badge(chat: UseGuestChatReturn, open: RwSignal<bool>) {
    let hidden = RwSignal::new(!page_visible());
    let listener = window_event_listener(leptos::ev::visibilitychange, move |_| {
        hidden.set(!page_visible())
    });
    // The title shown, and the page's own title under it.
    let badged = StoredValue::new_local(None::<(String, String)>);
    let restore = move || {
        if let Some(Some((shown, base))) = badged.try_update_value(Option::take) {
            // A page that retitled itself meanwhile keeps its new title.
            if document().title() == shown {
                document().set_title(&base);
            }
        }
    };
    on_cleanup(move || {
        listener.remove();
        restore();
    });
    // One effect for every input: the news of a frame (told apart by its batch), the
    // panel, the page's visibility and a read in another tab.
    let mut unseen = 0u32;
    Effect::new(move |last: Option<(u64, u32)>| {
        let (batch, fresh) = chat.news.with(|news| (news.batch, news.from_agents()));
        let read_elsewhere = chat.read_elsewhere.get();
        if (open.get() && !hidden.get()) || last.is_some_and(|l| l.1 != read_elsewhere) {
            unseen = 0;
        } else if last.is_some_and(|l| l.0 != batch) {
            unseen += fresh;
        }
        if unseen == 0 {
            restore();
        } else {
            let current = document().title();
            let base = match badged.get_value() {
                Some((shown, base)) if shown == current => base,
                _ => current,
            };
            let shown = format!("({unseen}) {base}");
            document().set_title(&shown);
            badged.set_value(Some((shown, base)));
        }
        (batch, read_elsewhere)
    });
}
