//! The pure chat core: configuration, the conversation state machine and the words
//! shown to the visitor. No browser APIs here, so all of it runs under `cargo test`.

pub mod chat;
pub mod config;
pub mod text;

pub use chat::{
    ChatCore, Connection, Delivery, Effect, Entry, EntryKind, Event, HttpRequest, RestFailure,
    Routing, Snapshot, StoredSession,
};
pub use config::{Config, ConfigError, Persistence, SessionSource, Side, Theme};
pub use text::{Locale, Strings};
