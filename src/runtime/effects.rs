//! Carrying out the core's effects: the session request, the socket, timers, the
//! upload and opening addresses, through the chat's wire protocol.

use super::{
    handle::new_client_id,
    http::{self, HttpAnswer},
    socket::{Socket, SocketEvent},
    timers::{Interval, Timeout},
    upload::{FileUpload, UploadEnd},
};
use crate::{
    core::{Effect, Event, RestFailure, Unreadable},
    protocol::{SessionStart, WireProtocol},
};

use super::controller::{controller, dispatch, ChatHandle, Controller};

impl Controller {
    pub(super) fn run(&self, chat: ChatHandle, effect: Effect) {
        match effect {
            Effect::CreateSession => {
                let start = self.wire.session_start(self.state.borrow().core.config());
                let request = match start {
                    SessionStart::Http(request) => request,
                    SessionStart::Local => {
                        let mut state = self.state.borrow_mut();
                        let session = self
                            .wire
                            .local_session(state.core.config(), new_client_id());
                        state.queue.push_back(Event::SessionCreated(session));
                        return;
                    }
                };
                let wire = self.wire;
                let answer = http::send(request);
                leptos::task::spawn_local(async move {
                    let event = match answer.await {
                        Ok(answer) => session_answer(wire, answer),
                        Err(http::NoAnswer(why)) => {
                            Event::SessionFailed(RestFailure::new(None, &why, None))
                        }
                    };
                    dispatch(chat, event);
                });
            }
            Effect::OpenConnection {
                session,
                resume_after,
                start_new,
            } => {
                let url = self.wire.connection_url(
                    self.state.borrow().core.config(),
                    &session,
                    resume_after,
                );
                self.state.borrow_mut().start_new = start_new;
                self.open_socket(chat, &url);
            }
            Effect::FetchHistory { jwt, page } => {
                let request =
                    self.wire
                        .history_request(self.state.borrow().core.config(), &jwt, page);
                let Some(request) = request else {
                    let why = "this protocol keeps no history".to_string();
                    self.state
                        .borrow_mut()
                        .queue
                        .push_back(Event::HistoryFailed(why));
                    return;
                };
                let wire = self.wire;
                let answer = http::send(request);
                leptos::task::spawn_local(async move {
                    let event = match answer.await {
                        Ok(answer) if answer.ok => match wire.read_history(&answer.body, page) {
                            Ok(page) => Event::HistoryLoaded(page),
                            Err(why) => Event::HistoryFailed(why),
                        },
                        Ok(answer) => Event::HistoryFailed(format!("HTTP {}", answer.status)),
                        Err(http::NoAnswer(why)) => Event::HistoryFailed(why),
                    };
                    dispatch(chat, event);
                });
            }
            Effect::ScheduleFlush { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::FlushDue));
                self.state.borrow_mut().resources.flush = Some(timer);
            }
            Effect::Send(outgoing) => {
                let Some(text) = self.wire.encode(&outgoing) else {
                    return;
                };
                let sent = match &self.state.borrow().resources.socket {
                    Some(socket) => socket.send(text),
                    None => false,
                };
                if !sent {
                    web_sys::console::warn_1(
                        &"guest-chat: a frame could not be written; it will be resent".into(),
                    );
                }
            }
            Effect::CloseConnection(why) => {
                let socket = self.state.borrow_mut().resources.socket.take();
                if let Some(socket) = socket {
                    socket.close(self.wire.close_code(why));
                }
            }
            Effect::ScheduleReconnect { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::ReconnectDue));
                self.state.borrow_mut().resources.reconnect = Some(timer);
            }
            Effect::CancelReconnect => {
                self.state.borrow_mut().resources.reconnect = None;
            }
            Effect::ScheduleSessionRetry { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::Retry));
                self.state.borrow_mut().resources.session_retry = Some(timer);
            }
            Effect::StartHeartbeat { every_ms } => {
                let beat = Interval::new(every_ms, move || dispatch(chat, Event::HeartbeatDue));
                self.state.borrow_mut().resources.heartbeat = Some(beat);
            }
            Effect::StopHeartbeat => {
                self.state.borrow_mut().resources.heartbeat = None;
            }
            Effect::ScheduleTypingEnd { delay_ms } => {
                let timer = Timeout::new(delay_ms, move || dispatch(chat, Event::TypingExpired));
                self.state.borrow_mut().resources.typing_end = Some(timer);
            }
            Effect::Warn(text) => web_sys::console::warn_1(&text.into()),
            Effect::LogError(text) => web_sys::console::error_1(&text.into()),
            Effect::FocusComposer => self.state.borrow().view.request_focus(),
            Effect::OpenUrl(url) => open_url(&url),
            Effect::PutFile {
                file_id,
                url,
                headers,
                mime,
            } => self.put_file(chat, file_id, &url, &headers, &mime),
            Effect::CancelUpload => self.state.borrow_mut().resources.upload = None,
            Effect::Auth(effect) => self.run_auth(chat, effect),
        }
    }

    pub(super) fn put_file(
        &self,
        chat: ChatHandle,
        file_id: String,
        url: &str,
        headers: &[(String, String)],
        mime: &str,
    ) {
        let file = self.state.borrow().attached.clone();
        let progress_id = file_id.clone();
        let last = std::cell::Cell::new(0u8);
        // Reported from a later task: the upload's own callback must not drop it.
        let later = move |event: Event| {
            wasm_bindgen_futures::spawn_local(async move { dispatch(chat, event) })
        };
        let upload = file.and_then(|file| {
            FileUpload::start(
                url,
                headers,
                mime,
                &file,
                move |percent| {
                    if percent != last.replace(percent) {
                        later(Event::UploadProgress {
                            file_id: progress_id.clone(),
                            percent,
                        });
                    }
                },
                {
                    let file_id = file_id.clone();
                    move |end| {
                        later(match end {
                            UploadEnd::Stored => Event::UploadProgress {
                                file_id: file_id.clone(),
                                percent: 100,
                            },
                            UploadEnd::Broken => Event::UploadInterrupted {
                                file_id: file_id.clone(),
                            },
                        })
                    }
                },
            )
        });
        match upload {
            Some(upload) => self.state.borrow_mut().resources.upload = Some(upload),
            None => self
                .state
                .borrow_mut()
                .queue
                .push_back(Event::UploadInterrupted { file_id }),
        }
    }

    pub(super) fn open_socket(&self, chat: ChatHandle, url: &str) {
        // The old connection, if any, goes first: it reports nothing more.
        self.state.borrow_mut().resources.socket = None;
        let wire = self.wire;
        let opened = Socket::open(url, move |event| {
            let event = match event {
                SocketEvent::Opened => {
                    // What the protocol says first goes before anything the core sends.
                    if let Some(c) = controller(chat) {
                        c.send_opening_frames();
                    }
                    Event::ConnectionOpened
                }
                SocketEvent::Text(text) => wire.decode(&text),
                SocketEvent::Binary => Event::Unreadable(Unreadable::Binary),
                SocketEvent::Closed { code, reason } => Event::ConnectionClosed {
                    kind: wire.close_kind(code),
                    code,
                    reason,
                },
            };
            dispatch(chat, event);
        });
        let mut state = self.state.borrow_mut();
        match opened {
            Ok(socket) => state.resources.socket = Some(socket),
            Err(why) => {
                web_sys::console::error_1(
                    &format!("guest-chat: cannot open the WebSocket: {why}").into(),
                );
                // Queued, so it runs after the current effects, as a real close would.
                state.queue.push_back(Event::ConnectionClosed {
                    kind: wire.close_kind(1006),
                    code: 1006,
                    reason: "invalid WebSocket URL".into(),
                });
            }
        }
    }

    pub(super) fn send_opening_frames(&self) {
        let state = self.state.borrow();
        let Some(session) = state.core.session() else {
            return;
        };
        let frames = self.wire.opening_frames(
            state.core.config(),
            session,
            state.start_new,
            state.core.auth.jwt(),
        );
        if let Some(socket) = &state.resources.socket {
            for frame in frames {
                socket.send(frame);
            }
        }
    }
}

/// Opens a (checked) address in a new tab that cannot reach back to this page.
pub(super) fn open_url(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(url, "_blank", "noopener,noreferrer");
    }
}

/// Reads the session endpoint's answer, whatever its status.
pub(super) fn session_answer(wire: &dyn WireProtocol, answer: HttpAnswer) -> Event {
    let failure = |retry_after_s| {
        RestFailure::new(
            Some(answer.status),
            &wire.failure_text(&answer.body),
            retry_after_s,
        )
    };
    if !answer.ok {
        return Event::SessionFailed(failure(answer.retry_after_s));
    }
    match wire.read_session(&answer.body) {
        Ok(session) => Event::SessionCreated(session),
        Err(_) => Event::SessionFailed(failure(None)),
    }
}
