//! Timers that stop when their handle is dropped, so replacing or forgetting one can
//! never leave a callback behind.

use leptos::prelude::{set_interval_with_handle, set_timeout_with_handle};
use leptos::prelude::{IntervalHandle, TimeoutHandle};
use std::time::Duration;

/// Runs a callback once after a delay, unless dropped first.
pub struct Timeout(Option<TimeoutHandle>);

impl Timeout {
    pub fn new(delay_ms: u32, callback: impl FnOnce() + 'static) -> Self {
        Timeout(set_timeout_with_handle(callback, Duration::from_millis(delay_ms.into())).ok())
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.clear();
        }
    }
}

/// Runs a callback every interval until dropped.
pub struct Interval(Option<IntervalHandle>);

impl Interval {
    pub fn new(every_ms: u32, callback: impl Fn() + 'static) -> Self {
        Interval(set_interval_with_handle(callback, Duration::from_millis(every_ms.into())).ok())
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            handle.clear();
        }
    }
}
