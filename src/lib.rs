//! guest-chat: a customer-chat widget for the Guest API.
//!
//! [`core`] is the conversation logic and compiles everywhere; the transport and the
//! Leptos components exist only on wasm32.

pub mod core;
pub mod i18n;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
mod embed;
#[cfg(target_arch = "wasm32")]
mod transport;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use embed::{mount_widget, WidgetHandle};
#[cfg(target_arch = "wasm32")]
pub use transport::{use_guest_chat, UseGuestChatReturn};
#[cfg(target_arch = "wasm32")]
pub use ui::{mount_from_document, mount_to, read_config, GuestChat, MOUNT_ID};
