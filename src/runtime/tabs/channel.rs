//! The lock or lease that elects the leading tab, and the channel tabs talk on.

use crate::core::{Entry, MirroredView, Snapshot};
use crate::runtime::timers::Interval;
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::{prelude::*, JsCast};

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks.request(name, options, granted)`; throws where there are no locks.
    #[wasm_bindgen(js_namespace = ["navigator", "locks"], js_name = request, catch)]
    fn request_lock(
        name: &str,
        options: &JsValue,
        granted: &js_sys::Function,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// What tabs of one conversation tell each other.
#[derive(Debug, Clone)]
pub enum TabMessage {
    /// The leader's state after a change: entries at their index, the ids that are news.
    Frame {
        view: MirroredView,
        changed: Vec<(usize, Entry)>,
        added: Vec<u64>,
    },
    /// A tab that just started, or came back, asks the leader for everything.
    Hello,
    /// The visitor wrote in a mirroring tab; the text is also in shared storage.
    Send {
        text: String,
        client_id: String,
    },
    Retry,
    RetryMessage {
        id: u64,
    },
    Typing,
    StartNewChat,
    Clear,
    /// The visitor read the conversation in one tab: the others clear their badge.
    Read,
    /// The visitor chose a quick reply, or pressed a card's button, in a mirroring tab.
    Choose {
        entry: u64,
        choice: usize,
        client_id: String,
    },
    Press {
        entry: u64,
        card: usize,
        action: usize,
        client_id: String,
    },
}

/// Numbers separated by spaces.
fn numbers<T: std::fmt::Display>(list: impl Iterator<Item = T>) -> String {
    let mut out = String::new();
    for n in list {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&n.to_string());
    }
    out
}

fn parse_numbers<T: std::str::FromStr>(line: &str) -> Option<Vec<T>> {
    line.split(' ')
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().ok())
        .collect()
}

impl TabMessage {
    /// One letter for the kind, then its content: written by hand, as serde's code for
    /// this enum would cost the widget kilobytes.
    fn encode(&self) -> String {
        match self {
            TabMessage::Frame {
                view,
                changed,
                added,
            } => {
                // The entries travel as a kept conversation does, through the same code.
                let entries = Snapshot {
                    transcript: changed.iter().map(|(_, e)| e.clone()).collect(),
                    ..Snapshot::default()
                };
                format!(
                    "F{}\n{}\n{}\n{}",
                    numbers(changed.iter().map(|(i, _)| i)),
                    numbers(added.iter()),
                    serde_json::to_string(&entries).unwrap_or_default(),
                    view.encode()
                )
            }
            TabMessage::Hello => "H".into(),
            TabMessage::Send { text, client_id } => format!("S{client_id}\n{text}"),
            TabMessage::Retry => "Y".into(),
            TabMessage::RetryMessage { id } => format!("M{id}"),
            TabMessage::Typing => "T".into(),
            TabMessage::StartNewChat => "N".into(),
            TabMessage::Clear => "C".into(),
            TabMessage::Read => "R".into(),
            TabMessage::Choose {
                entry,
                choice,
                client_id,
            } => format!("Q{entry} {choice} {client_id}"),
            TabMessage::Press {
                entry,
                card,
                action,
                client_id,
            } => format!("P{entry} {card} {action} {client_id}"),
        }
    }

    fn decode(text: &str) -> Option<TabMessage> {
        let mut chars = text.chars();
        let kind = chars.next()?;
        let rest = chars.as_str();
        Some(match kind {
            'F' => {
                let (at, rest) = rest.split_once('\n')?;
                let (added, rest) = rest.split_once('\n')?;
                // JSON holds no raw line break: the view, with its free text, comes last.
                let (entries, view) = rest.split_once('\n')?;
                let entries: Snapshot = serde_json::from_str(entries).ok()?;
                let at: Vec<usize> = parse_numbers(at)?;
                let changed: Vec<(usize, Entry)> = at.into_iter().zip(entries.transcript).collect();
                TabMessage::Frame {
                    view: MirroredView::decode(view)?,
                    changed,
                    added: parse_numbers(added)?,
                }
            }
            'H' => TabMessage::Hello,
            'S' => {
                let (client_id, text) = rest.split_once('\n')?;
                TabMessage::Send {
                    text: text.to_string(),
                    client_id: client_id.to_string(),
                }
            }
            'Y' => TabMessage::Retry,
            'M' => TabMessage::RetryMessage {
                id: rest.parse().ok()?,
            },
            'T' => TabMessage::Typing,
            'N' => TabMessage::StartNewChat,
            'C' => TabMessage::Clear,
            'R' => TabMessage::Read,
            'Q' => {
                let mut parts = rest.split(' ');
                TabMessage::Choose {
                    entry: parts.next()?.parse().ok()?,
                    choice: parts.next()?.parse().ok()?,
                    client_id: parts.next()?.to_string(),
                }
            }
            'P' => {
                let mut parts = rest.split(' ');
                TabMessage::Press {
                    entry: parts.next()?.parse().ok()?,
                    card: parts.next()?.parse().ok()?,
                    action: parts.next()?.parse().ok()?,
                    client_id: parts.next()?.to_string(),
                }
            }
            _ => return None,
        })
    }
}

/// What the link reports to its chat.
pub enum TabNews {
    /// This tab now holds the conversation's lock: it leads.
    Leading,
    /// Another tab holds the lock (asked for only if it was free), or took the lease.
    LedElsewhere,
    Message(TabMessage),
}

/// The channel and the lock of one conversation; closed and released when dropped.
pub struct TabLink {
    channel: web_sys::BroadcastChannel,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    /// Resolving it releases the lock this tab holds.
    release: Rc<RefCell<Option<js_sys::Function>>>,
    /// Aborts a lock request still waiting.
    abort: Option<web_sys::AbortController>,
    name: String,
    on_news: Rc<dyn Fn(TabNews)>,
    /// Where the browser has no Web Locks: a lease in `localStorage` instead.
    lease: Option<Lease>,
}

/// How long a lease holds without renewal, and how often it is renewed or looked at.
const LEASE_MS: u64 = 3000;
const LEASE_EVERY_MS: u32 = 1000;

/// Leadership without Web Locks: the leader writes `"{tab} {until}"` under a key every
/// second; a tab that finds it expired writes its own and leads if it still reads its
/// own a second later (when two write at once, the last one wins).
struct Lease {
    _beat: Interval,
    state: Rc<RefCell<LeaseState>>,
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

struct LeaseState {
    key: String,
    tab: String,
    leading: bool,
    claimed: bool,
}

impl LeaseState {
    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    /// The holder and the end of its lease, in whole milliseconds: printing or reading
    /// a float would pull kilobytes of number formatting into the widget.
    fn holder(&self) -> Option<(String, u64)> {
        let value = Self::storage()?.get_item(&self.key).ok().flatten()?;
        let (tab, until) = value.split_once(' ')?;
        Some((tab.to_string(), until.parse().ok()?))
    }

    fn write(&self) {
        if let Some(storage) = Self::storage() {
            let until = now_ms() + LEASE_MS;
            let _ = storage.set_item(&self.key, &format!("{} {until}", self.tab));
        }
    }

    /// One beat: renew, or claim an expired lease, or lead on a claim that held. A
    /// leader that finds another tab's lease (both wrote at once) lets it lead.
    fn beat(&mut self) -> Option<TabNews> {
        let now = now_ms();
        let holder = self.holder();
        let mine = holder.as_ref().is_some_and(|(tab, _)| *tab == self.tab);
        if self.leading {
            if !mine && holder.as_ref().is_some_and(|(_, until)| *until >= now) {
                self.leading = false;
                return Some(TabNews::LedElsewhere);
            }
            self.write();
            return None;
        }
        if self.claimed && mine {
            self.leading = true;
            self.write();
            return Some(TabNews::Leading);
        }
        self.claimed = false;
        if holder.is_none_or(|(_, until)| until < now) {
            self.write();
            self.claimed = true;
        }
        None
    }

    fn give_up(&mut self) {
        let mine = self.holder().is_some_and(|(tab, _)| tab == self.tab);
        if mine {
            if let Some(storage) = Self::storage() {
                let _ = storage.remove_item(&self.key);
            }
        }
        self.leading = false;
        self.claimed = false;
    }
}

impl TabLink {
    /// Joins the conversation `name`: listens to its channel and asks for its lock, only
    /// if it is free when `if_free`. `None` where the browser has no `BroadcastChannel`:
    /// the tab is on its own.
    pub fn join(name: &str, if_free: bool, on_news: impl Fn(TabNews) + 'static) -> Option<TabLink> {
        let channel = web_sys::BroadcastChannel::new(name).ok()?;
        let on_news: Rc<dyn Fn(TabNews)> = Rc::new(on_news);
        let deliver = on_news.clone();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                match TabMessage::decode(&text) {
                    Some(message) => deliver(TabNews::Message(message)),
                    None => web_sys::console::warn_1(
                        &"guest-chat: ignored an unreadable message from another tab".into(),
                    ),
                }
            },
        );
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let mut link = TabLink {
            channel,
            _on_message: on_message,
            release: Rc::new(RefCell::new(None)),
            abort: None,
            name: name.to_string(),
            on_news,
            lease: None,
        };
        link.ask_to_lead(if_free);
        Some(link)
    }

    /// Queues for the lock; [`TabNews::Leading`] comes when it is granted (at once for
    /// the first tab). With `if_free`, [`TabNews::LedElsewhere`] comes instead of waiting.
    /// Without Web Locks the tab leads its own conversation at once.
    pub fn ask_to_lead(&mut self, if_free: bool) {
        let abort = web_sys::AbortController::new().ok();
        let options = js_sys::Object::new();
        if if_free {
            let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
        } else if let Some(abort) = &abort {
            let _ = js_sys::Reflect::set(&options, &"signal".into(), &abort.signal());
        }
        let release = self.release.clone();
        let on_news = Rc::downgrade(&self.on_news);
        // Leaked on purpose: the browser may call it after this link is gone; it then
        // finds no chat and lets the lock go at once.
        let granted =
            Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |lock: JsValue| {
                let Some(on_news) = on_news.upgrade() else {
                    return js_sys::Promise::resolve(&JsValue::UNDEFINED);
                };
                if lock.is_null() {
                    on_news(TabNews::LedElsewhere);
                    return js_sys::Promise::resolve(&JsValue::UNDEFINED);
                }
                let held = js_sys::Promise::new(&mut |resolve, _reject| {
                    *release.borrow_mut() = Some(resolve);
                });
                on_news(TabNews::Leading);
                held
            })
            .into_js_value();
        match request_lock(&self.name, &options, granted.unchecked_ref()) {
            Ok(waiting) => {
                // An aborted request rejects; that is expected, not an error to report.
                let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
                let _ = waiting.catch(&ignore);
                ignore.forget();
                self.abort = abort;
            }
            Err(_) => self.lease_instead(if_free),
        }
    }

    fn lease_instead(&mut self, if_free: bool) {
        if let Some(lease) = &self.lease {
            let mut state = lease.state.borrow_mut();
            state.leading = false;
            state.claimed = false;
            return;
        }
        let state = Rc::new(RefCell::new(LeaseState {
            key: format!("{}|lease", self.name),
            tab: format!("{}", (js_sys::Math::random() * 1e15) as u64),
            leading: false,
            claimed: false,
        }));
        let on_news = Rc::downgrade(&self.on_news);
        let beating = state.clone();
        let beat = move || {
            let news = beating.borrow_mut().beat();
            if let (Some(news), Some(on_news)) = (news, on_news.upgrade()) {
                on_news(news);
            }
        };
        let held_elsewhere = {
            let state = state.borrow();
            state
                .holder()
                .is_some_and(|(tab, until)| tab != state.tab && until >= now_ms())
        };
        // A first tab leads at once rather than a beat later; when two write at the same
        // moment, the one whose lease was overwritten sees it on its next beat.
        let news = match (if_free, held_elsewhere) {
            (true, true) => Some(TabNews::LedElsewhere),
            (true, false) => {
                let mut state = state.borrow_mut();
                state.write();
                state.leading = true;
                Some(TabNews::Leading)
            }
            (false, _) => {
                beat();
                None
            }
        };
        // Told after this link is in place, as the Web Locks answer would be.
        if let Some(news) = news {
            let on_news = Rc::downgrade(&self.on_news);
            leptos::task::spawn_local(async move {
                if let Some(on_news) = on_news.upgrade() {
                    on_news(news);
                }
            });
        }
        self.lease = Some(Lease {
            _beat: Interval::new(LEASE_EVERY_MS, beat),
            state,
        });
    }

    /// Lets the lock go (the page is hidden for good or frozen) and stops waiting for it.
    pub fn step_down(&mut self) {
        if let Some(abort) = self.abort.take() {
            abort.abort();
        }
        if let Some(lease) = self.lease.take() {
            lease.state.borrow_mut().give_up();
        }
        if let Some(resolve) = self.release.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }

    pub fn post(&self, message: &TabMessage) {
        let _ = self
            .channel
            .post_message(&JsValue::from_str(&message.encode()));
    }
}

impl Drop for TabLink {
    fn drop(&mut self) {
        self.step_down();
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
