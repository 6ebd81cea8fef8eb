//! Where the conversation is kept across reloads.

use crate::core::Persistence;

/// `localStorage` or `sessionStorage`; absent (private mode, disabled) means nothing is kept.
pub struct Store(web_sys::Storage);

impl Store {
    pub fn open(persistence: Persistence) -> Option<Store> {
        let window = web_sys::window()?;
        let storage = match persistence {
            Persistence::Local => window.local_storage(),
            Persistence::Session => window.session_storage(),
            Persistence::None => return None,
        };
        storage.ok().flatten().map(Store)
    }

    pub fn read(&self, key: &str) -> Option<String> {
        self.0.get_item(key).ok().flatten()
    }

    /// Every key starting with `prefix`, with its value, in the keys' order.
    pub fn entries_with_prefix(&self, prefix: &str) -> Vec<(String, String)> {
        // A B-tree orders them without pulling a sort into the widget.
        let mut found = std::collections::BTreeMap::new();
        for i in 0..self.0.length().unwrap_or(0) {
            let Some(key) = self.0.key(i).ok().flatten() else {
                continue;
            };
            if key.starts_with(prefix) {
                if let Some(value) = self.read(&key) {
                    found.insert(key, value);
                }
            }
        }
        found.into_iter().collect()
    }

    /// Keeps `value` under `key`; an empty value forgets the key.
    pub fn write(&self, key: &str, value: &str) {
        let result = if value.is_empty() {
            self.0.remove_item(key)
        } else {
            self.0.set_item(key, value)
        };
        if result.is_err() {
            web_sys::console::warn_1(
                &"guest-chat: the browser refused to store the conversation (storage full?)".into(),
            );
        }
    }
}
