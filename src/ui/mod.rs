//! Leptos components. They render the signals of [`use_guest_chat`] and forward the
//! visitor's actions; the decisions live in the core.
//!
//! [`use_guest_chat`]: crate::use_guest_chat

mod chat_panel;
mod composer;
mod status_bar;
mod transcript;

pub use chat_panel::GuestChat;

use crate::core::{Config, ConfigError};
use wasm_bindgen::JsCast;

/// Id of the element the page provides for the widget.
pub const MOUNT_ID: &str = "guest-chat";

/// Reads the configuration from an element's `data-` attributes.
pub fn read_config(element: &web_sys::Element) -> Result<Config, ConfigError> {
    Config::from_attributes(|name| element.get_attribute(&format!("data-{name}")))
}

/// Mounts the widget into `element`, configured by its `data-` attributes. The widget
/// lives as long as the page (or until the returned handle is dropped).
pub fn mount_to(
    element: web_sys::HtmlElement,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    let config = read_config(&element);
    match &config {
        Ok(config) => {
            if let Some(warning) = config.warning() {
                web_sys::console::warn_1(&warning.into());
            }
        }
        Err(err) => web_sys::console::error_1(&format!("guest-chat: {err}").into()),
    }
    leptos::mount::mount_to(
        element,
        move || leptos::view! { <GuestChat config=config.clone() /> },
    )
}

/// Entry point of the built widget: mounts into `#guest-chat`.
pub fn mount_from_document() {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(MOUNT_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match element {
        Some(element) => mount_to(element).forget(),
        None => web_sys::console::error_1(
            &format!("guest-chat: no element with id \"{MOUNT_ID}\" on this page; add <div id=\"{MOUNT_ID}\" data-session-url=\"…\"></div>").into(),
        ),
    }
}
