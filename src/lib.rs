//! guest-chat: a customer-chat widget for contact-center guest APIs.
//!
//! Layers, each depending only on those before it (docs/architecture.md):
//! [`core`] the conversation as a pure state machine; [`protocol`] one adapter per wire
//! format; [`i18n`] the words; [`runtime`] the browser resources; then the Leptos
//! components and the embed, which exist only on wasm32.

pub mod core;
pub mod i18n;
pub mod protocol;
pub mod runtime;

#[cfg(target_arch = "wasm32")]
mod embed;
#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
pub use embed::{mount_widget, WidgetHandle};
#[cfg(target_arch = "wasm32")]
pub use runtime::{use_guest_chat, UseGuestChatReturn};
#[cfg(target_arch = "wasm32")]
pub use ui::{mount_from_document, mount_to, read_config, GuestChat, MOUNT_ID};
