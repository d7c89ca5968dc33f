/*
 * The patient chat widget. A clinic's page adds one tag and gets a launcher and a chat panel:
 *
 *   <script src="https://HOST/widget.js" data-title="..." data-clinic-phone="..."
 *           data-color="..." data-history-hours="12" defer></script>
 *
 * It talks to the gateway that served this file (Rasa's REST contract). Everything renders in
 * a shadow root, so the clinic's CSS and ours cannot change each other. The transcript, the
 * sender id and the conversation's token live in the page's localStorage: the conversation
 * survives reloads and moving between pages, and is forgotten after `data-history-hours` idle
 * hours or when the patient ends the chat. Bot and user text is always inserted as text, never
 * parsed as HTML.
 *
 * What the patient types is never lost: each message goes into the transcript at once (shown as
 * "Sending"), and an outbox sends them one at a time, in order, each with its own
 * Idempotency-Key that every retry reuses, so the gateway can answer a resend without acting
 * twice. A message that could not be sent stays as "Not sent" and is sent again on "Try again",
 * with the next message typed, or when the browser comes back online.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  // A second copy of the tag on the same page must not add a second launcher.
  if (!script || window.boneMetsWidgetLoaded) return;
  window.boneMetsWidgetLoaded = true;

  const SERVER = new URL(script.src, location.href).origin;
  const WEBHOOK = SERVER + "/webhooks/rest/webhook";
  const CONFIG = SERVER + "/widget/config";
  const CONVERSATIONS = SERVER + "/conversations/";
  const STYLESHEET = new URL("widget.css", script.src).href;
  const TITLE = (script.dataset.title || "").trim() || "Bone test guide";
  const PAGE_PHONE = (script.dataset.clinicPhone || "").trim();
  const DEFAULT_COLOR = "#0b5cad";
  const HISTORY_HOURS =
    Number(script.dataset.historyHours) > 0 ? Number(script.dataset.historyHours) : 12;
  const HISTORY_MS = HISTORY_HOURS * 3600 * 1000;

  const SENDER_KEY = "bonemets-widget:sender";
  const TOKEN_KEY = "bonemets-widget:token";
  const TRANSCRIPT_KEY = "bonemets-widget:transcript";
  const ACTIVE_KEY = "bonemets-widget:last-active";
  // Ended chats whose server copy is still to be deleted (the gateway could not be reached).
  const ENDED_KEY = "bonemets-widget:ended";
  // Enough for a long visit; old turns drop off so storage stays small.
  const MAX_ENTRIES = 300;
  const REQUEST_TIMEOUT_MS = 30000;
  // A busy gateway says when to come back; we wait that long plus up to half again, so that
  // patients turned away together do not all return in the same second.
  const MAX_BUSY_WAIT_SECONDS = 120;
  const MAX_BUSY_RETRIES = 10;
  const IDLE_CHECK_MS = 60 * 1000;
  // The gateway's answers that refuse a message for what it is (malformed, too large): sending
  // it again would get the same answer.
  const REFUSALS = [400, 403, 404, 413, 415, 422];
  // Sent silently on the first open so the assistant introduces itself and its limits.
  const GREETING = "/greet";
  const HEADER_TOKEN = /^[\x21-\x7e]{1,512}$/;

  const canSpeak =
    "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";

  /* ---------- storage: localStorage when allowed, memory otherwise ---------- */

  const memory = {};
  const storage = {
    get(key) {
      try {
        return window.localStorage.getItem(key);
      } catch {
        // Storage blocked (privacy settings, sandboxed frame): remember for this page only.
        return key in memory ? memory[key] : null;
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, value);
      } catch {
        // Blocked or full.
        memory[key] = value;
      }
    },
    remove(key) {
      delete memory[key];
      try {
        window.localStorage.removeItem(key);
      } catch {
        // Blocked: nothing was stored there to remove.
      }
    },
  };

  function randomId(prefix) {
    // getRandomValues, unlike randomUUID, also works on plain-http clinic pages.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function senderId() {
    let id = storage.get(SENDER_KEY);
    if (!id || !/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) {
      id = randomId("web-");
      storage.set(SENDER_KEY, id);
      storage.remove(TOKEN_KEY);
    }
    return id;
  }

  function loadTranscript() {
    try {
      const entries = JSON.parse(storage.get(TRANSCRIPT_KEY) || "[]");
      return Array.isArray(entries) ? entries.filter((e) => e && typeof e === "object") : [];
    } catch {
      // Not our JSON any more (edited by hand, or another script's key): start afresh.
      return [];
    }
  }

  function saveTranscript(entries) {
    storage.set(TRANSCRIPT_KEY, JSON.stringify(entries.slice(-MAX_ENTRIES)));
  }

  // A patient's message that has no answer yet: waiting to be sent, on its way, or not sent.
  // Answers are always inserted before these, so they stay together at the transcript's end.
  const isPending = (entry) =>
    entry.type === "user" && (entry.state === "sending" || entry.state === "unsent");

  function touch() {
    storage.set(ACTIVE_KEY, String(Date.now()));
  }

  /* ---------- colours: the clinic's colour, adjusted until text on it passes WCAG AA ---------- */

  function toRgb(value) {
    if (!value || !CSS.supports("color", value)) return null;
    const context = document.createElement("canvas").getContext("2d");
    context.fillStyle = value;
    const hex = context.fillStyle;
    // Translucent colours come back as rgba(); their contrast depends on the page behind.
    if (!/^#[0-9a-f]{6}$/i.test(hex)) return null;
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  function luminance(rgb) {
    const linear = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }

  function contrast(a, b) {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  }

  const css = (rgb) => "rgb(" + rgb.map(Math.round).join(" ") + ")";

  function palette(requested) {
    const WHITE = [255, 255, 255];
    const BLACK = [0, 0, 0];
    const brand = toRgb(requested) || toRgb(DEFAULT_COLOR);
    // Whichever of white or black reads better on the brand colour always reaches 4.5:1.
    const onBrand = contrast(brand, WHITE) >= contrast(brand, BLACK) ? WHITE : BLACK;
    // The brand colour as text and outlines on the white panel: darkened until it reads.
    let ink = brand;
    while (contrast(ink, WHITE) < 4.5) ink = ink.map((v) => v * 0.9);
    return { "--brand": css(brand), "--on-brand": css(onBrand), "--brand-ink": css(ink) };
  }

  /* ---------- small DOM helpers: text only, never HTML ---------- */

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  const srOnly = (text) => el("span", { class: "sr-only" }, text);

  function icon(pathData) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", pathData);
    svg.append(path);
    return svg;
  }

  const ICON_CHAT =
    "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  const ICON_CLOSE = "M6 6l12 12M18 6L6 18";
  const ICON_SPEAKER = "M4 9v6h4l5 4V5L8 9H4zm12.5 3a4.5 4.5 0 0 0-2.5-4v8a4.5 4.5 0 0 0 2.5-4z";

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
  const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
  // Review dates are calendar days; formatting them in UTC keeps the day from shifting.
  const dayFormat = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" });

  function spokenTime(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return null;
    const sameDay = when.toDateString() === new Date().toDateString();
    const format = sameDay ? timeFormat : dateTimeFormat;
    return el("time", { datetime: when.toISOString() }, format.format(when));
  }

  function reviewDay(isoDay) {
    const when = new Date(isoDay + "T00:00:00Z");
    return Number.isNaN(when.getTime()) ? isoDay : dayFormat.format(when);
  }

  /* ---------- who to call: the gateway's settings, the page's phone number first ---------- */

  const clinic = {
    name: "your care team",
    phone: PAGE_PHONE,
    emergency: "911",
    crisis: "988",
  };

  function callLink(text) {
    return el("a", { class: "call", href: "tel:" + clinic.phone.replace(/[^\d+]/g, "") }, text);
  }

  // "If you need help now, call the clinic at 555-0100. In an emergency, call 911. ..."
  function helpNow() {
    return el(
      "p",
      { class: "help-now" },
      "If you need help now, call " + clinic.name,
      clinic.phone ? " at " : null,
      clinic.phone ? callLink(clinic.phone) : null,
      ". In an emergency, call " + clinic.emergency + ". For a mental-health crisis, call or " +
        "text " + clinic.crisis + "."
    );
  }

  async function loadClinicConfig() {
    try {
      const response = await fetch(CONFIG, { credentials: "omit" });
      if (!response.ok) return;
      const config = await response.json();
      const text = (value) => (typeof value === "string" && value.trim()) || null;
      clinic.name = text(config.clinic_name) || clinic.name;
      clinic.phone = PAGE_PHONE || text(config.clinic_phone) || clinic.phone;
      clinic.emergency = text(config.emergency_number) || clinic.emergency;
      clinic.crisis = text(config.crisis_line) || clinic.crisis;
      renderDisclaimer();
    } catch {
      // An older gateway or no network: the page's number and the defaults stay.
    }
  }

  /* ---------- the widget's DOM ---------- */

  const host = el("div", { id: "bonemets-widget" });
  Object.entries(palette(script.dataset.color)).forEach(([name, value]) =>
    host.style.setProperty(name, value)
  );
  const root = host.attachShadow({ mode: "open" });

  const launcher = el(
    "button",
    { type: "button", class: "launcher", "aria-haspopup": "dialog", "aria-expanded": "false" },
    icon(ICON_CHAT),
    el("span", { class: "launcher-label" }, TITLE)
  );

  const closeButton = el(
    "button",
    { type: "button", class: "close", "aria-label": "Close chat" },
    icon(ICON_CLOSE)
  );
  const endButton = el("button", { type: "button", class: "end-chat" }, "End chat");

  const disclaimer = el("p", { class: "disclaimer" });
  function renderDisclaimer() {
    disclaimer.replaceChildren(
      "I explain tests. I am not a doctor. In an emergency, call " + clinic.emergency + ". ",
      clinic.phone ? callLink("Call " + clinic.name + ": " + clinic.phone) : null
    );
  }
  renderDisclaimer();

  const header = el(
    "div",
    { class: "header" },
    el("div", { class: "heading" }, el("h2", { id: "bonemets-title" }, TITLE), disclaimer),
    endButton,
    closeButton
  );

  // Asked before a chat is ended: it deletes the conversation here and on the server.
  const confirmYes = el("button", { type: "button", class: "confirm-end" }, "Yes, end chat");
  const confirmNo = el("button", { type: "button", class: "keep" }, "Keep chatting");
  const confirmBar = el(
    "div",
    { class: "confirm", role: "group", "aria-labelledby": "bonemets-end-question", hidden: true },
    el(
      "p",
      { id: "bonemets-end-question" },
      "End this chat? Your messages will be deleted from this browser and from our server."
    ),
    el("div", { class: "confirm-buttons" }, confirmYes, confirmNo)
  );

  const log = el("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Conversation",
  });
  // Said once when the patient ends a chat; not part of the conversation.
  const notice = el("p", { class: "notice", hidden: true });
  const typing = el(
    "div",
    { class: "typing", hidden: true, "aria-hidden": "true" },
    el("span", { class: "dot" }),
    el("span", { class: "dot" }),
    el("span", { class: "dot" })
  );
  // Counts down while a busy gateway asked us to wait. Not a live region: a number changing
  // every second would interrupt a screen reader; the status region says it once.
  const busyText = el("p", { class: "busy-title" });
  const busyBox = el("div", { class: "busy", hidden: true }, busyText);
  // Says "typing" to screen readers without adding it to the conversation log.
  const status = el("div", { class: "sr-only", role: "status" });
  // Always in the page and empty until needed: screen readers announce what is added to an
  // alert region more reliably than a region that appears.
  const alertRegion = el("div", { role: "alert" });
  const scroller = el("div", { class: "scroller" }, log, notice, typing, busyBox, alertRegion);

  const input = el("input", {
    id: "bonemets-input",
    type: "text",
    maxlength: "1000",
    autocomplete: "off",
    placeholder: "Type your question",
  });
  const form = el(
    "form",
    { class: "composer" },
    el("label", { for: "bonemets-input", class: "sr-only" }, "Your question"),
    input,
    el("button", { type: "submit", class: "send" }, "Send")
  );

  const panel = el(
    "div",
    {
      class: "panel",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "bonemets-title",
      id: "bonemets-panel",
      hidden: true,
    },
    header,
    confirmBar,
    scroller,
    status,
    form
  );
  launcher.setAttribute("aria-controls", "bonemets-panel");

  // Shown once our stylesheet is in, so the page never flashes an unstyled button.
  // Inline style, because the clinic's own CSS could override a `hidden` attribute.
  host.style.display = "none";
  const stylesheet = el("link", { rel: "stylesheet", href: STYLESHEET });
  stylesheet.addEventListener("load", () => host.style.removeProperty("display"));
  root.append(stylesheet, el("aside", { "aria-label": TITLE + " chat" }, launcher, panel));

  /* ---------- rendering the transcript ---------- */

  // The row of each of the patient's messages, by message id, to show its sending state.
  const rows = new Map();

  // "refused": the gateway turned this message down itself (too long, say); sending it again
  // would not change that.
  const STATE_NOTES = { sending: "Sending\u2026", unsent: "Not sent", refused: "Not sent" };

  function showState(row, state) {
    row.classList.toggle("sending", state === "sending");
    row.classList.toggle("unsent", state === "unsent" || state === "refused");
    row.querySelector(".state-note").textContent = STATE_NOTES[state] || "";
  }

  function messageRow(who, text, at) {
    return el(
      "div",
      { class: "msg msg-" + who },
      srOnly(who === "user" ? "You said: " : "Assistant said: "),
      el("p", { class: "bubble" }, text),
      el("p", { class: "sr-only" }, "At ", spokenTime(at))
    );
  }

  function userRow(entry) {
    // The greeting (and any other silent message) has no text and no row.
    if (typeof entry.text !== "string") return null;
    const row = messageRow("user", entry.text, entry.at);
    row.append(el("p", { class: "state-note" }));
    showState(row, entry.state);
    if (entry.id) rows.set(entry.id, row);
    return row;
  }

  function speakButton(term) {
    if (!canSpeak) return null;
    const button = el(
      "button",
      { type: "button", class: "speak", "aria-label": "Listen to how to say " + term },
      icon(ICON_SPEAKER)
    );
    button.addEventListener("click", () => {
      window.speechSynthesis.cancel();
      const utterance = new SpeechSynthesisUtterance(term);
      utterance.lang = "en-US";
      // Slower than normal: the point is to hear each syllable.
      utterance.rate = 0.8;
      window.speechSynthesis.speak(utterance);
    });
    return button;
  }

  function renderEntry(entry) {
    switch (entry.type) {
      case "user":
        return userRow(entry);
      case "bot":
        return messageRow("bot", entry.text, entry.at);
      case "pronunciation":
        return el(
          "div",
          { class: "chip" },
          srOnly("How to say "),
          el("span", { class: "term" }, entry.term),
          srOnly(": "),
          el("span", { class: "respelling" }, entry.respelling),
          speakButton(entry.term)
        );
      case "source":
        return el(
          "p",
          { class: "source" },
          "Source: " + entry.publisher + ", \u201c" + entry.title + "\u201d, section \u201c" +
            entry.section + "\u201d. Medical review: " + reviewDay(entry.review) + "."
        );
      case "replies": {
        const group = el("div", {
          class: "replies",
          role: "group",
          "aria-label": "Suggested questions",
        });
        for (const button of entry.buttons) {
          const node = el("button", { type: "button", class: "reply" }, button.title);
          node.addEventListener("click", () => {
            // This button goes away now; keep focus somewhere useful.
            input.focus();
            dropQuickReplies();
            queue(button.payload, button.title);
          });
          group.append(node);
        }
        return group;
      }
      default:
        return null;
    }
  }

  function renderAll() {
    rows.clear();
    log.replaceChildren();
    loadTranscript().forEach((entry) => {
      const node = renderEntry(entry);
      if (node) log.append(node);
    });
    scrollToEnd();
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function dropQuickReplies() {
    log.querySelectorAll(".replies").forEach((group) => group.remove());
    saveTranscript(loadTranscript().filter((entry) => entry.type !== "replies"));
  }

  /* ---------- turning the gateway's replies into transcript entries ---------- */

  // Replies the gateway wrote itself when Rasa failed ({"custom": {"gateway_reply": ...}})
  // carry their text like any other; the custom marker needs nothing shown.
  function entriesFrom(replies, at) {
    const entries = [];
    const buttons = [];
    let forgotten = false;
    for (const reply of Array.isArray(replies) ? replies : []) {
      if (!reply || typeof reply !== "object") continue;
      if (typeof reply.text === "string" && reply.text) {
        entries.push({ type: "bot", text: reply.text, at });
      }
      for (const b of reply.buttons || []) {
        if (b && typeof b.title === "string" && typeof b.payload === "string") {
          buttons.push({ title: b.title, payload: b.payload });
        }
      }
      const custom = reply.custom || {};
      const said = custom.pronunciation;
      if (said && typeof said.term === "string" && typeof said.respelling === "string") {
        entries.push({ type: "pronunciation", term: said.term, respelling: said.respelling, at });
      }
      const source = custom.source;
      if (source && typeof source.title === "string") {
        entries.push({
          type: "source",
          publisher: String(source.publisher || ""),
          title: source.title,
          section: String(source.section || ""),
          review: String(source.last_medical_review || ""),
          at,
        });
      }
      if (custom.conversation_deleted) forgotten = true;
    }
    // Quick replies go last, under the answer and its notes, where the eye ends up.
    if (buttons.length) entries.push({ type: "replies", buttons, at });
    return { entries, forgotten };
  }

  /* ---------- the outbox: every message sent once, in order ---------- */

  // The request on its way, if any: {id, done} where `done` settles when it has been handled.
  let inFlight = null;
  // While a busy gateway asked us to wait: the timers of the retry and of the countdown.
  let busyWait = null;
  // Bumped whenever the conversation is forgotten, so a late reply to it is dropped.
  let epoch = 0;
  const busyRetries = new Map();
  // Messages already resent once under a fresh conversation after a 401.
  const renewed = new Set();

  class SendFailure extends Error {
    constructor(status, detail, retryAfter) {
      super(detail || "send failed");
      this.status = status;
      this.detail = detail;
      this.retryAfter = retryAfter;
    }
  }

  // "Retry-After: 5" or an HTTP date; null when absent or unreadable.
  function retryAfterSeconds(value) {
    if (!value) return null;
    const text = value.trim();
    const seconds = /^\d+$/.test(text) ? Number(text) : (Date.parse(text) - Date.now()) / 1000;
    if (!Number.isFinite(seconds)) return null;
    return Math.min(Math.max(seconds, 1), MAX_BUSY_WAIT_SECONDS);
  }

  function conversationHeaders() {
    const token = storage.get(TOKEN_KEY);
    return token && HEADER_TOKEN.test(token) ? { "X-Conversation-Token": token } : {};
  }

  async function post(entry) {
    const sender = senderId();
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(WEBHOOK, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Idempotency-Key": entry.id,
          ...conversationHeaders(),
        },
        body: JSON.stringify({ sender, message: entry.message }),
        credentials: "omit",
        signal: abort.signal,
      });
    } catch {
      // Offline, gateway down, refused by CORS or timed out: to the patient, all "can't reach".
      throw new SendFailure(0, null, null);
    } finally {
      clearTimeout(timer);
    }
    // The gateway issues the conversation's token with its first reply; later requests show it.
    const token = response.headers.get("X-Conversation-Token");
    if (token && HEADER_TOKEN.test(token) && storage.get(SENDER_KEY) === sender) {
      storage.set(TOKEN_KEY, token);
    }
    if (!response.ok) {
      let detail = null;
      try {
        detail = (await response.json()).detail;
      } catch {
        // A proxy's HTML error page: our own words will do.
      }
      const wait = retryAfterSeconds(response.headers.get("Retry-After"));
      throw new SendFailure(response.status, typeof detail === "string" ? detail : null, wait);
    }
    try {
      return await response.json();
    } catch {
      throw new SendFailure(response.status, null, null);
    }
  }

  // Adds a message to the outbox and shows it at once. Messages that could not be sent go
  // again with it, first, so the conversation keeps its order.
  function queue(message, text) {
    if (text !== null) hideNotice();
    const entry = {
      type: "user",
      id: randomId("m-"),
      message,
      text,
      at: new Date().toISOString(),
      state: "sending",
    };
    const entries = loadTranscript();
    entries.push(entry);
    saveTranscript(entries);
    touch();
    const row = renderEntry(entry);
    if (row) log.append(row);
    scrollToEnd();
    retryUnsent();
  }

  // Gives the messages `which` picks a new state, in storage and on screen.
  function markMessages(which, state) {
    const entries = loadTranscript();
    for (const entry of entries.filter(which)) {
      entry.state = state;
      const row = rows.get(entry.id);
      if (row) showState(row, state);
    }
    saveTranscript(entries);
  }

  // Every "Not sent" message goes back to "Sending", and the outbox starts again.
  function retryUnsent() {
    markMessages(isPending, "sending");
    hideError();
    pump();
  }

  function pump() {
    if (inFlight || busyWait) return;
    const next = loadTranscript().find(isPending);
    // A message that was not sent holds back the ones after it: answers must stay in order.
    if (!next || next.state !== "sending") return;
    let finished;
    inFlight = { id: next.id, done: new Promise((resolve) => (finished = resolve)) };
    deliver(next).finally(() => {
      inFlight = null;
      finished();
      pump();
    });
  }

  async function deliver(entry) {
    const sentIn = epoch;
    typing.hidden = false;
    status.textContent = "The assistant is typing.";
    scrollToEnd();
    let replies = null;
    let failure = null;
    try {
      replies = await post(entry);
    } catch (error) {
      failure = error;
    } finally {
      typing.hidden = true;
      status.textContent = "";
    }
    // The chat was ended or forgotten while this was on its way.
    if (sentIn !== epoch) return;
    if (failure) handleFailure(entry, failure);
    else settle(entry.id, replies);
    scrollToEnd();
  }

  // Shows the answer under its question, before any message still waiting to be sent.
  function settle(id, replies) {
    busyRetries.delete(id);
    const { entries: answer, forgotten } = entriesFrom(replies, new Date().toISOString());
    let entries = loadTranscript();
    const question = entries.find((entry) => entry.id === id);
    // Another tab of the same site already showed this answer.
    if (!question || !isPending(question)) return;
    question.state = "sent";
    touch();
    if (forgotten) {
      // "Forget me" deleted the conversation on the server: forget it here too, keeping only
      // what the patient typed after it.
      storage.remove(SENDER_KEY);
      storage.remove(TOKEN_KEY);
      saveTranscript(answer.concat(entries.filter(isPending)));
      renderAll();
      return;
    }
    // The newest answer's buttons replace the older ones.
    if (answer.length) entries = entries.filter((entry) => entry.type !== "replies");
    const waiting = entries.findIndex(isPending);
    entries.splice(waiting < 0 ? entries.length : waiting, 0, ...answer);
    saveTranscript(entries);

    const row = rows.get(id);
    if (row) showState(row, "sent");
    if (answer.length) log.querySelectorAll(".replies").forEach((group) => group.remove());
    const nextRow = entries.filter(isPending).map((e) => rows.get(e.id)).find(Boolean) || null;
    for (const node of answer.map(renderEntry)) {
      if (node) log.insertBefore(node, nextRow);
    }
  }

  function handleFailure(entry, failure) {
    const busy = failure.status === 503 || failure.status === 429;
    const retries = busyRetries.get(entry.id) || 0;
    if (busy && failure.retryAfter !== null && retries < MAX_BUSY_RETRIES) {
      busyRetries.set(entry.id, retries + 1);
      waitWhileBusy(failure);
      return;
    }
    busyRetries.delete(entry.id);
    if (failure.status === 401 && !renewed.has(entry.id)) {
      // The gateway does not know this browser's token for the conversation (stored before
      // tokens existed, or the conversation was deleted there): start a new conversation and
      // send the same message in it.
      renewed.add(entry.id);
      storage.remove(SENDER_KEY);
      storage.remove(TOKEN_KEY);
      return;
    }
    if (REFUSALS.includes(failure.status)) {
      // Refused for what it is, not for when it came: it must not hold back the ones after it.
      markMessages((pending) => pending.id === entry.id, "refused");
      showError(failure, false);
      return;
    }
    markMessages(isPending, "unsent");
    showError(failure);
  }

  function waitWhileBusy(failure) {
    const jittered = failure.retryAfter * (1 + Math.random() / 2);
    const until = Date.now() + jittered * 1000;
    const tooMany = failure.status === 429;
    const countdown = () => {
      const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      busyText.textContent = tooMany
        ? "Many messages in a short time. Sending again in " + seconds + " s."
        : "Busy right now, trying again in " + seconds + " s.";
    };
    countdown();
    busyBox.replaceChildren(busyText, helpNow());
    busyBox.hidden = false;
    status.textContent = tooMany
      ? "Many messages in a short time. Your message will be sent again shortly."
      : "The assistant is busy. Your message will be sent again shortly.";
    busyWait = {
      retry: setTimeout(endBusyWait, jittered * 1000),
      ticker: setInterval(countdown, 1000),
    };
    scrollToEnd();
  }

  function endBusyWait() {
    if (!busyWait) return;
    clearTimeout(busyWait.retry);
    clearInterval(busyWait.ticker);
    busyWait = null;
    busyBox.hidden = true;
    status.textContent = "";
    pump();
  }

  /* ---------- errors ---------- */

  function showError(failure, canRetry = true) {
    let what = "The assistant is not available right now.";
    if (failure.status === 0 && navigator.onLine === false) {
      what = "You are offline. Your messages will be sent when you are back online.";
    } else if (failure.status === 0) {
      what = "We can't reach the assistant right now. Check your internet connection.";
    } else if (failure.detail) {
      what = failure.detail;
    }
    const retry = canRetry ? el("button", { type: "button", class: "retry" }, "Try again") : null;
    retry?.addEventListener("click", () => {
      // The retry button goes away with the error; keep focus inside the panel.
      input.focus();
      retryUnsent();
    });
    const box = el(
      "div",
      { class: "error" },
      el("p", { class: "error-title" }, "Message not sent."),
      el("p", {}, what),
      helpNow(),
      retry
    );
    alertRegion.replaceChildren(box);
  }

  function hideError() {
    alertRegion.replaceChildren();
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
    status.textContent = text;
  }

  function hideNotice() {
    notice.hidden = true;
    notice.textContent = "";
  }

  /* ---------- ending a chat, and forgetting it after idle hours ---------- */

  // Everything this browser keeps about the conversation goes; a reply on its way is dropped.
  function forgetLocally() {
    epoch += 1;
    busyRetries.clear();
    for (const key of [TRANSCRIPT_KEY, SENDER_KEY, TOKEN_KEY, ACTIVE_KEY]) storage.remove(key);
    if (busyWait) {
      clearTimeout(busyWait.retry);
      clearInterval(busyWait.ticker);
      busyWait = null;
      busyBox.hidden = true;
    }
    hideError();
    renderAll();
  }

  function forgetIfIdle() {
    if (!storage.get(SENDER_KEY) && loadTranscript().length === 0) return;
    const last = Number(storage.get(ACTIVE_KEY));
    // Kept by a version of the widget that did not record activity: the idle time starts now.
    if (!last) touch();
    else if (Date.now() - last >= HISTORY_MS) {
      forgetLocally();
      const hours = HISTORY_HOURS === 1 ? "1 hour" : HISTORY_HOURS + " hours";
      showNotice("The earlier chat was cleared after " + hours + " without messages.");
    }
  }

  function endedChats() {
    try {
      const ended = JSON.parse(storage.get(ENDED_KEY) || "[]");
      return Array.isArray(ended) ? ended.filter((c) => c && typeof c.sender === "string") : [];
    } catch {
      return [];
    }
  }

  function forgetEnded(sender) {
    const left = endedChats().filter((chat) => chat.sender !== sender);
    if (left.length) storage.set(ENDED_KEY, JSON.stringify(left));
    else storage.remove(ENDED_KEY);
  }

  // "deleted", "refused" (asking again would not change it) or "later" (not reachable, busy).
  async function deleteOnServer(chat) {
    const token = chat.token && HEADER_TOKEN.test(chat.token) ? chat.token : null;
    try {
      const response = await fetch(CONVERSATIONS + encodeURIComponent(chat.sender), {
        method: "DELETE",
        headers: token ? { "X-Conversation-Token": token } : {},
        credentials: "omit",
      });
      if (response.ok) return "deleted";
      return response.status >= 500 || response.status === 429 ? "later" : "refused";
    } catch {
      return "later";
    }
  }

  // Ended chats the gateway could not delete at the time: tried again on every page load and
  // when the browser comes back online.
  async function deleteEndedChats() {
    for (const chat of endedChats()) {
      if ((await deleteOnServer(chat)) !== "later") forgetEnded(chat.sender);
    }
  }

  const ENDED_NOTICES = {
    deleted: "Chat ended. It is deleted from this browser and from our server.",
    refused:
      "Chat ended and deleted from this browser. Our server did not accept deleting its copy.",
    later:
      "Chat ended and deleted from this browser. We could not reach our server; it will be " +
      "deleted there as soon as we can.",
  };

  async function endChat() {
    confirmBar.hidden = true;
    const chat = { sender: storage.get(SENDER_KEY), token: storage.get(TOKEN_KEY) };
    const onItsWay = inFlight ? inFlight.done : null;
    forgetLocally();
    input.focus();
    if (!chat.sender) {
      showNotice("Chat ended. It is deleted from this browser.");
      return;
    }
    showNotice("Chat ended and deleted from this browser. Deleting it from our server\u2026");
    // Listed first, so a page closed before the server answers still deletes it next time.
    storage.set(ENDED_KEY, JSON.stringify(endedChats().concat([chat])));
    // A message still on its way would be saved after the deletion: wait for it first.
    if (onItsWay) await onItsWay;
    const outcome = await deleteOnServer(chat);
    if (outcome !== "later") forgetEnded(chat.sender);
    showNotice(ENDED_NOTICES[outcome]);
  }

  endButton.addEventListener("click", () => {
    confirmBar.hidden = false;
    confirmYes.focus();
  });
  confirmYes.addEventListener("click", endChat);
  confirmNo.addEventListener("click", () => {
    confirmBar.hidden = true;
    endButton.focus();
  });

  /* ---------- opening, closing, keyboard ---------- */

  function focusable() {
    return Array.from(
      panel.querySelectorAll("button:not([disabled]), a[href], input:not([disabled])")
    ).filter((node) => node.getClientRects().length > 0);
  }

  function open() {
    forgetIfIdle();
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    scrollToEnd();
    input.focus();
    if (loadTranscript().length === 0) queue(GREETING, null);
  }

  function close() {
    if (canSpeak) window.speechSynthesis.cancel();
    confirmBar.hidden = true;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", open);
  closeButton.addEventListener("click", close);

  // On the document, not the panel: a click on plain text in the panel sends focus to the
  // page's body, and keys must still close the panel or bring focus back into it.
  document.addEventListener("keydown", (event) => {
    if (panel.hidden) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") return;
    // Keep keyboard focus inside the open panel, wrapping at both ends. In between, the
    // browser's own order applies (it may stop on the scrolling conversation, for arrow keys).
    const nodes = focusable();
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    const active = root.activeElement;
    if (!active || !panel.contains(active)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    queue(text, text);
  });

  // Another tab of the same site wrote to the conversation: show the same thing here.
  window.addEventListener("storage", (event) => {
    if (event.key === TRANSCRIPT_KEY || event.key === null) renderAll();
  });

  window.addEventListener("online", () => {
    if (loadTranscript().some((entry) => entry.state === "unsent")) retryUnsent();
    if (endedChats().length) deleteEndedChats();
  });

  // A page left open (a shared computer) forgets the conversation when its time is up.
  setInterval(forgetIfIdle, IDLE_CHECK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") forgetIfIdle();
  });

  forgetIfIdle();
  // Rendered while the panel is hidden, so screen readers do not read the history out again.
  renderAll();
  loadClinicConfig();
  if (endedChats().length) deleteEndedChats();
  // Messages typed before a reload, or in a tab since closed, are sent now, in order.
  if (loadTranscript().some(isPending)) retryUnsent();

  // With `defer` the body exists; a tag with `async` in the head can run before it does.
  if (document.body) document.body.append(host);
  else document.addEventListener("DOMContentLoaded", () => document.body.append(host));
})();
