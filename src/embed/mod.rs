//! The embedded widget: a launcher and panel in a shadow root, mounted by the one-tag
//! loader (`embed/guest-chat.js`), with a small JavaScript API for the host page and
//! the widget's half of Genesys Messenger's (`messenger`).

mod messenger;

use crate::{
    core::{Config, EntryKind, SystemLine},
    protocol::genesys::read_deployment,
    ui::{read_config_and_report, widget_stylesheet, ConfigProblem, Launcher, Toast, Toasts},
    use_guest_chat, UseGuestChatReturn,
};
use leptos::prelude::*;
use std::{cell::Cell, rc::Rc};
use wasm_bindgen::{prelude::*, JsCast};
use web_sys::HtmlElement;

/// What the host page's `GuestChat` object calls once the widget is loaded.
#[wasm_bindgen]
pub struct WidgetHandle {
    open: RwSignal<bool>,
    toasts: Toasts,
    chat: Option<UseGuestChatReturn>,
    host: HtmlElement,
}

#[wasm_bindgen]
impl WidgetHandle {
    pub fn open(&self) {
        self.open.set(true);
    }

    pub fn close(&self) {
        self.open.set(false);
    }

    pub fn toggle(&self) {
        self.open.update(|o| *o = !*o);
    }

    /// Turns the sound and system notification for agents' messages on or off
    /// (`data-notify`); the visitor still allows them from inside the panel.
    pub fn notify(&self, on: bool) {
        if let Some(chat) = &self.chat {
            chat.notify.set(on);
        }
    }

    #[wasm_bindgen(js_name = isOpen)]
    pub fn is_open(&self) -> bool {
        self.open.get_untracked()
    }

    /// The conversation's custom attributes, as a JSON object of strings (the loader
    /// makes them strings); they go with the next message.
    #[wasm_bindgen(js_name = setAttributes)]
    pub fn set_attributes(&self, json: String) {
        let Some(chat) = &self.chat else { return };
        match serde_json::from_str(&json) {
            Ok(attributes) => chat.set_attributes(attributes),
            Err(_) => web_sys::console::warn_1(
                &"guest-chat: custom attributes ignored: not an object of strings".into(),
            ),
        }
    }

    /// Genesys Messenger's command `name` (`Messenger.open`, `MessagingService.sendMessage`
    /// …), with `sendMessage`'s text; an error says why it was refused.
    pub fn command(&self, name: &str, text: &str) -> Result<(), JsError> {
        messenger::run(name, text, self.open, self.chat.as_ref(), &self.host)
            .map_err(|why| JsError::new(&why))
    }

    /// Shows a prompt above the launcher (Messenger's `Toaster.open`); the page hears the
    /// answer as `Toaster.accepted`, `.declined` or `.closed`.
    pub fn toast(
        &self,
        title: String,
        body: String,
        accept: String,
        decline: String,
    ) -> Result<(), JsError> {
        if title.trim().is_empty() && body.trim().is_empty() {
            return Err(JsError::new("options must give a title or a body"));
        }
        self.toasts.show(Toast {
            title,
            body,
            accept,
            decline,
        });
        Ok(())
    }

    /// Signs the visitor in with an authorization code: `{ code (or Messenger's
    /// authCode), redirectUri, codeVerifier?, nonce?, maxAge? }`; with none, at the
    /// provider the tag's `data-auth-*` name. An error says what is missing.
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(&self, options: JsValue) -> Result<(), JsError> {
        let text = |name: &str| {
            js_sys::Reflect::get(&options, &name.into())
                .ok()
                .and_then(|v| v.as_string())
                .filter(|v| !v.is_empty())
        };
        let chat = self
            .chat
            .as_ref()
            .ok_or("the widget is not configured")
            .map_err(JsError::new)?;
        // Without a code the widget signs in at the provider the tag names.
        if options.is_undefined() || options.is_null() {
            return chat.sign_in_at_provider().map_err(JsError::new);
        }
        let (Some(code), Some(redirect_uri)) = (
            text("code").or_else(|| text("authCode")),
            text("redirectUri"),
        ) else {
            return Err(JsError::new(
                "signIn needs { code, redirectUri } (and codeVerifier where PKCE was used)",
            ));
        };
        let max_age = js_sys::Reflect::get(&options, &"maxAge".into())
            .ok()
            .and_then(|v| v.as_f64())
            .map(|v| v as u32);
        chat.sign_in(crate::core::auth::AuthCode {
            code,
            redirect_uri,
            code_verifier: text("codeVerifier"),
            nonce: text("nonce"),
            max_age,
        });
        Ok(())
    }

    /// Signs the visitor out: the tokens are revoked and nothing of the signed-in
    /// conversation stays in this browser.
    #[wasm_bindgen(js_name = signOut)]
    pub fn sign_out(&self) {
        if let Some(chat) = &self.chat {
            chat.sign_out();
        }
    }

    /// Sends `text` as the visitor, as if typed in the composer.
    pub fn send(&self, text: String) {
        match &self.chat {
            Some(chat) => chat.send(text),
            None => web_sys::console::warn_1(
                &"guest-chat: send() ignored: the widget is not configured".into(),
            ),
        }
    }
}

/// Dispatches `guest-chat:{name}` on the host element with a plain-object detail.
pub(crate) fn emit(host: &HtmlElement, name: &str, detail: &[(&str, &str)]) {
    let object = js_sys::Object::new();
    for (key, value) in detail {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&object);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("guest-chat:{name}"), &init)
    {
        let _ = host.dispatch_event(&event);
    }
}

