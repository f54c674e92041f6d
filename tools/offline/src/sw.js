// CyberReady's service worker. Progressive enhancement only: every page works without it.
// - Pages of an assessment the user opened are kept (network first, the copy when offline).
// - Static files are kept (their URLs carry a content hash, so a kept copy never goes stale).
// - A save made without a connection is kept in IndexedDB with the answer versions it was
//   based on, and posted to the same address, with the same fields, when the connection returns;
//   a colleague's change meanwhile still gets the server's conflict page.
// - POST responses are never kept; signing out forgets every kept page.
import { registerRoute } from "workbox-routing";
import { CacheFirst, NetworkFirst, StaleWhileRevalidate } from "workbox-strategies";
import { ExpirationPlugin } from "workbox-expiration";
import * as saves from "./queue.js";

const PAGES = "cyberready-pages-v1";
const ASSETS = "cyberready-assets-v1";
const OFFLINE = "cyberready-offline-v1";
const KEPT = [PAGES, ASSETS, OFFLINE];
const OFFLINE_PAGE = "/offline";
const ASSESSMENT_PAGE = /^\/assessments\/(\d+(\/pillars\/[^/]+|\/review|\/results)?)?$/;
const PILLAR_PAGE = /^\/assessments\/\d+\/pillars\/([^/]+)$/;
const SYNC_TAG = "cyberready-saves";
const SEND_TIMEOUT_MS = 60000;

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("cyberready-") && !KEPT.includes(name)) { await caches.delete(name); }
    }
    await self.clients.claim();
  })());
});

// --- Pages -----------------------------------------------------------------------------------

/** A kept page, without the one-off messages ("saved", "posted") it was rendered with. */
async function withoutMessages(response) {
  const html = (await response.text()).replace(/<p class="flash flash-[a-z]+" role="(?:alert|status)">[\s\S]*?<\/p>\s*/g, "");
  const headers = new Headers(response.headers);
  for (const name of ["content-encoding", "content-length", "vary", "set-cookie"]) { headers.delete(name); }
  return new Response(html, { status: response.status, statusText: response.statusText, headers });
}

function pageKey(url) {
  const key = new URL(url, location.href);
  key.search = "";
  key.hash = "";
  return key.href;
}

const keepPages = {
  // One copy per page whatever its query (?saved=..., ?lang=...): the latest one seen.
  cacheKeyWillBeUsed: async ({ request }) => pageKey(request.url),
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && response.type === "basic" && !response.redirected
      ? withoutMessages(response) : null,
};

async function offlinePage() {
  const kept = await caches.match(OFFLINE_PAGE, { cacheName: OFFLINE });
  return kept || Response.error();
}

async function refreshOfflinePage() {
  const response = await fetch(OFFLINE_PAGE, { credentials: "same-origin", cache: "no-store" });
  if (response.ok) { await (await caches.open(OFFLINE)).put(OFFLINE_PAGE, await withoutMessages(response)); }
}

const pages = new NetworkFirst({ cacheName: PAGES, plugins: [keepPages], matchOptions: { ignoreVary: true } });

registerRoute(({ request, url }) => request.mode === "navigate" && url.origin === location.origin
  && ASSESSMENT_PAGE.test(url.pathname),
({ event, request }) => pages.handle({ event, request }).catch(() => offlinePage()));

// Any other page: straight to the network, our own offline page instead of the browser's.
registerRoute(({ request, url }) => request.mode === "navigate" && url.origin === location.origin,
  ({ request }) => fetch(request).catch(() => offlinePage()));

// --- Static files ----------------------------------------------------------------------------

registerRoute(({ url }) => url.origin === location.origin && url.pathname.startsWith("/static/")
  && url.searchParams.has("v"),
new CacheFirst({ cacheName: ASSETS, plugins: [new ExpirationPlugin({ maxEntries: 80, purgeOnQuotaError: true })] }));

