//! What the writer half of a guest socket is told, and the writer itself.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

/// What the writer half of a guest socket is told to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    Text(String),
    Binary(Vec<u8>),
    /// Send a close frame with this code and reason, then end the connection.
    Close(u16, String),
    /// End the TCP connection with no close frame, as a dead network would.
    Drop,
}

/// Writes what a socket's channel carries until it closes or is dropped; `delay` (ms,
/// set through the control API) holds every frame back.
pub(crate) async fn write_outbound(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Outbound>,
    mut sink: futures_util::stream::SplitSink<
        axum::extract::ws::WebSocket,
        axum::extract::ws::Message,
    >,
    delay: Option<Arc<AtomicU64>>,
) {
    use axum::extract::ws::{CloseFrame, Message};
    use futures_util::SinkExt;
    while let Some(out) = rx.recv().await {
        let ms = delay.as_ref().map_or(0, |d| d.load(Ordering::Relaxed));
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let message = match out {
            Outbound::Text(text) => Message::Text(text.into()),
            Outbound::Binary(bytes) => Message::Binary(bytes.into()),
            Outbound::Close(code, reason) => {
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    })))
                    .await;
                // Give the guest a moment to answer the close handshake.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return;
            }
            Outbound::Drop => return,
        };
        if sink.send(message).await.is_err() {
            return;
        }
    }
}
