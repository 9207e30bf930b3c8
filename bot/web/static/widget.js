/* 济南市市中区政务服务助手: mounts rasa-webchat (served from this origin) and wires the page's tools.
   No inline script: the page's Content-Security-Policy allows scripts from this origin only. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("widget-config").textContent);
  var LARGE_TEXT_KEY = "shizhong.largeText";
  var root = document.documentElement;
  var largeText = document.getElementById("large-text");
  var handoff = document.getElementById("handoff");
  var webchat = null;

  function remember(key, value) {
    try { window.localStorage.setItem(key, value); } catch (error) { /* private mode: not kept */ }
  }

  function recall(key) {
    try { return window.localStorage.getItem(key); } catch (error) { return null; }
  }

  /* 适老化: larger text and controls, kept across visits. */
  function setLargeText(on) {
    root.classList.toggle("large-text", on);
    largeText.setAttribute("aria-pressed", on ? "true" : "false");
    remember(LARGE_TEXT_KEY, on ? "1" : "0");
  }

  setLargeText(recall(LARGE_TEXT_KEY) === "1");
  largeText.addEventListener("click", function () {
    setLargeText(!root.classList.contains("large-text"));
  });

  /* The way out: asks the assistant for a person; it answers with the 12345 hotline. */
  handoff.addEventListener("click", function () {
    if (webchat && webchat.sendMessage) {
      webchat.sendMessage(config.handoffPayload, config.handoffText);
    } else {
      window.location.href = "tel:12345";
    }
  });

  /* Last line of defence (the server and the patched bundle come first): no href or src with a
     scheme other than http(s), mailto or tel survives inside the widget; icons may be data: images. */
  var SAFE_SCHEME = /^(https?|mailto|tel)$/i;
  function isUnsafe(element, attribute) {
    var value = String(element.getAttribute(attribute) || "").replace(/[\u0000-\u0020\u007f]/g, "");
    var match = /^([a-zA-Z][a-zA-Z0-9+.\-]*):/.exec(value);
    if (!match || SAFE_SCHEME.test(match[1])) { return false; }
    return !(element.tagName === "IMG" && attribute === "src" && /^data:image\//i.test(value));
  }
  function clean(node) {
    if (node.nodeType !== 1) { return; }
    var elements = [node].concat(Array.prototype.slice.call(node.querySelectorAll("[href], [src]")));
    elements.forEach(function (element) {
      ["href", "src"].forEach(function (attribute) {
        if (element.hasAttribute(attribute) && isUnsafe(element, attribute)) {
          element.removeAttribute(attribute);
        }
      });
    });
  }
  var container = document.getElementById("webchat");
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "attributes") { clean(record.target); } else { record.addedNodes.forEach(clean); }
    });
  }).observe(container, { subtree: true, childList: true, attributes: true, attributeFilter: ["href", "src"] });

  /* A quick reply disappears once chosen. When it was chosen with the keyboard (a click with no
     pointer: detail 0), focus goes to the conversation log rather than being lost to the page's
     top; the answer's own buttons are then the next Tab stop. */
  container.addEventListener("click", function (event) {
    var reply = event.target.closest && event.target.closest(".rw-reply");
    if (!reply || event.detail !== 0) { return; }
    window.setTimeout(function () {
      var log = document.getElementById("rw-messages");
      if (log && !document.body.contains(reply)) { log.focus(); }
    }, 0);
  });

  /* An answer taller than the conversation's view (a service card in 大字模式 on a phone) is shown
     from its start: the widget scrolls to the end of every new message, which would leave the
     resident below the answer's name and first line, scrolling back inside a small box. The view
     starts at the first message answering the resident's last one; shorter answers stay at the
     end as the widget puts them. (The widget scrolls synchronously when it renders; this observer
     runs right after, before the screen is painted.) */
  function firstOfAnswer(log) {
    var messages = log.querySelectorAll(".rw-message");
    var first = null;
    for (var i = messages.length - 1; i >= 0; i--) {
      if (messages[i].querySelector(".rw-client")) { return first; }
      if (messages[i].querySelector(".rw-response")) { first = messages[i]; }
    }
    return null;  /* the greeting: no question asked yet */
  }
  function showAnswerFromItsStart() {
    var log = document.getElementById("rw-messages");
    var first = log && firstOfAnswer(log);
    if (!first) { return; }
    var top = first.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop - 8;
    if (log.scrollHeight - top > log.clientHeight && log.scrollTop > top) { log.scrollTop = top; }
  }
  new MutationObserver(showAnswerFromItsStart).observe(container, { subtree: true, childList: true });

  window.WebChat.default({
    socketUrl: config.socketUrl,
    socketPath: config.socketPath,
    initPayload: config.initPayload,
    title: config.title,
    subtitle: config.subtitle,
    inputTextFieldHint: config.inputTextFieldHint,
    connectingText: config.connectingText,
    customData: { language: "zh", channel: "web" },
    params: { storage: "local" },
    embedded: true,
    showCloseButton: false,
    showFullScreenButton: false,
    hideWhenNotConnected: false,
    customMessageDelay: function (message) {
      return Math.min(1200, 300 + 10 * message.length);
    },
    innerRef: function (ref) { webchat = ref; }
  }, container);
}());
