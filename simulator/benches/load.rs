//! Load benchmark: many concurrent guests on loopback, each exchanging messages with the
//! scripted agent. Reports frame latency percentiles and the server's memory per session.
//!
//! `cargo bench -p guest-chat-simulator --bench load` (GUESTS, MESSAGES override the size).

use futures_util::{SinkExt, StreamExt};
use guest_chat_protocol::{ClientFrame, CreateSessionResponse, ServerFrame, WS_PATH};
use std::{
    process::{Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

struct GuestResult {
    receipts: Vec<Duration>,
    replies: Vec<Duration>,
}

struct Gate {
    barrier: tokio::sync::Barrier,
    connected_rss: std::sync::atomic::AtomicU64,
    pid: u32,
}

async fn run_guest(
    ws_base: String,
    session: CreateSessionResponse,
    messages: usize,
    gate: Arc<Gate>,
) -> Result<GuestResult, String> {
    let url = format!(
        "{ws_base}{WS_PATH}?guest_token={}&organization_id={}",
        session.guest_token, session.organization_id
    );
    let connected = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| e.to_string());
    // Everyone waits until all are connected (or failed), so the talking is concurrent.
    if gate.barrier.wait().await.is_leader() {
        gate.connected_rss
            .store(rss_kib(gate.pid), std::sync::atomic::Ordering::Relaxed);
    }
    let (mut ws, _) = connected?;
    let mut result = GuestResult {
        receipts: Vec::with_capacity(messages),
        replies: Vec::with_capacity(messages),
    };
    for i in 0..messages {
        let id = format!("{}-{i}", session.session_id);
        let frame = ClientFrame::Message {
            session_id: session.session_id.clone(),
            text: format!("message {i}"),
            client_message_id: Some(id.clone()),
        };
        let sent = Instant::now();
        ws.send(Message::Text(frame.encode().into()))
            .await
            .map_err(|e| e.to_string())?;
        let (mut receipt, mut reply) = (false, false);
        while !(receipt && reply) {
            let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
                .await
                .map_err(|_| "no frame within 30 s".to_string())?
                .ok_or("socket closed")?
                .map_err(|e| e.to_string())?;
            let Message::Text(text) = msg else { continue };
            match ServerFrame::decode(text.as_str()) {
                Ok(ServerFrame::GuestMessageDelivered { client_message_id })
                    if client_message_id.as_deref() == Some(&id) =>
                {
                    receipt = true;
                    result.receipts.push(sent.elapsed());
                }
                Ok(ServerFrame::AgentMessage { text, .. })
                    if text.contains(&format!("\"message {i}\"")) =>
                {
                    reply = true;
                    result.replies.push(sent.elapsed());
                }
                _ => {}
            }
        }
    }
    let _ = ws.close(None).await;
    Ok(result)
}

fn main() {
    let guests = env_number("GUESTS", 2000);
    let messages = env_number("MESSAGES", 20);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("gc-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port_file = dir.join("port");
    let mut server = Command::new(env!("CARGO_BIN_EXE_guest-chat-simulator"))
        .args([
            "--port",
            "0",
            "--agent",
            "scripted",
            "--queue-ms",
            "0",
            "--typing-ms",
            "0",
            "--port-file",
        ])
        .arg(&port_file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("start the simulator");
    let mut port = String::new();
    for _ in 0..200 {
        if let Ok(p) = std::fs::read_to_string(&port_file) {
            if !p.is_empty() {
                port = p;
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(!port.is_empty(), "the simulator did not start");
    let http = format!("http://127.0.0.1:{port}");
    let ws_base = format!("ws://127.0.0.1:{port}");
    let pid = server.id();
    let rss_idle = rss_kib(pid);

    let report = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let gate = Arc::new(Semaphore::new(64));
        let mut creations = Vec::with_capacity(guests);
        for i in 0..guests {
            let (client, gate, http) = (client.clone(), gate.clone(), http.clone());
            creations.push(tokio::spawn(async move {
                let _permit = gate.acquire().await.unwrap();
                client
                    .post(format!("{http}/guest-session"))
                    .json(&serde_json::json!({ "guestName": format!("load-{i}") }))
                    .send()
                    .await
                    .unwrap()
                    .json::<CreateSessionResponse>()
                    .await
                    .unwrap()
            }));
        }
        let mut sessions = Vec::with_capacity(guests);
        for c in creations {
            sessions.push(c.await.unwrap());
        }
        let rss_sessions = rss_kib(pid);
        let started = Instant::now();
        let gate = Arc::new(Gate {
            barrier: tokio::sync::Barrier::new(guests),
            connected_rss: std::sync::atomic::AtomicU64::new(0),
            pid,
        });
        let mut tasks = Vec::with_capacity(guests);
        for session in sessions {
            let (ws_base, gate) = (ws_base.clone(), gate.clone());
            tasks.push(tokio::spawn(run_guest(ws_base, session, messages, gate)));
        }
        let mut receipts = vec![];
        let mut replies = vec![];
        let mut failures = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(r) => {
                    receipts.extend(r.receipts);
                    replies.extend(r.replies);
                }
                Err(err) => {
                    failures += 1;
                    eprintln!("guest failed: {err}");
                }
            }
        }
        let elapsed = started.elapsed();
        let rss_busy = rss_kib(pid);
        receipts.sort();
        replies.sort();
        let rss_connected = gate
            .connected_rss
            .load(std::sync::atomic::Ordering::Relaxed);
        (
            receipts,
            replies,
            failures,
            elapsed,
            rss_sessions,
            rss_connected,
            rss_busy,
        )
    });
    let (receipts, replies, failures, elapsed, rss_sessions, rss_connected, rss_busy) = report;
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let frames = receipts.len() * 4; // message, receipt, typing, reply
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!(
        "load: {guests} concurrent guests x {messages} messages, scripted agent answering each"
    );
    println!("  failed guests:            {failures}");
    println!(
        "  wall time:                {:.2} s ({:.0} frames/s)",
        elapsed.as_secs_f64(),
        frames as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  receipt latency:          p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&receipts, 0.5)),
        ms(percentile(&receipts, 0.9)),
        ms(percentile(&receipts, 0.99)),
        ms(percentile(&receipts, 1.0))
    );
    println!(
        "  agent reply latency:      p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&replies, 0.5)),
        ms(percentile(&replies, 0.9)),
        ms(percentile(&replies, 0.99)),
        ms(percentile(&replies, 1.0))
    );
    println!(
        "  server RSS:               idle {rss_idle} KiB, {guests} sessions {rss_sessions} KiB, all connected {rss_connected} KiB, after the exchange {rss_busy} KiB"
    );
    println!(
        "  memory per session:       {:.1} KiB connected ({:.1} KiB with its transcript after the exchange)",
        rss_connected.saturating_sub(rss_idle) as f64 / guests as f64,
        rss_busy.saturating_sub(rss_idle) as f64 / guests as f64
    );
    if failures > 0 {
        std::process::exit(1);
    }
}
