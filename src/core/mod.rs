//! The pure chat core: configuration and the conversation state machine. No browser
//! APIs, no wire format and no words here, so all of it runs under `cargo test`.

pub mod auth;
pub mod chat;
pub mod config;
pub mod deployment;
pub mod lean;
pub mod markdown;

pub use chat::{
    safe_url, Answer, Card, CardAction, ChatCore, Choice, CloseKind, CloseWhy, Connection,
    Delivery, Effect, Entry, EntryKind, Event, FileLink, HistoryItem, HistoryPage, Incoming,
    MirroredView, NewSession, Offer, Outgoing, PendingFile, Phase, RestFailure, Routing, Session,
    SessionConfigured, SharedChanges, Snapshot, SystemLine, Unreadable, UploadProblem, UploadRules,
    UploadStage,
};
pub use config::{Config, ConfigError, Persistence, SessionSource, Side, Theme};
pub use deployment::{Colour, Deployment, FeatureChoices, Features, LauncherVisibility};
