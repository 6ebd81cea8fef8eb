//! One conversation per browser: the tabs of a conversation elect a leader with the Web
//! Locks API, and only the leader connects. The others mirror it and hand it what the
//! visitor does in them, over a `BroadcastChannel` named after the conversation.
//!
//! `mirror_line` writes the leader's view as a line of text (it runs natively, and is
//! tested there); `channel` is the lock, the lease and the channel.

mod mirror_line;

#[cfg(target_arch = "wasm32")]
mod channel;
#[cfg(target_arch = "wasm32")]
pub use channel::{TabLink, TabMessage, TabNews};
