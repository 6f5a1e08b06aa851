// Live meeting pages: follow the meeting's server-sent events and refresh
// the live regions of the page; countdowns for speaking time. The pages work
// without this script (forms and a refresh link).
(function () {
  "use strict";
  var root = document.querySelector("[data-live-events]");
  if (!root || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var pending = null;
  function refresh() {
    if (pending) {
      return;
    }
    pending = setTimeout(function () {
      pending = null;
      fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) {
            return;
          }
          var doc = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live-region]").forEach(function (el) {
            var name = el.getAttribute("data-live-region");
            var fresh = doc.querySelector('[data-live-region="' + name + '"]');
            // Never replace what the user is typing in or has focused.
            if (fresh && !el.contains(document.activeElement)) {
              el.replaceWith(document.importNode(fresh, true));
            }
          });
          countdowns();
        })
        .catch(function () {});
    }, 150);
  }
  var es = new EventSource(root.getAttribute("data-live-events"));
  ["meeting.started", "meeting.interrupted", "meeting.resumed", "meeting.closed", "meeting.part", "item.current",
    "roster", "speakers", "vote.opened", "vote.closed", "chat", "link.lost", "link.restored", "chair.decision", "conflict"]
    .forEach(function (t) { es.addEventListener(t, refresh); });
  es.addEventListener("vote.progress", function (e) {
    var d;
    try { d = JSON.parse(e.data); } catch (err) { return; }
    document.querySelectorAll('[data-live-region="progress"]').forEach(function (el) {
      el.textContent = d.Voted + " / " + d.Eligible;
    });
  });
  function countdowns() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("datetime"));
      var left = Math.round((end - Date.now()) / 1000);
      el.textContent = left > 0 ? Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2) : "0:00";
    });
  }
  setInterval(countdowns, 1000);
  countdowns();
})();
