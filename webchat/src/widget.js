/*
 * Chat widget for the MSc in Industrial Ecology assistant (Rasa's socket.io channel).
 *
 * Embed with one tag (webchat.css is loaded from the same folder as the script):
 *   <script src="/webchat/webchat.js" data-rasa-url="https://chat.example.org" defer></script>
 * Options (data-* attributes or IEWebchat.init({...})): rasa-url, lang ("en"/"nb";
 * default: <html lang>), socket-path, storage-key, css-url, open ("true"),
 * retention-days (default 90: older stored messages are dropped), privacy-url.
 *
 * Privacy: the panel says what is kept, for how long, and who is responsible (NTNU), links
 * to the privacy page, and has a "clear conversation" button that removes the stored
 * history from localStorage and starts a new conversation (a new session id).
 *
 * Safety: message text is only ever put in the page with textContent. Bold, lists and
 * links are built as elements; only http(s) links are made, opened in a new tab.
 */
(function (io) {
  "use strict";

  var SCRIPT = document.currentScript;
  var DEFAULT_RASA_URL = "http://localhost:5005";
  var MAX_STORED_MESSAGES = 200;
  var TYPING_TIMEOUT_MS = 30000;
  var DEFAULT_RETENTION_DAYS = 90; // as RETENTION_DAYS of the server's purge (privacy/)
  var DAY_MS = 24 * 3600 * 1000;
  var PRIVACY_PAGES = { en: "/privacy.html", nb: "/nb/personvern.html" };

  var STRINGS = {
    en: {
      launcher: "Ask us about the programme",
      launcherShort: "Chat",
      openChat: "Open the study-advice chat",
      closeChat: "Close the chat",
      title: "Study advice",
      subtitle: "MSc in Industrial Ecology",
      online: "Online",
      offlineShort: "Offline",
      connecting: "Connecting…",
      welcome:
        "Hi! I'm the study-advice assistant for the **MSc in Industrial Ecology** at NTNU. " +
        "Ask me about admission, the maths requirement, tuition fees or who to contact. " +
        "You can write in English or Norwegian.",
      suggestions: ["Do I need maths?", "What is the tuition fee?", "How many places are there?"],
      suggestionsLabel: "Suggested questions",
      choicesLabel: "Choose an answer",
      conversation: "Conversation with the study-advice assistant",
      you: "You",
      bot: "Assistant",
      placeholder: "Type your question…",
      inputLabel: "Your message",
      send: "Send",
      typing: "The assistant is typing…",
      offline:
        "We can't reach the assistant right now. We'll keep trying — you can also e-mail studier@iv.ntnu.no.",
      notSent: "Your message was not sent: the assistant can't be reached right now. We'll keep trying — you can also e-mail studier@iv.ntnu.no.",
      reconnected: "Connected again.",
      restart: "Start a new conversation",
      newTab: "opens in a new tab",
      disclaimer: "Automated answers. Please don't share personal data.",
      privacyNotice:
        "NTNU keeps this conversation for {days} days, on its server and in this browser, to answer you. ",
      privacyLink: "Privacy",
      clear: "Clear conversation",
      clearLabel: "Clear conversation: delete it from this browser and start a new one",
      cleared: "The conversation was deleted from this browser. A new one has started.",
    },
    nb: {
      launcher: "Spør oss om studiet",
      launcherShort: "Chat",
      openChat: "Åpne chatten med studieveiledningen",
      closeChat: "Lukk chatten",
      title: "Studieveiledning",
      subtitle: "Master i industriell økologi",
      online: "Tilkoblet",
      offlineShort: "Frakoblet",
      connecting: "Kobler til …",
      welcome:
        "Hei! Jeg er studieveiledningsassistenten for **masterprogrammet i industriell økologi** ved NTNU. " +
        "Spør meg om opptak, kravet til matematikk, studieavgift eller hvem du kan kontakte. " +
        "Du kan skrive på norsk eller engelsk.",
      suggestions: ["Må jeg ha matte?", "Hva er studieavgiften?", "Hvor mange studieplasser er det?"],
      suggestionsLabel: "Forslag til spørsmål",
      choicesLabel: "Velg et svar",
      conversation: "Samtale med studieveiledningsassistenten",
      you: "Du",
      bot: "Assistent",
      placeholder: "Skriv spørsmålet ditt …",
      inputLabel: "Meldingen din",
      send: "Send",
      typing: "Assistenten skriver …",
      offline:
        "Vi får ikke kontakt med assistenten akkurat nå. Vi prøver igjen – du kan også sende e-post til studier@iv.ntnu.no.",
      notSent: "Meldingen ble ikke sendt: vi får ikke kontakt med assistenten akkurat nå. Vi prøver igjen – du kan også sende e-post til studier@iv.ntnu.no.",
      reconnected: "Tilkoblet igjen.",
      restart: "Start en ny samtale",
      newTab: "åpnes i ny fane",
      disclaimer: "Automatiske svar. Ikke del personopplysninger.",
      privacyNotice:
        "NTNU tar vare på samtalen i {days} dager, på tjeneren og i denne nettleseren, for å kunne svare deg. ",
      privacyLink: "Personvern",
      clear: "Slett samtalen",
      clearLabel: "Slett samtalen: fjern den fra denne nettleseren og start en ny",
      cleared: "Samtalen ble slettet fra denne nettleseren. En ny samtale er startet.",
    },
  };

  // ---------------------------------------------------------------- helpers

  function normaliseLanguage(tag) {
    var primary = String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
    return primary === "nb" || primary === "no" || primary === "nn" ? "nb" : "en";
  }

  /** The URL if it is an absolute http(s) URL, else null. */
  function safeUrl(raw, base) {
    try {
      var url = base ? new URL(raw, base) : new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M4 12l16-8-6 16-2.5-6.5L4 12z",
    restart: "M4 12a8 8 0 1 0 2.4-5.7M4 4v4.5h4.5",
  };

  function icon(name) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "iew-icon iew-icon--" + name);
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // A button showing only an icon: its label is for screen readers and the tooltip.
  function iconButton(className, type, label, iconName) {
    var button = el("button", className);
    button.type = type;
    button.setAttribute("aria-label", label);
    button.title = label;
    button.appendChild(icon(iconName));
    return button;
  }

  function srOnly(text) {
    return el("span", "iew-sr-only", text);
  }

  // ------------------------------------------------------- markdown, safely

  // **bold**, [label](url), bare http(s) URLs, *emphasis*: matched in this order.
  var INLINE = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\(([^()\s]+)\)|(https?:\/\/[^\s<>"']+)|\*([^*\s](?:[^*\n]*[^*\s])?)\*/g;

  function makeLink(href, label, strings) {
    var a = el("a", "iew-link", label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(srOnly(" (" + strings.newTab + ")"));
    return a;
  }

  /** Appends text with inline markdown to parent, as text nodes and elements only. */
  function appendInline(parent, text, strings) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    var matches = [];
    while ((match = INLINE.exec(text)) !== null) matches.push(match);
    matches.forEach(function (m) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      last = m.index + m[0].length;
      if (m[1] != null) {
        var strong = el("strong");
        appendInline(strong, m[1], strings);
        parent.appendChild(strong);
      } else if (m[2] != null) {
        var href = safeUrl(m[3]);
        parent.appendChild(href ? makeLink(href, m[2], strings) : document.createTextNode(m[2]));
      } else if (m[4] != null) {
        // A sentence's full stop or closing bracket is not part of the address.
        var url = m[4];
        var trail = "";
        var cut = /[.,;:!?'"]+$/.exec(url);
        if (cut) {
          trail = cut[0];
          url = url.slice(0, -trail.length);
        }
        if (/\)$/.test(url) && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) {
          url = url.slice(0, -1);
          trail = ")" + trail;
        }
        var bare = safeUrl(url);
        parent.appendChild(bare ? makeLink(bare, url, strings) : document.createTextNode(url));
        if (trail) parent.appendChild(document.createTextNode(trail));
      } else {
        parent.appendChild(el("em", null, m[5]));
      }
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Paragraphs, "- " / "1. " lists and inline markdown, as a DocumentFragment. */
  function renderRich(text, strings) {
    var fragment = document.createDocumentFragment();
    var list = null;
    var listType = null;
    var paragraph = null;
    String(text)
      .replace(/\r\n?/g, "\n")
      .split("\n")
      .forEach(function (line) {
        var item = /^\s*([-*•]|\d{1,3}[.)])\s+(.*)$/.exec(line);
        if (item) {
          var type = /\d/.test(item[1]) ? "ol" : "ul";
          if (!list || listType !== type) {
            list = el(type);
            listType = type;
            fragment.appendChild(list);
          }
          var li = el("li");
          appendInline(li, item[2], strings);
          list.appendChild(li);
          paragraph = null;
          return;
        }
        list = null;
        if (!line.trim()) {
          paragraph = null;
          return;
        }
        if (paragraph) paragraph.appendChild(el("br"));
        else {
          paragraph = el("p");
          fragment.appendChild(paragraph);
        }
        appendInline(paragraph, line, strings);
      });
    return fragment;
  }

  // ---------------------------------------------------------------- storage

  function Store(key) {
    this.key = "iew:" + key;
  }
  Store.prototype.load = function () {
    try {
      var state = JSON.parse(window.localStorage.getItem(this.key) || "{}");
      return state && typeof state === "object" ? state : {};
    } catch (e) {
      return {};
    }
  };
  Store.prototype.save = function (state) {
    try {
      window.localStorage.setItem(this.key, JSON.stringify(state));
    } catch (e) {
      /* private mode or full: the conversation just isn't kept */
    }
  };
  Store.prototype.clear = function () {
    try {
      window.localStorage.removeItem(this.key);
    } catch (e) {
      /* nothing kept */
    }
  };

  /**
   * The stored state without what is older than the retention period: messages carry the
   * time they were stored (`at`); one without is of unknown age and is dropped. When the
   * whole conversation is older, its session id goes too (the server has deleted it).
   */
  function expire(state, retentionDays, now) {
    var cutoff = now - retentionDays * DAY_MS;
    var messages = Array.isArray(state.messages) ? state.messages : [];
    state.messages = messages.filter(function (m) {
      return m && typeof m === "object" && typeof m.at === "number" && m.at >= cutoff;
    });
    if (typeof state.lastActive !== "number" || state.lastActive < cutoff) {
      delete state.sessionId;
      delete state.hintLanguage;
      delete state.lastActive;
      state.messages = [];
    }
    return state;
  }

  /** A bot message from the socket.io channel, as {who, text, choices?, image?} or null. */
  function parseBotMessage(data) {
    if (typeof data === "string") data = { text: data };
    if (!data || typeof data !== "object") return null;
    var message = { who: "bot", text: typeof data.text === "string" ? data.text : "" };
    var attachment = data.attachment && typeof data.attachment === "object" ? data.attachment : null;
    var payload = attachment && attachment.payload && typeof attachment.payload === "object" ? attachment.payload : {};
    var buttons = data.quick_replies || data.buttons || payload.buttons;
    if (Array.isArray(buttons)) {
      var choices = buttons
        .filter(function (b) {
          return b && (typeof b.title === "string" || typeof b.payload === "string");
        })
        .map(function (b) {
          return { title: String(b.title || b.payload), payload: String(b.payload || b.title) };
        });
      if (choices.length) message.choices = choices;
    }
    if (attachment && attachment.type === "image") {
      var src = safeUrl(payload.src);
      if (src) message.image = src;
    }
    if (!message.text && !message.choices && !message.image) return null;
    return message;
  }

  // ----------------------------------------------------------------- widget

  function Webchat(options) {
    this.options = options;
    this.lang = options.lang;
    this.t = STRINGS[this.lang];
    this.store = new Store(options.storageKey);
    this.state = expire(this.store.load(), options.retentionDays, Date.now());
    this.store.save(this.state); // what expired leaves localStorage now, not at the next message
    this.socket = null;
    this.ready = false; // session confirmed: messages can be sent
    this.offline = false;
    this.queue = [];
    this.typingTimer = null;
    this.build();
    this.renderHistory();
    if (this.state.open || options.open) this.open(false);
  }

  Webchat.prototype.build = function () {
    var t = this.t;
    var self = this;
    var host = el("div");
    host.id = "ie-webchat";
    host.setAttribute("lang", this.lang);
    host.setAttribute("data-state", "connecting");
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    this.host = host;
    this.root = root;

    if (this.options.cssUrl) {
      var css = el("link");
      css.rel = "stylesheet";
      css.href = this.options.cssUrl;
      root.appendChild(css);
    }
    var wrapper = el("div", "iew");
    wrapper.setAttribute("lang", this.lang);
    root.appendChild(wrapper);

    // Launcher
    var launcher = el("button", "iew-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "iew-panel");
    launcher.setAttribute("aria-label", t.openChat);
    launcher.appendChild(icon("chat"));
    launcher.appendChild(icon("close"));
    launcher.appendChild(el("span", "iew-launcher-text", t.launcher));
    var badge = el("span", "iew-badge");
    badge.setAttribute("aria-hidden", "true");
    launcher.appendChild(badge);
    launcher.addEventListener("click", function () {
      if (self.isOpen) self.close();
      else self.open(true);
    });

    // Panel
    var panel = el("section", "iew-panel");
    panel.id = "iew-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "iew-title");
    panel.hidden = true;
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.stopPropagation();
        self.close();
      }
    });

    var header = el("header", "iew-header");
    var avatar = el("span", "iew-avatar", "IE");
    avatar.setAttribute("aria-hidden", "true");
    avatar.appendChild(el("span", "iew-dot"));
    var heading = el("div", "iew-heading");
    var title = el("h2", "iew-title", t.title);
    title.id = "iew-title";
    var subtitle = el("p", "iew-subtitle", t.subtitle);
    var connection = el("span", "iew-sr-only", t.connecting);
    subtitle.appendChild(connection);
    heading.appendChild(title);
    heading.appendChild(subtitle);
    var restart = iconButton("iew-icon-button iew-restart", "button", t.restart, "restart");
    restart.addEventListener("click", function () {
      self.restart();
    });
    var close = iconButton("iew-icon-button iew-close", "button", t.closeChat, "close");
    close.addEventListener("click", function () {
      self.close();
    });
    header.appendChild(avatar);
    header.appendChild(heading);
    header.appendChild(restart);
    header.appendChild(close);

    var status = el("div", "iew-status");
    status.setAttribute("role", "alert");
    status.hidden = true;

    var scroller = el("div", "iew-scroll");
    var log = el("ol", "iew-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", t.conversation);
    var typing = el("div", "iew-typing");
    typing.setAttribute("aria-hidden", "true");
    typing.hidden = true;
    typing.appendChild(el("span"));
    typing.appendChild(el("span"));
    typing.appendChild(el("span"));
    var typingText = el("div", "iew-sr-only");
    typingText.setAttribute("role", "status");
    scroller.appendChild(log);
    scroller.appendChild(typing);

    var form = el("form", "iew-form");
    form.setAttribute("novalidate", "");
    var label = el("label", "iew-sr-only", t.inputLabel);
    label.htmlFor = "iew-input";
    var input = el("textarea", "iew-input");
    input.id = "iew-input";
    input.rows = 1;
    input.maxLength = 1000;
    input.placeholder = t.placeholder;
    input.setAttribute("autocomplete", "off");
    input.setAttribute("enterkeyhint", "send");
    var send = iconButton("iew-send", "submit", t.send, "send");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    input.addEventListener("input", function () {
      self.autosize();
    });

    var disclaimer = el("p", "iew-disclaimer", t.disclaimer + " ");
    disclaimer.appendChild(document.createTextNode(t.privacyNotice.replace("{days}", String(this.options.retentionDays))));
    if (this.options.privacyUrl) {
      var privacyLink = makeLink(this.options.privacyUrl, t.privacyLink, t);
      privacyLink.classList.add("iew-privacy-link");
      disclaimer.appendChild(privacyLink);
      disclaimer.appendChild(document.createTextNode(" · "));
    }
    var clear = el("button", "iew-clear", t.clear);
    clear.type = "button";
    clear.setAttribute("aria-label", t.clearLabel);
    clear.addEventListener("click", function () {
      self.clearConversation();
    });
    disclaimer.appendChild(clear);
    disclaimer.classList.add("iew-privacy");

    panel.appendChild(header);
    panel.appendChild(status);
    panel.appendChild(scroller);
    panel.appendChild(typingText);
    panel.appendChild(form);
    panel.appendChild(disclaimer);
    wrapper.appendChild(panel);
    wrapper.appendChild(launcher);
    document.body.appendChild(host);

    this.launcher = launcher;
    this.panel = panel;
    this.status = status;
    this.connection = connection;
    this.scroller = scroller;
    this.log = log;
    this.typingEl = typing;
    this.typingText = typingText;
    this.input = input;
    this.sendButton = send;
    this.isOpen = false;
  };

  Webchat.prototype.autosize = function () {
    var input = this.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  };

  Webchat.prototype.open = function (focus) {
    this.isOpen = true;
    this.panel.hidden = false;
    this.host.setAttribute("data-open", "true");
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", this.t.closeChat);
    this.launcher.classList.remove("iew-launcher--unread");
    this.state.open = true;
    this.save();
    this.connect();
    this.scrollToEnd();
    if (focus) this.input.focus();
  };

  Webchat.prototype.close = function () {
    this.isOpen = false;
    this.panel.hidden = true;
    this.host.removeAttribute("data-open");
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", this.t.openChat);
    this.state.open = false;
    this.save();
    this.launcher.focus();
  };

  /** Keeps a message in the stored history, with the time, so that it can expire. */
  Webchat.prototype.remember = function (message) {
    var now = Date.now();
    message.at = now;
    this.state.lastActive = now;
    this.state.messages.push(message);
    this.save();
  };

  Webchat.prototype.save = function () {
    if (this.state.messages.length > MAX_STORED_MESSAGES) {
      this.state.messages = this.state.messages.slice(-MAX_STORED_MESSAGES);
    }
    this.store.save(this.state);
  };

  // --------------------------------------------------------------- rendering

  Webchat.prototype.renderHistory = function () {
    this.log.textContent = "";
    this.appendBubble({ who: "bot", text: this.t.welcome }, { welcome: true });
    var messages = this.state.messages;
    var lastUser = -1;
    messages.forEach(function (m, i) {
      if (m.who === "user") lastUser = i;
    });
    for (var i = 0; i < messages.length; i++) {
      // Buttons stay usable only on the bot's messages since the person last wrote.
      this.appendBubble(messages[i], { history: true, choices: i > lastUser });
    }
    if (!messages.length) this.showSuggestions();
  };

  Webchat.prototype.showSuggestions = function () {
    var suggestions = this.t.suggestions.map(function (text) {
      return { title: text, payload: text };
    });
    var item = el("li", "iew-msg iew-msg--suggestions");
    item.appendChild(this.choiceGroup(suggestions, this.t.suggestionsLabel, true));
    this.log.appendChild(item);
  };

  Webchat.prototype.choiceGroup = function (choices, label, suggestion) {
    var self = this;
    var group = el("div", "iew-choices" + (suggestion ? " iew-choices--suggestions" : ""));
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", label);
    choices.forEach(function (choice) {
      var button = el("button", "iew-choice", choice.title);
      button.type = "button";
      button.addEventListener("click", function () {
        if (self.offline) {
          self.showOffline(true, self.t.notSent);
          return;
        }
        self.send(choice.payload, choice.title);
      });
      group.appendChild(button);
    });
    return group;
  };

  Webchat.prototype.removeChoices = function () {
    var groups = this.log.querySelectorAll(".iew-choices");
    for (var i = 0; i < groups.length; i++) {
      var item = groups[i].parentNode;
      groups[i].parentNode.removeChild(groups[i]);
      if (item && item.classList.contains("iew-msg--suggestions")) item.parentNode.removeChild(item);
    }
  };

  Webchat.prototype.appendBubble = function (message, flags) {
    flags = flags || {};
    var t = this.t;
    var who = message.who === "user" ? "user" : "bot";
    var previous = this.log.lastElementChild;
    var item = el("li", "iew-msg iew-msg--" + who);
    if (previous && previous.getAttribute("data-who") === who) item.classList.add("iew-msg--follow");
    item.setAttribute("data-who", who);
    if (flags.welcome) item.classList.add("iew-msg--welcome");
    item.appendChild(srOnly((who === "user" ? t.you : t.bot) + ": "));
    var bubble = el("div", "iew-bubble");
    if (who === "user") {
      bubble.textContent = message.text; // what the person wrote, as plain text
    } else {
      if (message.text) bubble.appendChild(renderRich(message.text, t));
      if (message.image) {
        var img = el("img", "iew-image");
        img.alt = "";
        img.loading = "lazy";
        img.src = message.image;
        bubble.appendChild(img);
      }
    }
    item.appendChild(bubble);
    if (who === "bot" && message.choices && flags.choices !== false) {
      item.appendChild(this.choiceGroup(message.choices, t.choicesLabel, false));
    }
    this.log.appendChild(item);
    this.scrollToEnd();
    return item;
  };

  Webchat.prototype.scrollToEnd = function () {
    var scroller = this.scroller;
    scroller.scrollTop = scroller.scrollHeight;
  };

  Webchat.prototype.setTyping = function (on) {
    var self = this;
    clearTimeout(this.typingTimer);
    this.typingEl.hidden = !on;
    this.typingText.textContent = on ? this.t.typing : "";
    if (on) {
      this.typingTimer = setTimeout(function () {
        self.setTyping(false);
      }, TYPING_TIMEOUT_MS);
      this.scrollToEnd();
    }
  };

  Webchat.prototype.setConnection = function (state) {
    var t = this.t;
    this.host.setAttribute("data-state", state);
    this.connection.textContent = " (" + (state === "online" ? t.online : state === "offline" ? t.offlineShort : t.connecting) + ")";
  };

  Webchat.prototype.showOffline = function (on, text) {
    this.status.hidden = !on;
    this.status.textContent = on ? text || this.t.offline : "";
    this.status.classList.toggle("iew-status--flash", !!text);
  };

  // ------------------------------------------------------------- connection

  Webchat.prototype.connect = function () {
    if (this.socket) return;
    var self = this;
    var socket = io(this.options.rasaUrl, {
      path: this.options.socketPath,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    });
    this.socket = socket;
    this.setConnection("connecting");

    socket.on("connect", function () {
      var wasOffline = self.offline;
      self.offline = false;
      self.showOffline(false);
      self.setConnection("online");
      if (wasOffline) self.flash(self.t.reconnected);
      socket.emit("session_request", { session_id: self.state.sessionId || null });
    });
    socket.on("session_confirm", function (data) {
      var id = data && typeof data === "object" ? data.session_id : data;
      if (typeof id !== "string" || !id) return;
      if (id !== self.state.sessionId) {
        self.state.sessionId = id;
        self.state.lastActive = Date.now(); // the session's age counts from here
        self.save();
      }
      self.ready = true;
      var queued = self.queue;
      self.queue = [];
      queued.forEach(function (text) {
        self.emitMessage(text);
      });
    });
    socket.on("connect_error", function () {
      self.goOffline();
    });
    socket.on("disconnect", function (reason) {
      if (reason !== "io client disconnect") self.goOffline();
    });
    socket.on("bot_uttered", function (data) {
      var message = parseBotMessage(data);
      if (!message) return;
      self.setTyping(false);
      self.remember(message);
      self.appendBubble(message);
      if (!self.isOpen) self.launcher.classList.add("iew-launcher--unread");
    });
  };

  Webchat.prototype.goOffline = function () {
    this.ready = false;
    this.offline = true;
    this.setTyping(false);
    this.setConnection("offline");
    this.showOffline(true);
  };

  Webchat.prototype.flash = function (text) {
    var self = this;
    this.typingText.textContent = text;
    setTimeout(function () {
      if (self.typingText.textContent === text) self.typingText.textContent = "";
    }, 3000);
  };

  Webchat.prototype.submit = function () {
    var text = this.input.value.trim();
    if (!text) return;
    if (this.offline) {
      this.showOffline(true, this.t.notSent);
      return;
    }
    this.input.value = "";
    this.autosize();
    this.send(text, text);
  };

  /** Shows `shown` as the person's message and sends `text` (a button's payload or what they wrote). */
  Webchat.prototype.send = function (text, shown) {
    this.removeChoices();
    var message = { who: "user", text: shown };
    this.remember(message);
    this.appendBubble(message);
    this.setTyping(true);
    if (this.ready) this.emitMessage(text);
    else {
      this.queue.push(text);
      this.connect();
    }
  };

  Webchat.prototype.emitMessage = function (text) {
    var data = { message: text, session_id: this.state.sessionId };
    // The page's language is a hint for the bot: sent until the bot has had it for
    // this page's language, so a person who then writes in the other one is followed.
    if (this.state.hintLanguage !== this.lang) {
      var metadata = { language: this.lang };
      data.metadata = metadata;
      data.customData = metadata; // the key rasa-webchat uses, for either channel setting
      this.state.hintLanguage = this.lang;
      this.save();
    }
    this.socket.emit("user_uttered", data);
  };

  Webchat.prototype.restart = function () {
    if (this.socket) {
      this.socket.disconnect();
      this.socket = null;
    }
    this.ready = false;
    this.offline = false;
    this.queue = [];
    this.setTyping(false);
    this.showOffline(false);
    this.state = { messages: [], open: true };
    this.save();
    this.renderHistory();
    this.connect();
    this.input.focus();
  };

  /** Removes the stored history from localStorage and starts a new conversation. */
  Webchat.prototype.clearConversation = function () {
    this.store.clear();
    this.restart();
    this.flash(this.t.cleared);
  };

  // ------------------------------------------------------------------ setup

  function retentionDays(raw) {
    var days = Number(raw);
    return isFinite(days) && days > 0 && days <= 36500 ? days : DEFAULT_RETENTION_DAYS;
  }

  function optionsFrom(script, overrides) {
    var data = (script && script.dataset) || {};
    var o = overrides || {};
    var rasaUrl = safeUrl(o.rasaUrl || data.rasaUrl || "") || DEFAULT_RASA_URL;
    var cssUrl = o.cssUrl || data.cssUrl || (script && script.src ? new URL("webchat.css", script.src).href : null);
    var lang = normaliseLanguage(o.lang || data.lang || document.documentElement.lang);
    // The privacy page: given, or the demo site's page on the site that serves the widget.
    var privacyBase = script && script.src ? script.src : document.baseURI;
    var privacyUrl = safeUrl(o.privacyUrl || data.privacyUrl || PRIVACY_PAGES[lang], privacyBase);
    return {
      rasaUrl: rasaUrl,
      socketPath: o.socketPath || data.socketPath || "/socket.io",
      lang: lang,
      storageKey: o.storageKey || data.storageKey || "ie-assistant",
      cssUrl: cssUrl ? safeUrl(cssUrl, document.baseURI) : null,
      open: o.open === true || data.open === "true",
      retentionDays: retentionDays(o.retentionDays != null ? o.retentionDays : data.retentionDays),
      privacyUrl: privacyUrl,
    };
  }

  var instance = null;

  function init(overrides) {
    if (instance) return instance;
    if (!io) {
      if (window.console) window.console.error("IE web chat: the socket.io client is missing.");
      return null;
    }
    instance = new Webchat(optionsFrom(SCRIPT, overrides));
    return instance;
  }

  window.IEWebchat = {
    init: init,
    open: function () {
      (instance || init()).open(true);
    },
    close: function () {
      if (instance) instance.close();
    },
    // For tests and tools: the renderer, which never parses HTML.
    renderRich: function (text, lang) {
      return renderRich(text, STRINGS[normaliseLanguage(lang)]);
    },
  };

  if (!(SCRIPT && SCRIPT.dataset && SCRIPT.dataset.manual === "true")) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
    else init();
  }
})(typeof io !== "undefined" ? io : window.io);
