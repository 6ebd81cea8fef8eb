#[cfg(target_arch = "wasm32")]
fn main() {
    guest_chat::mount_from_document();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("guest-chat is a browser widget: build it with `trunk build`, or run it with scripts/run.sh");
}
