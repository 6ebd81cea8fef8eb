// The benchmark's baseline: the same chat job in careful plain JavaScript, in either
// protocol (Genesys Cloud when the mount has data-deployment-id, else the tutorial's).
// It opens the session, and renders what arrives with one DOM write per animation frame
// (a DocumentFragment of everything queued since the last frame), dropping repeats.
(function () {
  "use strict";
  const mount = document.getElementById("guest-chat");
  const status = mount.querySelector(".gc-status");
  const log = mount.querySelector(".gc-transcript");
  const input = mount.querySelector(".gc-input");
  const send = mount.querySelector(".gc-send");
  const form = mount.querySelector(".gc-composer");
  let session = null;
  let socket = null;
  let pending = [];
  let frame = 0;
  let lastSeq = 0;
  const byClientId = new Map();
  const genesys = Boolean(mount.dataset.deploymentId);
  const seenIds = new Set();
  let token = null;

  function bubble(kind, text) {
    const div = document.createElement("div");
    div.className = "gc-msg gc-" + kind;
    const span = document.createElement("span");
    span.className = "gc-text";
    span.textContent = text;
    div.appendChild(span);
    return div;
  }

  function flush() {
    frame = 0;
    const fragment = document.createDocumentFragment();
    for (const node of pending) fragment.appendChild(node);
    pending = [];
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    log.appendChild(fragment);
    if (atEnd) log.scrollTop = log.scrollHeight;
  }

  function queue(node) {
    pending.push(node);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch (err) {
      console.warn("baseline: malformed frame", err);
      return null;
    }
  }

  function onGenesysFrame(event) {
    const frame = parse(event);
    if (!frame) return;
    if (frame.class === "SessionResponse") {
      connected();
      return;
    }
    if (frame.type !== "message" || frame.class !== "StructuredMessage") return;
    const body = frame.body || {};
    if (body.type !== "Text" || typeof body.id !== "string") return;
    if (seenIds.has(body.id)) return;
    seenIds.add(body.id);
    if (body.direction === "Outbound") {
      queue(bubble("agent", body.text || ""));
    } else {
      const node = byClientId.get(body.text);
      if (node) node.dataset.delivery = "delivered";
    }
  }

  function connected() {
    status.textContent = "Connected";
    input.disabled = false;
    send.disabled = false;
  }

  function connectGenesys() {
    status.textContent = "Connecting…";
    token = crypto.randomUUID();
    window.__genesysToken = token;
    const deploymentId = mount.dataset.deploymentId;
    socket = new WebSocket(`${mount.dataset.wsBase}/v1?deploymentId=${encodeURIComponent(deploymentId)}`);
    socket.onopen = () => socket.send(JSON.stringify({ action: "configureSession", deploymentId, token }));
    socket.onmessage = onGenesysFrame;
    socket.onclose = () => {
      status.textContent = "Disconnected";
    };
  }

  function onFrame(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (err) {
      console.warn("baseline: malformed frame", err);
      return;
    }
    switch (message.type) {
      case "agent_message":
        if (typeof message.seq === "number") {
          if (message.seq <= lastSeq) return;
          lastSeq = message.seq;
        }
        queue(bubble("agent", message.text));
        break;
      case "guest_message_delivered": {
        const node = byClientId.get(message.client_message_id);
        if (node) node.dataset.delivery = "delivered";
        break;
      }
      case "routing":
        queue(bubble("system", message.status === "queued" ? "You are in the queue." : "Connected to an agent."));
        break;
      default:
        break;
    }
  }

  function connect() {
    status.textContent = "Connecting…";
    const url = `${mount.dataset.wsBase}/api/v2/webmessaging/guest/ws?guest_token=${encodeURIComponent(session.guest_token)}&organization_id=${encodeURIComponent(session.organization_id)}`;
    socket = new WebSocket(url);
    socket.onopen = connected;
    socket.onmessage = onFrame;
    socket.onclose = () => {
      status.textContent = "Disconnected";
    };
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
  });

  function submit() {
    const text = input.value.trim();
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
    const node = bubble("guest", text);
    node.dataset.delivery = "sent";
    if (genesys) {
      // The service echoes the visitor's message back (direction Inbound): its text is
      // the key, which is unique enough for a benchmark's probes.
      socket.send(JSON.stringify({ action: "onMessage", token, message: { type: "Text", text } }));
      byClientId.set(text, node);
    } else {
      const id = crypto.randomUUID();
      socket.send(JSON.stringify({ type: "message", session_id: session.session_id, text, client_message_id: id }));
      byClientId.set(id, node);
    }
    queue(node);
    input.value = "";
  }

  if (genesys) {
    connectGenesys();
    return;
  }

  fetch(mount.dataset.sessionUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ guestName: mount.dataset.guestName }),
  })
    .then((res) => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
    .then((json) => {
      session = json;
      connect();
    })
    .catch((err) => {
      status.textContent = `Could not start the chat (${err.message}).`;
    });
})();
