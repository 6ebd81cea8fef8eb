//! One WebSocket connection, through gloo-net. Its events reach a callback until it
//! is closed or dropped; a connection the chat has let go never reports anything again.

use futures::{future::poll_fn, FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, State, WebSocketError};
use std::{cell::RefCell, rc::Rc, task::Poll};

/// What the connection reports.
#[derive(Debug)]
pub enum SocketEvent {
    Opened,
    Text(String),
    Binary,
    Closed { code: u16, reason: String },
}

pub struct Socket {
    /// Shared with the task that reads it; `None` once the chat let it go.
    ws: Rc<RefCell<Option<WebSocket>>>,
}

impl Socket {
    /// Connects to `url`; `Err` when the browser refuses the URL at once.
    pub fn open(url: &str, on_event: impl Fn(SocketEvent) + 'static) -> Result<Socket, String> {
        let ws = WebSocket::open(url).map_err(|err| err.to_string())?;
        let ws = Rc::new(RefCell::new(Some(ws)));
        leptos::task::spawn_local(read(Rc::clone(&ws), on_event));
        Ok(Socket { ws })
    }

    /// Writes a text frame now; `false` when the connection cannot take it.
    pub fn send(&self, text: String) -> bool {
        match self.ws.borrow_mut().as_mut() {
            // Open, the sink accepts at once: nothing is left waiting.
            Some(ws) => matches!(ws.send(Message::Text(text)).now_or_never(), Some(Ok(()))),
            None => false,
        }
    }

    /// Closes the connection with `code`; its close is not reported.
    pub fn close(self, code: u16) {
        if let Some(ws) = self.ws.borrow_mut().take() {
            let _ = ws.close(Some(code), None);
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // gloo-net closes the connection and removes its listeners when dropped.
        self.ws.borrow_mut().take();
    }
}

/// Reports the connection's events until it ends or the chat lets it go.
async fn read(ws: Rc<RefCell<Option<WebSocket>>>, on_event: impl Fn(SocketEvent)) {
    // The sink is ready once the connection opened, or failed to.
    let ready = poll_fn(|cx| match ws.borrow_mut().as_mut() {
        Some(ws) => ws.poll_ready_unpin(cx).map(|_| true),
        None => Poll::Ready(false),
    })
    .await;
    let opened = ready
        && ws
            .borrow()
            .as_ref()
            .is_some_and(|ws| matches!(ws.state(), State::Open));
    if opened {
        on_event(SocketEvent::Opened);
    }
    loop {
        let next = poll_fn(|cx| match ws.borrow_mut().as_mut() {
            Some(ws) => ws.poll_next_unpin(cx),
            None => Poll::Ready(None),
        })
        .await;
        match next {
            Some(Ok(Message::Text(text))) => on_event(SocketEvent::Text(text)),
            Some(Ok(Message::Bytes(_))) => on_event(SocketEvent::Binary),
            Some(Err(WebSocketError::ConnectionClose(close))) => {
                // Let go at once, so that nothing more is read from it.
                ws.borrow_mut().take();
                on_event(SocketEvent::Closed {
                    code: close.code,
                    reason: close.reason,
                });
                return;
            }
            // An error event comes before the close that follows it.
            Some(Err(_)) => {}
            None => return,
        }
    }
}
