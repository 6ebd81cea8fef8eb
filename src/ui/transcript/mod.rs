use crate::{
    core::{
        markdown::{self, Kind, Node},
        CardAction, Delivery, Entry, EntryKind, Offer,
    },
    i18n::{Locale, Strings},
    runtime::{chunks::CHUNK, TranscriptChunk},
    UseGuestChatReturn,
};
use leptos::{either::Either, html, prelude::*};
use std::{cell::RefCell, sync::Arc};

/// Distance from the bottom, in pixels, within which the visitor counts as reading the newest message.
const PINNED_SLACK_PX: i32 = 48;

fn delivery_label(strings: &'static Strings, delivery: Delivery) -> (&'static str, &'static str) {
    match delivery {
        Delivery::Sending => ("sending", strings.sending),
        Delivery::Sent => ("sent", strings.sent),
        Delivery::Delivered => ("delivered", strings.delivered),
        Delivery::Failed => ("failed", strings.not_delivered),
    }
}

/// What a formatter writes: a message's time, its full date and time, a day.
#[derive(Clone, Copy, PartialEq)]
enum Written {
    Time,
    Full,
    Day,
    DayOfAnotherYear,
}

thread_local! {
    /// One `Intl.DateTimeFormat` per language and kind: the browser formats times and
    /// dates, so no locale data ships in the widget.
    static TIME_FORMATS: RefCell<Vec<(Locale, Written, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
}

const DAY_MS: f64 = 86_400_000.0;

/// The visitor's calendar day of `at_ms`, counted from the epoch in their time zone.
fn local_day(at_ms: f64) -> i64 {
    let offset_minutes = js_sys::Date::new(&at_ms.into()).get_timezone_offset();
    ((at_ms - offset_minutes * 60_000.0) / DAY_MS).floor() as i64
}

/// "Today", "Yesterday" (the browser's words, `Intl.RelativeTimeFormat`), or the date.
fn day_label(locale: Locale, at_ms: f64) -> String {
    let now = js_sys::Date::now();
    let behind = local_day(now) - local_day(at_ms);
    if behind == 0 || behind == 1 {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into());
        let words = js_sys::Intl::RelativeTimeFormat::new(
            &js_sys::Array::of1(&locale.tag().into()),
            &options,
        )
        .format(-(behind as f64), "day");
        return String::from(words);
    }
    let same_year = js_sys::Date::new(&now.into()).get_full_year()
        == js_sys::Date::new(&at_ms.into()).get_full_year();
    formatted(
        locale,
        if same_year {
            Written::Day
        } else {
            Written::DayOfAnotherYear
        },
        at_ms,
    )
}

thread_local! {
    /// The last minute formatted of each kind: a burst of messages shares it.
    static LAST_MINUTE: RefCell<Vec<(Locale, Written, i64, String)>> = const { RefCell::new(Vec::new()) };
}

/// `at_ms` formatted as `written`, to the minute.
fn per_minute(locale: Locale, written: Written, at_ms: f64) -> String {
    let minute = (at_ms / 60_000.0) as i64;
    LAST_MINUTE.with(|last| {
        let mut last = last.borrow_mut();
        let slot = last
            .iter()
            .position(|(l, w, _, _)| *l == locale && *w == written);
        if let Some(hit) = slot.filter(|&i| last[i].2 == minute) {
            return last[hit].3.clone();
        }
        let shown = formatted(locale, written, at_ms);
        match slot {
            Some(i) => last[i] = (locale, written, minute, shown.clone()),
            None => last.push((locale, written, minute, shown.clone())),
        }
        shown
    })
}

fn format_full(locale: Locale, at_ms: f64) -> String {
    per_minute(locale, Written::Full, at_ms)
}

fn format_time(locale: Locale, at_ms: f64) -> String {
    if at_ms <= 0.0 {
        return String::new();
    }
    per_minute(locale, Written::Time, at_ms)
}