/// Turns the chat's signals into the host page's `message`, `status` and `error` events.
fn forward_events(host: HtmlElement, chat: UseGuestChatReturn) {
    let host_for_status = host.clone();
    Effect::new(move |_| {
        chat.connection.with(|c| {
            emit(
                &host_for_status,
                "status",
                &[
                    ("status", c.phase().as_str()),
                    ("text", &chat.strings.status_line(c)),
                ],
            );
        });
    });
    Effect::new(move |_| {
        chat.news.with(|news| {
            for entry in &news.entries {
                match entry.kind {
                    EntryKind::Agent => emit(
                        &host,
                        "message",
                        &[("from", "agent"), ("text", &entry.text)],
                    ),
                    EntryKind::Guest => emit(
                        &host,
                        "message",
                        &[("from", "guest"), ("text", &entry.text)],
                    ),
                    EntryKind::Error => emit(&host, "error", &[("reason", &entry.text)]),
                    EntryKind::System => {
                        if let Some((state, reason)) = entry.system.and_then(sign_in_event) {
                            let text = chat.strings.entry_text(entry);
                            emit(
                                &host,
                                "auth",
                                &[("state", state), ("reason", reason), ("text", &text)],
                            );
                        }
                    }
                }
            }
        });
    });
}

/// The state a sign-in line tells the page (`auth` events), and its reason: never a
/// token.
pub(crate) fn sign_in_event(line: SystemLine) -> Option<(&'static str, &'static str)> {
    use crate::core::auth::AuthFailure;
    Some(match line {
        SystemLine::SignedIn => ("signed-in", ""),
        SystemLine::SignedOut => ("signed-out", ""),
        SystemLine::SignInFailed { why } => (
            "error",
            match why {
                AuthFailure::CodeRefused => "code-refused",
                AuthFailure::Expired => "expired",
                AuthFailure::Unavailable => "unavailable",
                AuthFailure::WindowBlocked => "window-blocked",
            },
        ),
        _ => return None,
    })
}

/// The deployment's `config.json`, as the loader read it, where the tag left a setting
/// open; the deployment's colour on the host, where the launcher drawn by the loader
/// also reads it.
fn apply_deployment(config: &mut Config, host: &HtmlElement, deployment: Option<String>) {
    // The loader gives "" when the file could not be fetched, and nothing when the tag
    // names no deployment or only its region.
    let problem = match deployment
        .as_deref()
        .map(|text| (text, read_deployment(text)))
    {
        None => None,
        Some(("", _)) => Some("could not be fetched (see the network panel)".to_string()),
        Some((_, Err(why))) => Some(format!("is not a configuration ({why})")),
        Some((_, Ok(deployment))) => {
            config.apply_deployment(deployment);
            None
        }
    };
    if let Some(problem) = problem {
        web_sys::console::warn_1(
            &format!(
                "guest-chat: the deployment's config.json {problem}; the widget's defaults apply"
            )
            .into(),
        );
    }
    if let Some(accent) = config.accent {
        let style = host.style();
        let _ = style.set_property("--gc-deployment-accent", &accent.css());
        let _ = style.set_property("--gc-deployment-accent-text", accent.text_on());
    }
}

/// Mounts the launcher and panel into a shadow root of `host`, configured by the host's
/// `data-` attributes over the `deployment`'s `config.json` (its text, when the loader
/// read one), and dispatches `guest-chat:ready` on it.
#[wasm_bindgen(js_name = mountWidget)]
pub fn mount_widget(
    host: HtmlElement,
    deployment: Option<String>,
) -> Result<WidgetHandle, JsValue> {
    let shadow = match host.shadow_root() {
        Some(existing) => existing,
        None => host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))?,
    };
    let sheet = widget_stylesheet()?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let root: HtmlElement = document.create_element("div")?.unchecked_into();
    root.set_class_name("gc-root");
    shadow.append_child(&root)?;

    let config = read_config_and_report(&host).map(|mut config| {
        apply_deployment(&mut config, &host, deployment);
        config
    });
    let open = RwSignal::new(false);
    let toasts = Toasts::new();
    let chat_slot: Rc<Cell<Option<UseGuestChatReturn>>> = Rc::new(Cell::new(None));
    let slot = chat_slot.clone();
    let events_host = host.clone();
    leptos::mount::mount_to(root, move || match config {
        Ok(config) => {
            let (side, theme) = (config.side, config.theme.as_str());
            provide_context(toasts);
            let chat = use_guest_chat(config);
            slot.set(Some(chat));
            open.set(chat.saved("open", false) == "1");
            forward_events(events_host.clone(), chat);
            messenger::forward(events_host.clone(), chat, open, toasts);
            // The page hears the panel open and close, by whatever means.
            let initially = open.get_untracked();
            Effect::new(move |was: Option<bool>| {
                let now = open.get();
                if was.unwrap_or(initially) != now {
                    emit(&events_host, if now { "opened" } else { "closed" }, &[]);
                }
                now
            });
            view! { <Launcher chat open side theme /> }.into_any()
        }
        Err(err) => view! { <ConfigProblem err /> }.into_any(),
    })
    .forget();
    emit(&host, "ready", &[]);
    Ok(WidgetHandle {
        open,
        toasts,
        chat: chat_slot.get(),
        host,
    })
}
