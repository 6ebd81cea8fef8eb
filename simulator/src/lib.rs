//! A local Guest API: session REST endpoint, guest WebSocket, scripted agent, agent
//! console and an opt-in test-control API. `main.rs` is the command line around it;
//! tests start it in-process on a loopback port with [`start`].

mod agent;
mod console;
mod genesys;
mod shared;
mod tutorial;

use axum::{
    http::{header, HeaderValue, Method},
    response::Response,
    routing::get,
    Router,
};
use std::{net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tower_http::{
    cors::{AllowHeaders, AllowOrigin, CorsLayer},
    services::{ServeDir, ServeFile},
};

pub use shared::{AgentMode, AppState, Config, GenesysConfig, Outbound, DEFAULT_DEPLOYMENT};

pub fn router(state: AppState) -> Router {
    let config = state.config().clone();
    state.set_agent(agent::hear);
    let mut app = Router::new()
        .merge(tutorial::routes())
        .merge(genesys::routes())
        .route("/healthz", get(|| async { "ok" }));
    if config.console {
        app = app.merge(console::routes());
    }
    if config.control {
        app = app
            .merge(console::control_routes())
            .merge(tutorial::control_routes())
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
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
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
