"use strict";
// The counter console: sign in, then the server-rendered panel, refreshed whenever the
// centre's event stream says the queue changed. Every action has a keyboard shortcut.
(function () {
  const SKEY = "counterSession";
  const panel = document.getElementById("panel");
  const signin = document.getElementById("signin");
  const statusEl = document.getElementById("status");
  const help = document.getElementById("help");
  let session = sessionStorage.getItem(SKEY) || "";
  let loading = false, dirty = false, selectedId = null, ratingScore = 0;
  let streamHandle = null;

  // Known reasons in Vietnamese; anything else shows the centre's own sentence.
  const MESSAGES = {
    queue_empty: "Không có ai đang chờ các dịch vụ của quầy này.",
    counter_busy: "Quầy đang xử lý một số khác: hoàn thành, tạm dừng hoặc chuyển trước.",
    too_few_calls: "Chưa thể đánh dấu vắng mặt: hãy gọi lại trước.",
    bad_pin: "Sai tên cán bộ hoặc mã PIN.",
    pin_locked: "Nhập sai PIN quá nhiều lần, tạm khoá.",
    session_ended: "Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.",
    other_counter: "Số này do quầy khác xử lý.",
    invalid_transition: "Không thể thực hiện với trạng thái hiện tại của số này.",
  };

  function say(text, kind) {
    statusEl.textContent = text || "";
    statusEl.dataset.kind = kind || "info";
  }

  async function api(method, path, body) {
    const headers = { "X-Counter-Session": session, "Idempotency-Key": Centre.key() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch("/api/v1/counter" + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    if (!r.ok) {
      const code = (data && data.error) || ("http_" + r.status);
      if (r.status === 401 && path !== "/signin") showSignin();
      const err = new Error(MESSAGES[code] || (data && typeof data.detail === "string" ? data.detail : "Lỗi " + r.status));
      err.code = code;
      throw err;
    }
    return data;
  }

  function showSignin() {
    session = "";
    sessionStorage.removeItem(SKEY);
    panel.innerHTML = "";
    signin.hidden = false;
    preselect();
    document.getElementById("si-officer").focus();
  }

  function preselect() {
    const sel = document.getElementById("si-counter");
    const opt = sel.options[sel.selectedIndex];
    const mine = (opt && opt.dataset.services || "").split(" ");
    for (const box of document.querySelectorAll("#si-services input")) box.checked = mine.includes(box.value);
  }

  async function doSignin(ev) {
    ev.preventDefault();
    const f = ev.target;
    const services = [...f.querySelectorAll("input[name=services]:checked")].map((b) => b.value);
    try {
      const out = await api("POST", "/signin", {
        counter: parseInt(f.counter.value, 10), services, officer: f.officer.value.trim(), pin: f.pin.value });
      session = out.session;
      sessionStorage.setItem(SKEY, session);
      f.pin.value = "";
      signin.hidden = true;
      say("Đã đăng nhập quầy " + out.counter + ".", "ok");
      await loadPanel();
    } catch (e) {
      say(e.message, "error");
      f.pin.value = "";           // a wrong PIN is typed again from scratch
      f.pin.focus();
    }
  }

  function busyUi() {
    const tr = document.getElementById("transfer");
    const rs = document.getElementById("rating-reasons");
    return (tr && !tr.hidden) || (rs && !rs.hidden);
  }

  /** Fetch the panel (HTML rendered by the centre) and swap it in; coalesces bursts. */
  async function loadPanel() {
    if (!session) return;
    if (loading || busyUi()) { dirty = true; return; }
    loading = true;
    try {
      const asked = session;
      const r = await fetch("/counter/panel", { headers: { "X-Counter-Session": asked } });
      if (asked !== session) return;              // signed out (or in again) meanwhile
      if (r.status === 401) { showSignin(); return; }
      if (!r.ok) throw new Error("panel " + r.status);
      const html = await r.text();
      if (asked !== session) return;
      if (busyUi()) { dirty = true; return; }     // the officer opened a form meanwhile: keep it
      panel.innerHTML = html;
      const skipped = sessionStorage.getItem("ratingSkipped");
      const rating = document.getElementById("rating");
      if (rating && rating.dataset.ticket === skipped) rating.remove();
      restoreSelection();
    } catch (e) {
      Centre.connState("offline");
    } finally {
      loading = false;
      if (dirty) { dirty = false; setTimeout(loadPanel, 0); }
    }
  }

  function rows() { return [...panel.querySelectorAll("table.waiting tr[data-ticket]")]; }
  function restoreSelection() {
    for (const tr of rows()) tr.classList.toggle("selected", tr.dataset.ticket === selectedId);
  }
  function moveSelection(step) {
    const all = rows();
    if (!all.length) return;
    let i = all.findIndex((tr) => tr.dataset.ticket === selectedId);
    i = i < 0 ? (step > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, i + step));
    selectedId = all[i].dataset.ticket;
    restoreSelection();
    all[i].scrollIntoView({ block: "nearest" });
  }

  const TICKET_ACTIONS = ["recall", "start", "hold", "resume", "no-show", "finish", "cancel"];

  async function act(btn) {
    const action = btn.dataset.action;
    const id = btn.dataset.ticket;
    try {
      if (action === "call-next") {
        const t = await api("POST", "/call-next");
        say("Đã gọi " + t.number + ".", "ok");
      } else if (action === "call") {
        const t = await api("POST", "/tickets/" + id + "/call");
        say("Đã gọi " + t.number + ".", "ok");
      } else if (TICKET_ACTIONS.includes(action)) {
        const t = await api("POST", "/tickets/" + id + "/" + action);
        say(t.number + ": " + ({ recall: "đã gọi lại", start: "bắt đầu phục vụ", hold: "tạm dừng",
          resume: "tiếp tục", "no-show": "vắng mặt", finish: "hoàn thành", cancel: "đã huỷ" })[action] + ".", "ok");
      } else if (action === "transfer-open") {
        const f = document.getElementById("transfer");
        f.hidden = false;
        document.getElementById("tr-service").focus();
        return;
      } else if (action === "transfer-close") {
        document.getElementById("transfer").hidden = true;
      } else if (action === "rate") {
        ratingScore = parseInt(btn.dataset.score, 10);
        for (const b of panel.querySelectorAll("[data-action=rate]")) b.classList.toggle("chosen", b === btn);
        if (ratingScore >= 4) return sendRating(id, []);
        document.getElementById("rating-reasons").hidden = false;
        return;
      } else if (action === "rate-send") {
        const reasons = [...panel.querySelectorAll("#rating-reasons input:checked")].map((b) => b.value);
        return sendRating(id, reasons);
      } else if (action === "rate-skip") {
        const r = document.getElementById("rating");
        sessionStorage.setItem("ratingSkipped", r.dataset.ticket);
        r.remove();
        return;
      } else if (action === "signout") {
        await api("POST", "/signout");
        say("Đã đăng xuất.", "ok");
        showSignin();
        return;
      }
    } catch (e) {
      say(e.message, "error");
    }
    await loadPanel();
  }

  async function sendRating(id, reasons) {
    try {
      await api("POST", "/tickets/" + id + "/rating", { score: ratingScore, reasons });
      say("Cảm ơn công dân đã đánh giá.", "ok");
    } catch (e) { say(e.message, "error"); }
    const rs = document.getElementById("rating-reasons");
    if (rs) rs.hidden = true;
    await loadPanel();
  }

  async function doTransfer(ev) {
    ev.preventDefault();
    const f = ev.target;
    const body = { service: f.service.value };
    if (f.counter.value) body.counter = parseInt(f.counter.value, 10);
    f.hidden = true;
    try {
      const t = await api("POST", "/tickets/" + f.dataset.ticket + "/transfer", body);
      say(t.number + ": đã chuyển.", "ok");
    } catch (e) { say(e.message, "error"); }
    await loadPanel();
  }

  function press(selector) {
    const b = panel.querySelector(selector);
    if (b && !b.disabled) b.click();
  }

  const KEYS = { n: "[data-action=call-next]", r: "[data-action=recall]", s: "[data-action=start]",
    h: "[data-action=hold]", b: "[data-action=resume]", t: "[data-action=transfer-open]",
    x: "[data-action=no-show]", f: "[data-action=finish]" };

  function onKey(ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    if (ev.key === "Enter" && ev.target.tagName === "SELECT" && ev.target.form && ev.target.form.id === "transfer") {
      ev.preventDefault();            // Enter on a drop-down does not submit by itself
      ev.target.form.requestSubmit();
      return;
    }
    // a checkbox takes no typing: shortcuts still work while one has the focus
    const inField = /^(INPUT|SELECT|TEXTAREA)$/.test(ev.target.tagName) && ev.target.type !== "checkbox";
    if (ev.key === "Escape") {
      const tr = document.getElementById("transfer");
      if (tr && !tr.hidden) { tr.hidden = true; loadPanel(); }
      const rs = document.getElementById("rating-reasons");
      if (rs && !rs.hidden) { rs.hidden = true; loadPanel(); }
      help.hidden = true;
      return;
    }
    if (inField || !session) return;
    const k = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    if (ev.key === "?") { help.hidden = !help.hidden; }
    else if (ev.shiftKey && k === "q") { press("[data-action=signout]"); }
    else if (KEYS[k]) { press(KEYS[k]); }
    else if (/^[1-5]$/.test(k) && document.getElementById("rating")) { press("[data-action=rate][data-score='" + k + "']"); }
    else if (k === "ArrowDown" || k === "ArrowUp") { moveSelection(k === "ArrowDown" ? 1 : -1); }
    else if (k === "Enter") {
      const rs = document.getElementById("rating-reasons");
      if (rs && !rs.hidden) press("[data-action=rate-send]");
      else if (selectedId) press("tr[data-ticket='" + selectedId + "'] [data-action=call]");
      else return;
    } else return;
    ev.preventDefault();
  }

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest("[data-action]");
    if (btn && !btn.disabled) { ev.preventDefault(); act(btn); }
    const tr = ev.target.closest("table.waiting tr[data-ticket]");
    if (tr) { selectedId = tr.dataset.ticket; restoreSelection(); }
  });
  document.addEventListener("submit", (ev) => {
    if (ev.target.id === "signin-form") doSignin(ev);
    else if (ev.target.id === "transfer") doTransfer(ev);
  });
  document.addEventListener("keydown", onKey);
  document.getElementById("si-counter").addEventListener("change", preselect);
  document.getElementById("help-btn").addEventListener("click", () => { help.hidden = !help.hidden; });

  async function start() {
    // The stream starts at the centre's current end; the panel is fetched after it opens.
    const h = await fetch("/api/v1/health").then((r) => r.json()).catch(() => ({ last_event_id: 0 }));
    streamHandle = Centre.stream({
      after: h.last_event_id || 0,
      onEvent: () => loadPanel(),
      onOpen: () => loadPanel(),
      onState: Centre.connState,
    });
    if (session) { signin.hidden = true; await loadPanel(); } else { showSignin(); }
    setInterval(loadPanel, 30000);   // waiting times tick on; also a safety net
  }
  start();
})();