registerRoute(({ url }) => url.origin === location.origin && url.pathname.startsWith("/static/"),
  new StaleWhileRevalidate({ cacheName: ASSETS }));

// --- Posts -----------------------------------------------------------------------------------

// Signing out: nothing of this user's pages stays on the device.
registerRoute(({ request, url }) => request.mode === "navigate" && url.origin === location.origin
  && url.pathname === "/logout",
  async ({ request }) => {
    await forgetUser();
    return fetch(request).catch(() => offlinePage());
  }, "POST");

// A questionnaire saved while the page thought it was online: if the network fails after all,
// keep the save here and show the kept page, never the browser's "No internet" page.
registerRoute(({ request, url }) => request.mode === "navigate" && url.origin === location.origin
  && PILLAR_PAGE.test(url.pathname),
  async ({ request, url }) => {
    const body = await request.clone().text();
    try {
      return await fetch(request);
    } catch (error) {
      const user = await saves.getMeta("user");
      if (!user) { return offlinePage(); }
      await keep(entryFrom(url, body, user));
      return Response.redirect(url.pathname, 303);
    }
  }, "POST");

registerRoute(({ request, url }) => request.mode === "navigate" && url.origin === location.origin,
  ({ request }) => fetch(request).catch(() => offlinePage()), "POST");

function entryFrom(url, body, user) {
  const pairs = new URLSearchParams(body);
  const assessment = url.pathname.split("/")[2];
  const pillar = PILLAR_PAGE.exec(url.pathname)[1];
  const values = {};
  const versions = {};
  for (const [name, value] of pairs) {
    if (name.endsWith("-version")) { versions[name.split("-")[0]] = value; }
    else if (!["csrf_token", "save", "save_next"].includes(name)) { values[name] = value.replace(/\r\n/g, "\n"); }
  }
  return { user, key: `${user}:${assessment}:${decodeURIComponent(pillar)}`, url: url.pathname, body, values, versions };
}

async function keep(entry) {
  await saves.put(entry);
  if (self.registration.sync) {
    await self.registration.sync.register(SYNC_TAG).catch(() => undefined);
  }
  await tell();
}

// --- Sending kept saves ----------------------------------------------------------------------

/** Versions of the answers in a rendered pillar page ({indicator key: version}). */
function versionsIn(html) {
  const versions = {};
  for (const tag of html.match(/<input\b[^>]*>/g) || []) {
    const name = /\sname="([^"]*)-version"/.exec(tag);
    const value = /\svalue="([0-9]*)"/.exec(tag);
    if (name && value) { versions[name[1]] = value[1]; }
  }
  return versions;
}

let sending = null;

/** Send the signed-in user's kept saves, oldest first; resolves to true when none is left waiting. */
function sendKept() {
  sending = sending || sendAll().finally(() => { sending = null; });
  return sending;
}

async function sendAll() {
  const user = await saves.getMeta("user");
  if (!user) { return true; }
  const token = await saves.getMeta("csrf");
  let changed = false;
  try {
    for (const entry of await saves.waiting(user)) {
      const outcome = await send(entry, token).catch(() => "later");
      if (outcome === "later") { return false; }
      changed = true;
    }
    return true;
  } finally {
    if (changed) { await tell(); }
  }
}

