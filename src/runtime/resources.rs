//! The browser resources of one chat.

use super::{
    sign_in_window::SignInWindow,
    socket::Socket,
    tabs::TabLink,
    timers::{Interval, Timeout},
    upload::FileUpload,
    window::PageListeners,
};

/// The browser resources of one chat; each releases itself when replaced or dropped.
#[derive(Default)]
pub(super) struct Resources {
    pub(super) socket: Option<Socket>,
    pub(super) reconnect: Option<Timeout>,
    pub(super) session_retry: Option<Timeout>,
    pub(super) heartbeat: Option<Interval>,
    pub(super) typing_end: Option<Timeout>,
    pub(super) flush: Option<Timeout>,
    pub(super) persist: Option<Timeout>,
    pub(super) page: Option<PageListeners>,
    pub(super) tabs: Option<TabLink>,
    pub(super) upload: Option<FileUpload>,
    /// The sign-in's next refresh.
    pub(super) auth_refresh: Option<Timeout>,
    /// The provider's authorize page, while the visitor signs in there.
    pub(super) sign_in_window: Option<SignInWindow>,
}

impl Resources {
    /// Lets go of the connection and every timer of the conversation; the page's
    /// listeners and the link to other tabs stay.
    pub(super) fn release_conversation(&mut self) {
        let page = self.page.take();
        let tabs = self.tabs.take();
        let auth_refresh = self.auth_refresh.take();
        let sign_in_window = self.sign_in_window.take();
        *self = Resources {
            page,
            tabs,
            auth_refresh,
            sign_in_window,
            ..Resources::default()
        };
    }
}
