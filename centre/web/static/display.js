"use strict";
// The hall display: the panel rendered by the centre, swapped in when the event stream
// says something changed; each call and recall highlighted and announced (a chime and the
// Vietnamese sentence, one WAV per call rendered on the centre). Announcements queue and
// never overlap. The page heals itself when the centre restarts.
(function () {
  const hall = document.getElementById("hall");
  const audio = document.getElementById("announcer");
  const clock = document.getElementById("clock");
  const highlightMs = parseFloat(hall.dataset.highlightS || "8") * 1000;
  const tz = clock.dataset.tz || undefined;
  const STALE_MS = 60000;          // calls replayed after an outage older than this stay silent
  let offset = 0;                  // centre clock minus this browser's clock (ms)
  const highlights = new Map();    // counter -> {number, until}
  const queue = [];
  let playing = false, guard = null, loading = false, dirty = false;

  function readClock() {
    const root = hall.querySelector(".hall");
    if (root && root.dataset.now) offset = parseFloat(root.dataset.now) * 1000 - Date.now();
  }

  function tick() {
    const d = new Date(Date.now() + offset);
    const opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
    const dopts = { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" };
    if (tz) { opts.timeZone = tz; dopts.timeZone = tz; }
    clock.innerHTML = "";
    const t = document.createElement("b");
    t.textContent = d.toLocaleTimeString("vi-VN", opts);
    const s = document.createElement("small");
    s.textContent = d.toLocaleDateString("vi-VN", dopts);
    clock.append(t, s);
  }

  function applyHighlights() {
    const nowMs = Date.now();
    for (const cell of hall.querySelectorAll(".counter-cell")) {
      const h = highlights.get(cell.dataset.counter);
      cell.classList.toggle("flash", !!h && h.until > nowMs && h.number === cell.dataset.number);
    }
  }

  async function refresh() {
    if (loading) { dirty = true; return; }
    loading = true;
    try {
      const r = await fetch("/display/panel", { cache: "no-store" });
      if (!r.ok) throw new Error("panel " + r.status);
      hall.innerHTML = await r.text();
      readClock();
      applyHighlights();
    } catch (e) {
      Centre.connState("offline");
    } finally {
      loading = false;
      if (dirty) { dirty = false; setTimeout(refresh, 0); }
    }
  }

  function announce(number, counter) {
    queue.push("/announce/" + encodeURIComponent(number) + "/" + encodeURIComponent(counter) + ".wav");
    playNext();
  }

  function playNext() {
    if (playing || !queue.length) return;
    playing = true;
    const done = () => {
      if (!playing) return;
      playing = false;
      clearTimeout(guard);
      setTimeout(playNext, 400);      // a breath between two calls
    };
    audio.onended = done;
    audio.onerror = done;
    guard = setTimeout(done, 30000);  // a clip that never ends must not block the queue
    audio.src = queue.shift();
    const p = audio.play();
    if (p && p.catch) p.catch((err) => {
      // a browser started without the autoplay flag waits for one click on the TV
      if (err && err.name === "NotAllowedError") soundHint.hidden = false;
      done();
    });
  }

  const soundHint = document.getElementById("sound-hint");
  document.addEventListener("click", () => {
    if (soundHint.hidden) return;
    soundHint.hidden = true;
    audio.play().catch(() => {});   // a click unlocks the speaker for the rest of the day
  });

  function onEvent(kind, data) {
    const t = data.ticket || {};
    if ((kind === "ticket.call" || kind === "ticket.recall" || kind === "ticket.resume") && t.counter) {
      const age = data.at ? Date.now() + offset - Date.parse(data.at) : 0;
      showCall(t.number, String(t.counter));   // at once; the panel refresh brings the rest
      if (age < STALE_MS) {
        highlights.set(String(t.counter), { number: t.number, until: Date.now() + highlightMs });
        setTimeout(applyHighlights, highlightMs + 50);
        applyHighlights();
        refresh();
        announce(t.number, t.counter);
        return;
      }
    }
    refresh();
  }

  /** Put a called number in its counter's cell straight from the event. */
  function showCall(number, counter) {
    const cell = hall.querySelector(".counter-cell[data-counter='" + counter + "']");
    if (!cell) return;
    cell.dataset.number = number;
    cell.classList.remove("empty");
    const n = cell.querySelector(".counter-number");
    if (n) n.textContent = number;
  }

  readClock();
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, 20000);     // waiting times and estimates move on; also a safety net
  const root = hall.querySelector(".hall");
  Centre.stream({
    after: parseInt(root.dataset.lastEvent, 10) || 0,
    onEvent,
    onOpen: refresh,
    onState: Centre.connState,
  });
})();
