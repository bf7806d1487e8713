// Buttons on the page that open the chat (no inline scripts: the pages' CSP forbids them).
document.addEventListener("click", function (event) {
  var trigger = event.target.closest && event.target.closest("[data-open-chat]");
  if (trigger && window.IEWebchat) {
    event.preventDefault();
    window.IEWebchat.open();
  }
});
