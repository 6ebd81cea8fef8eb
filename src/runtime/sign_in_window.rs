//! The window of the sign-in the widget runs itself ([`super::sign_in`]).

use super::timers::Interval;

/// An open sign-in window; dropping it closes the window and stops watching it.
pub(super) struct SignInWindow {
    pub(super) window: web_sys::Window,
    pub(super) _watch: Interval,
}

impl Drop for SignInWindow {
    fn drop(&mut self) {
        let _ = self.window.close();
    }
}
