// The shop's own script: a "Talk to us" button opens the chat through the widget's API.
// It may run before the widget has loaded; the calls are queued.
document.getElementById("talk").addEventListener("click", function () {
  window.GuestChat.open();
});
window.GuestChat.on("ready", function () {
  document.documentElement.dataset.chatReady = "yes";
});
