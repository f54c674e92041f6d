// Every page: register the service worker, say what happens to answers while offline, send
// what was kept on the device when the connection returns. (Signing out goes through the worker,
// which forgets the kept pages before the request leaves; any signed-out page makes sure of it.)
import { enhanceComments } from "./comments.js";
import { settleDraft, startPillar } from "./pillar.js";
import { StatusLine } from "./status.js";
import { ask, onChange, register } from "./worker-client.js";

const banner = document.getElementById("offline-status");
const status = banner ? new StatusLine(banner) : null;
const note = document.querySelector(".draft-restore");
const pillarForm = document.querySelector("form[data-draft-key]");
const pillar = pillarForm ? startPillar(pillarForm, { ask, onQueued: show }) : null;

enhanceComments(note && note.dataset.commentOffline);

// While saves wait and the browser says it is online, try again: soon after the connection
// returns (it often comes back in steps), then less and less often.
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;
let retryIn = FIRST_RETRY_MS;
let retry = null;

function show(reply) {
  if (!status) { return; }
  if (reply) {
    status.waiting = reply.entries.filter((entry) => entry.state === "waiting").length;
    status.attention = reply.entries.filter((entry) => entry.state === "attention");
  }
  status.render();
  if (status.waiting && !retry) {
    retry = setTimeout(() => {
      retry = null;
      if (navigator.onLine) { ask({ type: "replay" }).then(settle); }
    }, retryIn);
    retryIn = Math.min(retryIn * 2, LAST_RETRY_MS);
  }
}

function settle(reply) {
  if (reply && reply.sent.length) {
    for (const sent of reply.sent) {
      settleDraft(sent);
      if (pillar) { pillar.confirmed(sent); }
    }
    if (status) { status.sent = true; }
    ask({ type: "ack", ids: reply.sent.map((sent) => sent.id) });
  }
  if (pillar && pillar.update(reply)) { return; }
  show(reply);
}

/** Post a refused save again as an ordinary form, so the server's page says why. */
function resend(entry) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = entry.url;
  const body = new URLSearchParams(entry.body);
  body.set("csrf_token", banner.dataset.csrf);
  for (const [indicator, version] of Object.entries(entry.versions)) { body.set(indicator + "-version", version); }
  for (const [name, value] of body) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  ask({ type: "drop", id: entry.id }).then(() => form.submit());
}

function keepForOffline() {
  const assets = Array.from(document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]"),
    (el) => el.href || el.src);
  // A first visit was not seen by the worker (it was still installing): keep this page too.
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) { assets.push(location.href); }
  return assets;
}

register();
if (status) {
  status.onShow = resend;
  onChange(() => ask({ type: "status" }).then(settle));
  window.addEventListener("online", () => {
    clearTimeout(retry);
    retry = null;
    retryIn = FIRST_RETRY_MS;
    show(null);
    ask({ type: "replay" }).then(settle);
  });
  window.addEventListener("offline", () => show(null));
  ask({ type: "hello", user: banner.dataset.user, csrf: banner.dataset.csrf, lang: document.documentElement.lang,
    keep: keepForOffline() }).then(settle);
  show(null);
} else if (!document.querySelector("[data-offline-page]")) {
  // Signed out (or never signed in): pages kept for the previous user must not stay on this device.
  // (Not on the worker's own offline page, which may have been kept from a signed-out visit.)
  ask({ type: "hello", user: "", lang: document.documentElement.lang, keep: [] });
}
