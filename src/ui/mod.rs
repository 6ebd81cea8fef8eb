//! Leptos components. They render the signals of [`use_guest_chat`] and forward the
//! visitor's actions; the decisions live in the core.
//!
//! [`use_guest_chat`]: crate::use_guest_chat

mod chat_panel;
mod composer;
mod launcher;
mod status_bar;
mod toaster;
mod transcript;

pub use chat_panel::{ConfigProblem, GuestChat};
pub use launcher::Launcher;
pub use toaster::{Toast, ToastAnswer, Toasts};

use crate::core::{Config, ConfigError};
use wasm_bindgen::JsCast;

/// Id of the element the page provides for the widget.
pub const MOUNT_ID: &str = "guest-chat";

/// Reads the configuration from an element's `data-` attributes.
pub fn read_config(element: &web_sys::Element) -> Result<Config, ConfigError> {
    Config::from_attributes(|name| element.get_attribute(&format!("data-{name}")))
}

/// Whether focus may be moved to `el` without the visitor asking: inside the embedded
/// widget only when focus is already in it (they opened the panel); on an inline page
/// also when nothing else has focus.
pub(crate) fn focus_is_free_or_ours(el: &web_sys::Element) -> bool {
    let root = el.get_root_node();
    if let Some(shadow) = root.dyn_ref::<web_sys::ShadowRoot>() {
        return shadow.active_element().is_some();
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    match document.active_element() {
        None => true,
        Some(active) => document.body().is_some_and(|body| *body == active),
    }
}

/// The widget's stylesheet, compiled into the wasm: adopted by the embedded widget's
/// shadow root and, for the inline widget, by the document. No `<style>` or `<link>` is
/// needed in the page, a strict CSP (no `unsafe-inline`) is satisfied, and the page
/// loads no second copy of it.
const WIDGET_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

thread_local! {
    /// One sheet for every widget of the page: an adopted sheet can be shared.
    static STYLESHEET: std::cell::OnceCell<web_sys::CssStyleSheet> = const { std::cell::OnceCell::new() };
}

pub(crate) fn widget_stylesheet() -> Result<web_sys::CssStyleSheet, wasm_bindgen::JsValue> {
    STYLESHEET.with(|cell| {
        if let Some(sheet) = cell.get() {
            return Ok(sheet.clone());
        }
        let sheet = web_sys::CssStyleSheet::new()?;
        sheet.replace_sync(WIDGET_CSS)?;
        let _ = cell.set(sheet.clone());
        Ok(sheet)
    })
}

/// Adds the widget's stylesheet to the document's adopted sheets, once. Adopted sheets
/// come after the page's own in the cascade, so the page themes the widget through
/// its custom properties, as it does the embedded one.
fn adopt_stylesheet(document: &web_sys::Document) {
    let Ok(sheet) = widget_stylesheet() else {
        return;
    };
    let adopted = document.adopted_style_sheets();
    if !adopted.includes(&sheet, 0) {
        adopted.push(&sheet);
        document.set_adopted_style_sheets(&adopted);
    }
}

/// Mounts the widget into `element`, configured by its `data-` attributes, and gives
/// the document the widget's stylesheet. The widget lives as long as the page (or
/// until the returned handle is dropped).
pub fn mount_to(
    element: web_sys::HtmlElement,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    let document = element.owner_document();
    let config = read_config_and_report(&element);
    // The session request leaves during the mount; the sheet is read after it, still
    // before the first paint.
    let handle = leptos::mount::mount_to(element, move || leptos::view! { <GuestChat config /> });
    if let Some(document) = document {
        adopt_stylesheet(&document);
    }
    handle
}

/// [`read_config`], with a configuration error or a development-only warning also
/// written to the console for the site owner.
pub(crate) fn read_config_and_report(element: &web_sys::Element) -> Result<Config, ConfigError> {
    let config = read_config(element);
    match &config {
        Ok(config) => {
            if let Some(warning) = config.warning() {
                web_sys::console::warn_1(&warning.into());
            }
        }
        Err(err) => web_sys::console::error_1(&format!("guest-chat: {err}").into()),
    }
    config
}

/// Entry point of the built widget: mounts inline into `#guest-chat` when the page has
/// one. Pages that embed the launcher use the loader, which calls `mountWidget`.
pub fn mount_from_document() {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(MOUNT_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        mount_to(element).forget();
    }
}
