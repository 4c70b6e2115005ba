// Vigil — the live arrivals board (web/templates/checkin/board.html), loaded on that page only.
//
// Opens the page's event stream (#board-live[data-board-events]) and puts the HTML of each
// "board" event in place of #board-live's content. The server sends the numbers at once and
// after every check-in on any server instance. EventSource reconnects by itself after a dropped
// stream; when the server refuses (it is shutting down), the board tries again a few seconds
// later. The status line ([data-board-status]) says whether the numbers are live.
// Without this file the page still works: its Refresh link reloads it.
(function () {
  "use strict";

  var live = document.getElementById("board-live");
  if (!live || !window.EventSource) return;
  var url = live.getAttribute("data-board-events");
  var status = document.querySelector("[data-board-status]");
  var source = null;
  var retry = null;

  function say(state) {
    if (!status) return;
    status.textContent = status.getAttribute(state === "live" ? "data-live" : "data-offline");
    status.setAttribute("data-state", state);
  }

  function connect() {
    retry = null;
    source = new EventSource(url);
    source.addEventListener("open", function () { say("live"); });
    source.addEventListener("board", function (event) {
      live.innerHTML = event.data;
      say("live");
    });
    source.addEventListener("error", function () {
      say("offline");
      if (source.readyState === EventSource.CLOSED && retry === null) {
        retry = window.setTimeout(connect, 5000);
      }
    });
  }

  connect();
  window.addEventListener("pagehide", function () {
    if (source) source.close();
    if (retry !== null) window.clearTimeout(retry);
  });
})();
