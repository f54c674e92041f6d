// Saves made offline, kept in IndexedDB until the server confirms them.
//
// Why not workbox-background-sync's Queue: it removes an entry before sending it and after a
// retention time (7 days by default), it cannot skip another user's entries or set one aside
// after a conflict, and it deletes its store when its schema version changes. A save here
// leaves the device only when the server has confirmed it.
import { openDB } from "idb";

const DB = "cyberready-offline";
const SENT_KEPT_MS = 30 * 24 * 3600 * 1000;

let connection = null;

function open() {
  connection = connection || openDB(DB, 1, {
    upgrade(db) {
      db.createObjectStore("saves", { keyPath: "id", autoIncrement: true });
      db.createObjectStore("sent", { keyPath: "id", autoIncrement: true });
      db.createObjectStore("meta");
    },
  });
  return connection;
}

/**
 * Keep a save. A pillar form posts every answer of its pillar, so a later save of the same
 * pillar by the same user replaces the one still waiting.
 */
export async function put(entry) {
  const db = await open();
  const tx = db.transaction("saves", "readwrite");
  for (const old of await tx.store.getAll()) {
    if (old.user === entry.user && old.key === entry.key && old.state === "waiting") { await tx.store.delete(old.id); }
  }
  await tx.store.add({ ...entry, state: "waiting", at: Date.now() });
  await tx.done;
}

export async function waiting(user) {
  const db = await open();
  return (await db.getAll("saves")).filter((entry) => entry.user === user && entry.state === "waiting");
}

/** The server took this save: forget it, remember its new versions for the pages, move later saves onto them. */
export async function confirm(entry, versions) {
  const db = await open();
  const tx = db.transaction(["saves", "sent"], "readwrite");
  const saves = tx.objectStore("saves");
  await saves.delete(entry.id);
  for (const later of await saves.getAll()) {
    if (later.user !== entry.user || later.key !== entry.key) { continue; }
    for (const [indicator, version] of Object.entries(versions)) {
      if (later.versions[indicator] === entry.versions[indicator]) { later.versions[indicator] = version; }
    }
    await saves.put(later);
  }
  await tx.objectStore("sent").add({ user: entry.user, key: entry.key, values: entry.values,
    base: entry.versions, versions, at: Date.now() });
  await tx.done;
}

/** The server refused this save (conflict, lock, invalid value): keep it aside for the user to see why. */
export async function setAside(entry, status) {
  const db = await open();
  const tx = db.transaction("saves", "readwrite");
  const stored = await tx.store.get(entry.id);
  if (stored) { await tx.store.put({ ...stored, state: "attention", status }); }
  await tx.done;
}

export async function remove(id) {
  const db = await open();
  await db.delete("saves", id);
}

export async function acknowledge(ids) {
  const db = await open();
  const tx = db.transaction("sent", "readwrite");
  await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
}

/** A user's saves still on the device and the confirmations their pages have not seen yet. */
export async function state(user) {
  const db = await open();
  const entries = (await db.getAll("saves")).filter((entry) => entry.user === user);
  const sent = [];
  const tx = db.transaction("sent", "readwrite");
  for (const record of await tx.store.getAll()) {
    if (Date.now() - record.at > SENT_KEPT_MS) { await tx.store.delete(record.id); }
    else if (record.user === user) { sent.push(record); }
  }
  await tx.done;
  return { entries, sent };
}

export async function getMeta(name) {
  const db = await open();
  return db.get("meta", name);
}

export async function setMeta(name, value) {
  const db = await open();
  await db.put("meta", value, name);
}
