//! A local Guest API: session REST endpoint, guest WebSocket, scripted agent, agent
//! console and an opt-in test-control API. `main.rs` is the command line around it;
//! tests start it in-process on a loopback port with [`start`].

mod agent;
mod console;
mod control;
mod genesys;
mod guest;
mod state;

use axum::{
    http::{header, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use guest_chat_protocol::{ErrorBody, SESSIONS_PATH, WS_PATH};
use std::{net::SocketAddr, path::PathBuf, time::Duration};
use tokio::net::TcpListener;
use tower_http::{
    cors::{AllowHeaders, AllowOrigin, CorsLayer},
    services::{ServeDir, ServeFile},
};

pub use genesys::{GenesysConfig, DEFAULT_DEPLOYMENT};
pub use state::{AppState, Outbound};

/// Who answers the guest when no person uses the agent console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AgentMode {
    /// Queue briefly, connect, greet, and answer each message after a typing pause.
    Scripted,
    /// Nobody: routing stays `queued` until the console or the control API acts.
    None,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Access tokens accepted as `Authorization: Bearer …` on the REST call.
    pub access_tokens: Vec<String>,
    /// Organization of every session this server creates.
    pub organization_id: String,
    /// Lifetime of a guest token.
    pub expires_in: Duration,
    pub agent: AgentMode,
    /// How long the scripted agent keeps a new guest queued.
    pub queue_time: Duration,
    /// How long the scripted agent "types" before each answer.
    pub typing_time: Duration,
    /// Largest guest frame accepted; a larger one closes the socket with 1009.
    pub max_frame_bytes: usize,
    pub console: bool,
    pub control: bool,
    /// Built widget served at `/`.
    pub dist: Option<PathBuf>,
    /// Genesys Cloud Web Messaging, served beside the tutorial's API.
    pub genesys: GenesysConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            access_tokens: vec!["dev-access-token".into()],
            organization_id: "gen-local-simulator".into(),
            expires_in: Duration::from_secs(86_400),
            agent: AgentMode::Scripted,
            queue_time: Duration::from_millis(1500),
            typing_time: Duration::from_millis(900),
            max_frame_bytes: 64 * 1024,
            console: true,
            control: false,
            dist: None,
            genesys: GenesysConfig::default(),
        }
    }
}

/// An error answer with the JSON body every REST error of this server has.
pub(crate) fn error_response(
    status: StatusCode,
    error: &str,
    message: impl Into<String>,
) -> Response {
    let body = ErrorBody {
        error: error.into(),
        message: message.into(),
    };
    (status, Json(body)).into_response()
}

pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    let mut app = Router::new()
        .route(SESSIONS_PATH, post(guest::create_session))
        .route(WS_PATH, get(guest::guest_socket))
        .route("/guest-session", post(guest::backend_session))
        .route("/v1", get(genesys::socket))
        .route("/api/v2/webmessaging/messages", get(genesys::history))
        .route("/downloads/{id}", get(genesys::download))
        .route(
            "/uploads/{id}",
            axum::routing::put(genesys::upload).layer(axum::extract::DefaultBodyLimit::max(
                genesys::MAX_UPLOAD_BYTES + 1024,
            )),
        )
        .route(
            "/webdeployments/v1/deployments/{id}/config.json",
            get(genesys::deployment_config),
        )
        .route("/healthz", get(|| async { "ok" }));
    if config.console {
        app = app.merge(console::routes());
    }
    if config.control {
        app = app
            .merge(control::routes())
            .merge(genesys::control_routes());
    }
    if let Some(dist) = &config.dist {
        let index = dist.join("index.html");
        // Precompressed copies, where the build made them, go to browsers that take them.
        app = app.fallback_service(
            ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(ServeFile::new(index)),
        );
    }
    // Mirrors the caller's origin and requested headers: a wildcard would not cover
    // `Authorization`, which the direct mode sends.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::OPTIONS])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    app.layer(cors)
        .with_state(state)
        .layer(axum::middleware::map_response(
            |mut res: Response| async move {
                res.headers_mut()
                    .entry(header::CACHE_CONTROL)
                    .or_insert(HeaderValue::from_static("no-store"));
                res
            },
        ))
}

/// A running server: its address, and a handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut self.task).await;
    }
}

/// Serves on an already bound listener until [`Running::stop`].
pub fn start(listener: TcpListener, config: Config) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    let state = AppState::new(config);
    let app = router(state.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let closing = state.clone();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
            // Upgraded sockets outlive the HTTP server; close them so shutdown is prompt.
            closing.close_all();
        });
        if let Err(err) = serve.await {
            tracing::error!(%err, "server stopped with an error");
        }
    });
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        task,
    })
}