async function send(entry, token) {
  const body = new URLSearchParams(entry.body);
  // The same fields; the token of the user's current session (a session started since, after
  // signing in again, has a new one); the versions the answers were typed against.
  if (token) { body.set("csrf_token", token); }
  for (const [indicator, version] of Object.entries(entry.versions)) { body.set(indicator + "-version", version); }
  let response;
  try {
    response = await fetch(entry.url, { method: "POST", body, credentials: "same-origin",
      signal: self.AbortSignal && AbortSignal.timeout ? AbortSignal.timeout(SEND_TIMEOUT_MS) : undefined });
  } catch (error) {
    return "later"; // still no connection
  }
  const landed = new URL(response.url);
  if (response.redirected && landed.searchParams.get("saved") === entry.key.split(":")[2]) {
    let page = response;
    if (landed.pathname !== entry.url) {
      page = await fetch(entry.url, { credentials: "same-origin" }).catch(() => null);
    }
    const html = page && page.ok ? await page.clone().text() : "";
    if (page && page.ok) { await (await caches.open(PAGES)).put(pageKey(entry.url), await withoutMessages(page)); }
    await saves.confirm(entry, versionsIn(html));
    return "sent";
  }
  if (response.redirected || response.status === 429 || response.status >= 500) {
    return "later"; // signed out meanwhile (the sign-in page), or the server is busy
  }
  await saves.setAside(entry, response.status); // conflict, lock or refused value: the user must see why
  return "refused";
}

self.addEventListener("sync", (event) => {
  if (event.tag !== SYNC_TAG) { return; }
  event.waitUntil(sendKept().then((done) => {
    if (!done) { throw new Error("saves still waiting"); } // the browser tries again later
  }));
});

// --- Pages talking to the worker -------------------------------------------------------------

async function tell() {
  for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
    client.postMessage({ type: "changed" });
  }
}

async function forgetUser() {
  await caches.delete(PAGES);
  await caches.delete(OFFLINE); // its header names the user
  await saves.setMeta("user", "");
  await saves.setMeta("csrf", "");
  await saves.setMeta("offline-for", "");
}

async function hello({ user, csrf }) {
  if (!user) {
    await forgetUser();
    return;
  }
  // Another account on this device: the previous one's pages go.
  const previous = await saves.getMeta("user");
  if (previous && previous !== user) { await forgetUser(); }
  await saves.setMeta("user", user);
  await saves.setMeta("csrf", csrf);
}

/** After answering a page's hello: keep what it needs offline, then send what waits. */
async function afterHello({ user, lang, keep: urls }) {
  if (!user) { return; }
  const owner = `${user}:${lang}`;
  if (owner !== await saves.getMeta("offline-for")) {
    await refreshOfflinePage().then(() => saves.setMeta("offline-for", owner), () => undefined);
  }
  await Promise.all((urls || []).map((url) => keepCopy(url).catch(() => undefined)));
  await sendKept();
}

async function keepCopy(address) {
  const url = new URL(address, location.href);
  if (url.origin !== location.origin) { return; }
  if (url.pathname.startsWith("/static/")) {
    const cache = await caches.open(ASSETS);
    if (!(await cache.match(url.href))) { await cache.add(url.href); }
  } else if (ASSESSMENT_PAGE.test(url.pathname)) {
    const response = await fetch(url.href, { credentials: "same-origin" });
    const kept = await keepPages.cacheWillUpdate({ response });
    if (kept) { await (await caches.open(PAGES)).put(pageKey(url.href), kept); }
  }
}

async function handle(message) {
  const user = await saves.getMeta("user");
  switch (message.type) {
    case "hello":
      await hello(message);
      break;
    case "queue":
      if (user && message.entry.user === user) { await keep(message.entry); }
      break;
    case "drop":
      await saves.remove(message.id);
      break;
    case "ack":
      await saves.acknowledge(message.ids);
      break;
    case "signout":
      await forgetUser();
      return null;
    default:
      break;
  }
  const current = await saves.getMeta("user");
  return current ? saves.state(current) : { entries: [], sent: [] };
}

self.addEventListener("message", (event) => {
  const message = event.data || {};
  const port = event.ports && event.ports[0];
  event.waitUntil((async () => {
    try {
      const reply = await handle(message);
      if (port) { port.postMessage(reply); }
    } catch (error) {
      if (port) { port.postMessage(null); }
    }
    // Answer first, then fetch and send: the page learns the outcome from a "changed" message.
    if (message.type === "hello") { await afterHello(message); }
    if (message.type === "replay") { await sendKept(); }
  })());
});