fn formatted(locale: Locale, written: Written, at_ms: f64) -> String {
    TIME_FORMATS.with(|formats| {
        let mut formats = formats.borrow_mut();
        let format = match formats
            .iter()
            .find(|(l, w, _)| *l == locale && *w == written)
        {
            Some((_, _, format)) => format.clone(),
            None => {
                let options = js_sys::Object::new();
                let fields: &[(&str, &str)] = match written {
                    Written::Time => &[("hour", "numeric"), ("minute", "2-digit")],
                    Written::Full => &[("dateStyle", "full"), ("timeStyle", "short")],
                    Written::Day => &[("weekday", "long"), ("day", "numeric"), ("month", "long")],
                    Written::DayOfAnotherYear => {
                        &[("day", "numeric"), ("month", "long"), ("year", "numeric")]
                    }
                };
                for (key, value) in fields {
                    let _ = js_sys::Reflect::set(&options, &(*key).into(), &(*value).into());
                }
                let format = js_sys::Intl::DateTimeFormat::new(
                    &js_sys::Array::of1(&locale.tag().into()),
                    &options,
                )
                .format();
                formats.push((locale, written, format.clone()));
                format
            }
        };
        format
            .call1(
                &wasm_bindgen::JsValue::NULL,
                &js_sys::Date::new(&at_ms.into()),
            )
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    })
}

