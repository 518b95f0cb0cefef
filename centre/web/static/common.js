"use strict";
// Shared by the counter console and the hall display: the centre's event stream that
// heals itself, and small helpers. Plain JavaScript, no build step, no outside assets.
window.Centre = (function () {
  const KINDS = ["ticket.issued", "ticket.call", "ticket.recall", "ticket.start", "ticket.hold",
    "ticket.resume", "ticket.transfer", "ticket.queued", "ticket.no_show", "ticket.finish",
    "ticket.cancel", "ticket.rated", "ticket.requeue", "counter.signin", "counter.signout",
    "handover.attached"];

  /** A unique key per logical write (Idempotency-Key): a retried click never acts twice. */
  function key() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();  // secure contexts only
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  /** Milliseconds since the epoch with sub-millisecond precision (timing in the benchmark). */
  function now() { return performance.timeOrigin + performance.now(); }

  /**
   * Follow /api/v1/events from event id `after`. The browser reconnects by itself (sending
   * Last-Event-ID); when it gives up (the centre answered with an error while restarting)
   * a new stream is opened after a pause, resuming from the last id seen, so nothing is lost.
   * opts: after, onEvent(kind, data, id), onOpen(), onState("online"|"offline")
   */
  function stream(opts) {
    let last = opts.after || 0;
    let es = null;
    let retryTimer = null;
    const seen = (id) => { if (id <= last) return true; last = id; return false; };
    function open() {
      clearTimeout(retryTimer);
      es = new EventSource("/api/v1/events?after=" + last);
      es.addEventListener("hello", () => { opts.onState("online"); opts.onOpen(); });
      for (const kind of KINDS) {
        es.addEventListener(kind, (ev) => {
          const id = parseInt(ev.lastEventId, 10) || 0;
          if (id && seen(id)) return;            // a replay after a reconnect
          let data = {};
          try { data = JSON.parse(ev.data); } catch (e) { return; }
          opts.onEvent(kind, data, id);
        });
      }
      es.onerror = () => {
        opts.onState("offline");
        if (es.readyState === EventSource.CLOSED) {   // the browser will not retry: we do
          es.close();
          retryTimer = setTimeout(open, 2000);
        }
      };
    }
    open();
    // A stream that went quiet for long (a proxy dropping it silently) is reopened too.
    return { reopen: () => { if (es) es.close(); open(); }, last: () => last };
  }

  /** Mark the connection badge ("online"/"offline"/"connecting"). */
  function connState(state) {
    const el = document.getElementById("conn");
    if (!el) return;
    el.dataset.state = state;
    const text = { online: "● trực tuyến", offline: "● mất kết nối — đang thử lại", connecting: "● đang kết nối" };
    if (!el.classList.contains("quiet")) el.textContent = text[state] || state;
  }

  return { key, now, stream, connState };
})();
