use clap::Parser;
use guest_chat_simulator::{start, AgentMode, Config};
use std::{net::SocketAddr, path::PathBuf, process::ExitCode, time::Duration};

/// A local Guest API for guest-chat: REST sessions, the guest WebSocket, a scripted
/// agent and an agent console.
#[derive(Parser, Debug)]
#[command(name = "guest-chat-simulator", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Port to listen on; 0 picks a free one (see --port-file).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Write the port actually bound to this file once listening.
    #[arg(long)]
    port_file: Option<PathBuf>,
    /// Access token accepted on the REST call (repeat for several).
    #[arg(long = "access-token", default_value = "dev-access-token")]
    access_tokens: Vec<String>,
    /// Organization id of every session.
    #[arg(long, default_value = "gen-local-simulator")]
    organization_id: String,
    /// Guest token lifetime in seconds.
    #[arg(long, default_value_t = 86_400)]
    expires_in: u64,
    /// Who answers guests when nobody uses the console.
    #[arg(long, value_enum, default_value_t = AgentMode::Scripted)]
    agent: AgentMode,
    /// Milliseconds the scripted agent keeps a guest queued.
    #[arg(long, default_value_t = 1500)]
    queue_ms: u64,
    /// Milliseconds the scripted agent types before answering.
    #[arg(long, default_value_t = 900)]
    typing_ms: u64,
    /// Largest guest frame in bytes; larger ones close the socket with 1009.
    #[arg(long, default_value_t = 65_536)]
    max_frame_bytes: usize,
    /// Do not serve the agent console at /agent.
    #[arg(long)]
    no_console: bool,
    /// Enable the test-control API under /control (never in production-like demos).
    #[arg(long)]
    control: bool,
    /// Directory of a built widget to serve at / (e.g. dist).
    #[arg(long)]
    dist: Option<PathBuf>,
    /// Genesys Cloud deployment id accepted on /v1 (repeat for several).
    #[arg(long = "deployment-id", default_value = guest_chat_simulator::DEFAULT_DEPLOYMENT)]
    deployment_ids: Vec<String>,
    /// Seconds a Genesys guest session lives after its last activity.
    #[arg(long, default_value_t = 900)]
    genesys_session_seconds: u64,
    /// Seconds a signed-in visitor's JWT from the token exchange lives.
    #[arg(long, default_value_t = 300)]
    auth_jwt_seconds: u64,
    /// Settings laid over the deployment's `config.json`: a JSON object, or @file with
    /// one; `null` removes a field (e.g. '{"messenger":{"styles":{"primaryColor":"#0a7d3b"}}}').
    #[arg(long)]
    deployment_config: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "guest_chat_simulator=info".into()),
        )
        .with_target(false)
        .init();
    let args = Args::parse();
    if let Some(dist) = &args.dist {
        if !dist.join("index.html").is_file() {
            eprintln!("error: --dist {} has no index.html; build the widget first (trunk build --release)", dist.display());
            return ExitCode::from(2);
        }
    }
    if args.access_tokens.iter().any(|t| t.trim().is_empty()) {
        eprintln!("error: --access-token must not be empty");
        return ExitCode::from(2);
    }
    let addr = SocketAddr::new(args.host, args.port);
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!("error: {addr} is already in use; stop the other server or pass --port <free port> (0 picks one)");
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("error: cannot listen on {addr}: {err}");
            return ExitCode::from(2);
        }
    };
    let deployment_settings = match read_deployment_config(args.deployment_config.as_deref()) {
        Ok(settings) => settings,
        Err(why) => {
            eprintln!("error: --deployment-config {why}");
            return ExitCode::from(2);
        }
    };
    let config = Config {
        access_tokens: args.access_tokens,
        organization_id: args.organization_id,
        expires_in: Duration::from_secs(args.expires_in),
        agent: args.agent,
        queue_time: Duration::from_millis(args.queue_ms),
        typing_time: Duration::from_millis(args.typing_ms),
        max_frame_bytes: args.max_frame_bytes,
        console: !args.no_console,
        control: args.control,
        dist: args.dist,
        genesys: guest_chat_simulator::GenesysConfig {
            deployments: args.deployment_ids,
            session_ttl: Duration::from_secs(args.genesys_session_seconds),
            deployment_settings,
            auth_jwt_ttl: Duration::from_secs(args.auth_jwt_seconds),
        },
    };
    let console = config.console;
    let control = config.control;
    let running = match start(listener, config) {
        Ok(r) => r,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(2);
        }
    };
    let base = running.http_url();
    if let Some(file) = &args.port_file {
        if let Err(err) = std::fs::write(file, running.addr.port().to_string()) {
            eprintln!("error: cannot write --port-file {}: {err}", file.display());
            return ExitCode::from(2);
        }
    }
    // Listening for Ctrl-C before the URLs are printed: whoever reads them may
    // interrupt at once.
    let interrupted = interrupt_listener();
    println!("guest-chat simulator listening on {base}");
    println!(
        "  REST:          POST {base}{}",
        guest_chat_protocol::SESSIONS_PATH
    );
    println!("  backend:       POST {base}/guest-session");
    println!(
        "  WebSocket:     {}{}",
        running.ws_url(),
        guest_chat_protocol::WS_PATH
    );
    for deployment in &running.state.config().genesys.deployments {
        println!(
            "  Genesys Cloud: {}/v1?deploymentId={deployment}",
            running.ws_url()
        );
    }
    println!("  history:       GET {base}/api/v2/webmessaging/messages");
    if console {
        println!("  agent console: {base}/agent");
    }
    if control {
        println!("  control API:   {base}/control (test use only)");
    }
    interrupted.await;
    println!("shutting down");
    running.stop().await;
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM; the handlers are installed when this returns.
#[cfg(unix)]
fn interrupt_listener() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{signal, Signal, SignalKind};
    async fn received(signal: Option<Signal>) {
        match signal {
            Some(mut signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    let interrupt = received(signal(SignalKind::interrupt()).ok());
    let terminate = received(signal(SignalKind::terminate()).ok());
    async move {
        tokio::select! {
            _ = interrupt => {}
            _ = terminate => {}
        }
    }
}

#[cfg(not(unix))]
fn interrupt_listener() -> impl std::future::Future<Output = ()> {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The `--deployment-config` value: a JSON object given inline or in a file (`@path`).
fn read_deployment_config(given: Option<&str>) -> Result<serde_json::Value, String> {
    let Some(given) = given else {
        return Ok(serde_json::Value::Null);
    };
    let text = match given.strip_prefix('@') {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|err| format!("cannot read {path}: {err}"))?
        }
        None => given.to_string(),
    };
    match serde_json::from_str(&text) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        Ok(_) => Err("must be a JSON object".into()),
        Err(err) => Err(format!("is not JSON: {err}")),
    }
}