#[component]
fn Message(entry: Entry, chat: UseGuestChatReturn) -> impl IntoView {
    let strings = chat.strings;
    let class = match entry.kind {
        EntryKind::Guest => "gc-msg gc-guest",
        EntryKind::Agent => "gc-msg gc-agent",
        EntryKind::System => "gc-msg gc-system",
        EntryKind::Error => "gc-msg gc-error",
    };
    // Who said it, when, and whether it arrived: one small line under the bubble, an
    // attribute the stylesheet shows (and screen readers read), so a long transcript
    // costs two elements a message, not five.
    let sender = match entry.kind {
        EntryKind::Guest => Some(strings.you),
        EntryKind::Agent => Some(entry.agent_name.as_deref().unwrap_or(strings.agent)),
        _ => None,
    };
    let delivery = entry.delivery.map(|d| delivery_label(strings, d));
    let time = matches!(entry.kind, EntryKind::Guest | EntryKind::Agent)
        .then(|| format_time(chat.locale, entry.at_ms))
        .filter(|t| !t.is_empty());
    let meta = [sender, time.as_deref(), delivery.map(|(_, label)| label)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let text = strings.entry_text(&entry);
    // The full date and time, as a tooltip and for screen readers.
    let title = time
        .is_some()
        .then(|| format_full(chat.locale, entry.at_ms));
    let data_delivery = delivery.map(|d| d.0);
    let data_meta = (!meta.is_empty()).then_some(meta);
    // Text is always inserted as a text node: agent text can never become markup. A
    // plain message has no optional parts, so none leaves a placeholder node behind.
    let failed = entry.delivery == Some(Delivery::Failed);
    let id = entry.id;
    let retry = move || {
        view! {
            <button type="button" class="gc-retry-message" on:click=move |_| chat.retry_message(id)>
                {strings.retry_message}
            </button>
        }
    };
    // Only agents' and bots' text is Markdown; the visitor's stays as they typed it.
    let formatted = (entry.kind == EntryKind::Agent && chat.markdown && !markdown::is_plain(&text))
        .then(|| markdown::parse(&text));
    match (entry.offer.clone(), failed, formatted) {
        (None, false, None) => Either::Left(view! {
            <div class=class data-delivery=data_delivery data-meta=data_meta title=title>
                <span class="gc-text">{text}</span>
            </div>
        }),
        (offer, failed, formatted) => Either::Right(view! {
            <div class=class data-delivery=data_delivery data-meta=data_meta title=title>
                {match formatted {
                    Some(nodes) => Either::Left(view! { <div class="gc-text gc-md">{drawn(nodes)}</div> }),
                    None => Either::Right(view! { <span class="gc-text">{text}</span> }),
                }}
                {offer.map(|offer| view! { <Offered entry=id offer answered=entry.answered chat /> })}
                {failed.then(retry)}
            </div>
        }),
    }
}

/// A formatted message's elements, made one by one: every piece of its text is a text
/// node, and a link's address was checked when it was read. One element type for every
/// tag keeps the view's code to one copy.
fn drawn(nodes: Vec<Node>) -> Vec<AnyView> {
    nodes
        .into_iter()
        .map(|node| {
            let tag = match node.kind {
                Kind::Text(text) => return text.into_any(),
                Kind::Code(code) => return html::custom("code").child(code).into_any(),
                Kind::Break => "br",
                Kind::Paragraph => "p",
                Kind::CodeBlock => "pre",
                Kind::List(None) => "ul",
                Kind::List(Some(_)) => "ol",
                Kind::Item => "li",
                Kind::Strong => "strong",
                Kind::Emphasis => "em",
                Kind::Strike => "s",
                Kind::Link(ref href) => {
                    return html::custom("a")
                        .attr("href", href.clone())
                        .attr("target", "_blank")
                        .attr("rel", "noopener noreferrer")
                        .child(drawn(node.children))
                        .into_any()
                }
            };
            let start = match node.kind {
                Kind::List(Some(start)) if start != 1 => Some(start.to_string()),
                _ => None,
            };
            html::custom(tag)
                .attr("start", start)
                .child(drawn(node.children))
                .into_any()
        })
        .collect()
}

/// A file's size in whole units (no float formatting in the widget): 512 B, 12 KB, 3.4 MB.
pub(crate) fn file_size(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    if bytes < KB {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        let tenths = (bytes * 10).div_ceil(MB);
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

/// What a message offers: quick replies while they are current, or cards side by side.
/// Every label is text; links and images were checked when the message was read.
#[component]
fn Offered(
    entry: u64,
    offer: Arc<Offer>,
    answered: bool,
    chat: UseGuestChatReturn,
) -> impl IntoView {
    let strings = chat.strings;
    match &*offer {
        Offer::QuickReplies(_) if answered => ().into_any(),
        Offer::QuickReplies(replies) => view! {
            <div class="gc-replies" role="group" aria-label=strings.quick_replies>
                {replies
                    .iter()
                    .enumerate()
                    .map(|(choice, reply)| {
                        view! {
                            <button type="button" class="gc-reply" on:click=move |_| chat.choose_reply(entry, choice)>
                                {reply.text.clone()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        // Images open full size on activation; their box is reserved before they load.
        Offer::Files(files) => view! {
            <div class="gc-files">
                {files
                    .iter()
                    .enumerate()
                    .map(|(index, file)| {
                        // Download addresses expire: the click asks for a fresh one first.
                        let open = move |ev: leptos::ev::MouseEvent| {
                            ev.prevent_default();
                            chat.open_file(entry, index);
                        };
                        if file.image {
                            view! {
                                <a class="gc-file gc-image" href=file.url.clone() target="_blank" rel="noopener noreferrer" on:click=open>
                                    <img src=file.url.clone() alt=file.name.clone() loading="lazy" width="240" height="180" />
                                </a>
                            }
                            .into_any()
                        } else {
                            let size = file.size.map(file_size).unwrap_or_default();
                            view! {
                                <a class="gc-file" href=file.url.clone() target="_blank" rel="noopener noreferrer" download=file.name.clone() on:click=open>
                                    <span class="gc-file-name">{file.name.clone()}</span>
                                    <span class="gc-file-size">{size}</span>
                                </a>
                            }
                            .into_any()
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        // A carousel scrolls sideways; the keyboard reaches every card's buttons with Tab,
        // and the strip itself scrolls with the arrow keys once focused.
        Offer::Cards(cards) => view! {
            <div class="gc-cards" role="group" aria-label=strings.cards tabindex=(cards.len() > 1).then_some("0")>
                {cards
                    .iter()
                    .enumerate()
                    .map(|(index, card)| {
                        view! {
                            <div class="gc-card">
                                {card.image.clone().map(|src| view! { <img class="gc-card-image" src=src alt="" loading="lazy" width="240" height="135" /> })}
                                <p class="gc-card-title">{card.title.clone()}</p>
                                {card.description.clone().map(|d| view! { <p class="gc-card-text">{d}</p> })}
                                <div class="gc-card-actions">
                                    {card
                                        .actions
                                        .iter()
                                        .enumerate()
                                        .map(|(action, pressed)| match pressed {
                                            CardAction::Postback { text, .. } => view! {
                                                <button type="button" class="gc-card-button" on:click=move |_| chat.press_card_button(entry, index, action)>
                                                    {text.clone()}
                                                </button>
                                            }
                                            .into_any(),
                                            CardAction::Link { text, url } => view! {
                                                <a class="gc-card-link" href=url.clone() target="_blank" rel="noopener noreferrer">
                                                    {text.clone()}
                                                </a>
                                            }
                                            .into_any(),
                                        })
                                        .collect_view()}
                                </div>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
    }
}

/// Whether an entry counts for the days: the widget's own lines carry no server time,
/// so they neither begin a day nor end one.
fn dated(entry: &Entry) -> bool {
    entry.at_ms > 0.0 && matches!(entry.kind, EntryKind::Guest | EntryKind::Agent)
}

/// The chunk's entries, each with the label of the day it begins when it is the first
/// message of its day (in the visitor's time zone).
fn with_days(chunk: TranscriptChunk, chat: UseGuestChatReturn) -> Vec<(Entry, Option<String>)> {
    // The entry before the chunk's first, in the chunk before.
    let mut day = chat.chunks.with_untracked(|chunks| {
        chunks
            .iter()
            .find(|c| c.first + CHUNK == chunk.first)
            .and_then(|before| {
                before.entries.with_untracked(|e| {
                    e.iter()
                        .rev()
                        .find(|e| e.at_ms > 0.0)
                        .map(|e| local_day(e.at_ms))
                })
            })
    });
    chunk.entries.with(|entries| {
        entries
            .iter()
            .map(|entry| {
                let mut label = None;
                if dated(entry) {
                    let this = local_day(entry.at_ms);
                    if day != Some(this) {
                        label = Some(day_label(chat.locale, entry.at_ms));
                    }
                    day = Some(this);
                }
                (entry.clone(), label)
            })
            .collect()
    })
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
        chat.news.track();
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
    let strings = chat.strings;
    // The log itself is silent: the announcer says what is new, once (see ChatView).
    view! {
        <div class="gc-transcript-wrap">
            <div
                class="gc-transcript"
                part="transcript"
                role="log"
                aria-live="off"
                aria-label=strings.chat_label
                tabindex="0"
                node_ref=log
                on:scroll=on_scroll
            >
                <For
                    each=move || chat.chunks.get()
                    key=|chunk| chunk.first as u64
                    children=move |chunk| {
                        // A chunk off screen is neither laid out nor painted
                        // (content-visibility), yet stays in the page's text for
                        // find-in-page and in the accessibility tree.
                        view! {
                            <div class="gc-chunk">
                                <For
                                    each=move || with_days(chunk, chat)
                                    key=|(entry, day)| (entry.view_key(), day.is_some())
                                    children=move |(entry, day)| match day {
                                        Some(day) => Either::Left(view! {
                                            <div class="gc-day">{day}</div>
                                            <Message entry chat />
                                        }),
                                        None => Either::Right(view! { <Message entry chat /> }),
                                    }
                                />
                            </div>
                        }
                    }
                />
                <Show when=move || chat.agent_typing.get()>
                    <div class="gc-typing">{strings.agent_typing}</div>
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
                    {strings.new_messages}
                </button>
            </Show>
        </div>
    }
}
