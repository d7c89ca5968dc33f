/*
 * The patient chat widget. A clinic's page adds one tag and gets a launcher and a chat panel:
 *
 *   <script src="https://HOST/widget.js" data-title="..." data-clinic-phone="..."
 *           data-color="..." defer></script>
 *
 * It talks to the gateway that served this file (Rasa's REST contract). Everything renders in
 * a shadow root, so the clinic's CSS and ours cannot change each other. The transcript and the
 * sender id live in the page's localStorage: the conversation survives reloads and moving
 * between pages. Bot and user text is always inserted as text, never parsed as HTML.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  // A second copy of the tag on the same page must not add a second launcher.
  if (!script || window.boneMetsWidgetLoaded) return;
  window.boneMetsWidgetLoaded = true;

  const SERVER = new URL(script.src, location.href).origin;
  const WEBHOOK = SERVER + "/webhooks/rest/webhook";
  const STYLESHEET = new URL("widget.css", script.src).href;
  const TITLE = (script.dataset.title || "").trim() || "Bone test guide";
  const PHONE = (script.dataset.clinicPhone || "").trim();
  const DEFAULT_COLOR = "#0b5cad";
  const EMERGENCY_NUMBER = "911";

  const SENDER_KEY = "bonemets-widget:sender";
  const TRANSCRIPT_KEY = "bonemets-widget:transcript";
  // Enough for a long visit; old turns drop off so storage stays small.
  const MAX_ENTRIES = 300;
  const REQUEST_TIMEOUT_MS = 30000;
  // Sent silently on the first open so the assistant introduces itself and its limits.
  const GREETING = "/greet";

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

  function senderId() {
    let id = storage.get(SENDER_KEY);
    if (!id || !/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) {
      // getRandomValues, unlike randomUUID, also works on plain-http clinic pages.
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      storage.set(SENDER_KEY, id);
    }
    return id;
  }

  function loadTranscript() {
    try {
      const entries = JSON.parse(storage.get(TRANSCRIPT_KEY) || "[]");
      return Array.isArray(entries) ? entries : [];
    } catch {
      // Not our JSON any more (edited by hand, or another script's key): start afresh.
      return [];
    }
  }

  function saveTranscript(entries) {
    storage.set(TRANSCRIPT_KEY, JSON.stringify(entries.slice(-MAX_ENTRIES)));
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

  const phoneLink = PHONE
    ? el("a", { href: "tel:" + PHONE.replace(/[^\d+]/g, "") }, "Call the clinic: " + PHONE)
    : null;

  const header = el(
    "div",
    { class: "header" },
    el(
      "div",
      { class: "heading" },
      el("h2", { id: "bonemets-title" }, TITLE),
      el(
        "p",
        { class: "disclaimer" },
        "I explain tests. I am not a doctor. In an emergency, call " + EMERGENCY_NUMBER + ". ",
        phoneLink
      )
    ),
    closeButton
  );

  const log = el("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Conversation",
  });
  const typing = el(
    "div",
    { class: "typing", hidden: true, "aria-hidden": "true" },
    el("span", { class: "dot" }),
    el("span", { class: "dot" }),
    el("span", { class: "dot" })
  );
  // Says "typing" to screen readers without adding it to the conversation log.
  const status = el("div", { class: "sr-only", role: "status" });
  // Always in the page and empty until needed: screen readers announce what is added to an
  // alert region more reliably than a region that appears.
  const alertRegion = el("div", { role: "alert" });
  const scroller = el("div", { class: "scroller" }, log, typing, alertRegion);

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

  function messageRow(who, text, at) {
    return el(
      "div",
      { class: "msg msg-" + who },
      srOnly(who === "user" ? "You said: " : "Assistant said: "),
      el("p", { class: "bubble" }, text),
      el("p", { class: "sr-only" }, "At ", spokenTime(at))
    );
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
      case "bot":
        return messageRow(entry.type, entry.text, entry.at);
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
            // This button goes away once the question is sent; keep focus somewhere useful.
            input.focus();
            send(button.payload, button.title);
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
    log.replaceChildren();
    loadTranscript().forEach(appendToLog);
    scrollToEnd();
  }

  function appendToLog(entry) {
    const node = renderEntry(entry);
    if (node) log.append(node);
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  /* ---------- turning the gateway's replies into transcript entries ---------- */

  function entriesFrom(replies, at) {
    const entries = [];
    const buttons = [];
    let forgotten = false;
    for (const reply of Array.isArray(replies) ? replies : []) {
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

  /* ---------- sending ---------- */

  let busy = false;
  let pending = null;

  class SendFailure extends Error {
    constructor(status, detail) {
      super(detail || "send failed");
      this.status = status;
      this.detail = detail;
    }
  }

  async function post(message) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(WEBHOOK, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: senderId(), message }),
        credentials: "omit",
        signal: abort.signal,
      });
    } catch {
      // Offline, gateway down, refused by CORS or timed out: to the patient, all "can't reach".
      throw new SendFailure(0, null);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      let detail = null;
      try {
        detail = (await response.json()).detail;
      } catch {
        // A proxy's HTML error page: our own words will do.
      }
      throw new SendFailure(response.status, typeof detail === "string" ? detail : null);
    }
    return response.json();
  }

  function dropQuickReplies() {
    log.querySelectorAll(".replies").forEach((group) => group.remove());
    saveTranscript(loadTranscript().filter((entry) => entry.type !== "replies"));
  }

  async function send(message, shownAs) {
    if (busy) return;
    busy = true;
    hideError();
    const at = new Date().toISOString();
    const visible = shownAs === null ? null : { type: "user", text: shownAs, at };
    let unsentRow = null;
    if (visible) {
      dropQuickReplies();
      unsentRow = renderEntry(visible);
      log.append(unsentRow);
    }
    typing.hidden = false;
    status.textContent = "The assistant is typing.";
    scrollToEnd();
    try {
      const replies = await post(message);
      const { entries, forgotten } = entriesFrom(replies, new Date().toISOString());
      if (forgotten) {
        // "Forget me" deleted the conversation on the server: forget it here too.
        storage.remove(TRANSCRIPT_KEY);
        storage.remove(SENDER_KEY);
        log.replaceChildren();
        saveTranscript(entries);
      } else {
        saveTranscript(loadTranscript().concat(visible ? [visible] : [], entries));
      }
      entries.forEach(appendToLog);
      pending = null;
    } catch (failure) {
      if (unsentRow) {
        unsentRow.classList.add("unsent");
        unsentRow.append(el("p", { class: "unsent-note" }, "Not sent"));
      }
      pending = { message, shownAs, unsentRow };
      showError(failure);
    } finally {
      typing.hidden = true;
      status.textContent = "";
      busy = false;
      scrollToEnd();
    }
  }

  /* ---------- errors ---------- */

  function showError(failure) {
    let what = "The assistant is not available right now.";
    if (failure.status === 0) {
      what = "We can't reach the assistant right now. Check your internet connection.";
    } else if (failure.detail) {
      what = failure.detail;
    }
    const retry = el("button", { type: "button", class: "retry" }, "Try again");
    retry.addEventListener("click", () => {
      if (!pending) return;
      const { message, shownAs, unsentRow } = pending;
      if (unsentRow) unsentRow.remove();
      // The retry button goes away with the error; keep focus inside the panel.
      input.focus();
      send(message, shownAs);
    });
    const box = el(
      "div",
      { class: "error" },
      el("p", { class: "error-title" }, "Message not sent."),
      el("p", {}, what),
      el(
        "p",
        {},
        PHONE
          ? "If you need help now, call the clinic at " + PHONE + ". In an emergency, call " +
              EMERGENCY_NUMBER + "."
          : "If you need help now, call your care team. In an emergency, call " +
              EMERGENCY_NUMBER + "."
      ),
      retry
    );
    alertRegion.replaceChildren(box);
  }

  function hideError() {
    alertRegion.replaceChildren();
  }

  /* ---------- opening, closing, keyboard ---------- */

  function focusable() {
    return Array.from(
      panel.querySelectorAll("button:not([disabled]), a[href], input:not([disabled])")
    ).filter((node) => node.getClientRects().length > 0);
  }

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    scrollToEnd();
    input.focus();
    if (loadTranscript().length === 0 && !busy) send(GREETING, null);
  }

  function close() {
    if (canSpeak) window.speechSynthesis.cancel();
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
    if (!text || busy) return;
    input.value = "";
    send(text, text);
  });

  // Another tab of the same site wrote to the conversation: show the same thing here.
  window.addEventListener("storage", (event) => {
    if (event.key === TRANSCRIPT_KEY || event.key === null) renderAll();
  });

  // Rendered while the panel is hidden, so screen readers do not read the history out again.
  renderAll();

  // With `defer` the body exists; a tag with `async` in the head can run before it does.
  if (document.body) document.body.append(host);
  else document.addEventListener("DOMContentLoaded", () => document.body.append(host));
})();
