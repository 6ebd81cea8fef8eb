//! The simulator's command line: startup line, clear errors, graceful stop.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

const BIN: &str = env!("CARGO_BIN_EXE_guest-chat-simulator");

/// A simulator process, killed if a failed assertion leaves it running: a failing test
/// fails instead of hanging on the orphan.
struct Simulator(std::process::Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_port_in_use_is_reported_plainly() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Command::new(BIN).args(["--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already in use") && err.contains("--port"),
        "{err}"
    );
}

#[test]
fn bad_flags_and_a_missing_dist_are_rejected() {
    let out = Command::new(BIN)
        .args(["--agent", "robot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripted"));
    let out = Command::new(BIN)
        .args(["--port", "0", "--dist", "/nonexistent-dist"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("trunk build"));
}

#[test]
fn a_deployment_config_that_is_not_a_json_object_is_refused() {
    for bad in ["{not json", "[1, 2]", "@/nonexistent/settings.json"] {
        let out = Command::new(BIN)
            .args(["--port", "0", "--deployment-config", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--deployment-config"), "{bad}: {err}");
    }
}

/// Starts the simulator, reads the URLs it prints, sends `signal` at once, and expects
/// a clean exit.
fn stops_cleanly_on(signal: &str) {
    let mut simulator = Simulator(
        Command::new(BIN)
            .args(["--port", "0", "--control"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut simulator.0;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("guest-chat simulator listening on http://127.0.0.1:"),
        "{first}"
    );
    let rest: Vec<String> = lines.by_ref().take(7).map(|l| l.unwrap()).collect();
    assert!(rest.iter().any(|l| l.contains("/agent")));
    assert!(rest.iter().any(|l| l.contains("/control")));
    assert!(rest.iter().any(|l| l.contains("/v1?deploymentId=")));
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "SIG{signal} right after start: {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the simulator did not stop within 5 s of SIG{signal}");
}

#[test]
fn prints_its_urls_and_stops_on_interrupt() {
    // Repeated: an interrupt that arrives right after the URLs must never find the
    // handler missing.
    for _ in 0..8 {
        stops_cleanly_on("INT");
        stops_cleanly_on("TERM");
    }
}
