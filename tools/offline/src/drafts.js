// The local copy of what was typed on a pillar, kept in this browser until the server has it.
// One draft per user, assessment and pillar; it records the answer versions it was typed
// against, never a clock, so neither time zones nor saves of other pillars can hide it.
import { indicatorOf, isVersionField } from "./form-state.js";

const PREFIX = "cyberready:draft:";

function read(storageKey) {
  try { return JSON.parse(localStorage.getItem(storageKey)); } catch (e) { return null; }
}

/** {values, base, submitted} for a draft key ("user:assessment:pillar"), or null. */
export function load(key) {
  const record = read(PREFIX + key);
  if (record && record.values && record.base) { return record; }
  return adoptLegacy(key);
}

export function store(key, record) {
  try { localStorage.setItem(PREFIX + key, JSON.stringify(record)); }
  catch (e) { /* storage full or disabled: what is on the screen and the server copy still count */ }
}

export function remove(key) {
  try { localStorage.removeItem(PREFIX + key); } catch (e) { /* disabled storage: nothing kept */ }
}

// Drafts kept by the previous script, under "assessment:pillar" with a timestamp: still typed
// answers, so they are converted (their hidden version fields give the base) rather than dropped.
function adoptLegacy(key) {
  const legacyKey = PREFIX + key.split(":").slice(1).join(":");
  const legacy = read(legacyKey);
  if (!legacy || typeof legacy.values !== "object" || legacy.values === null) { return null; }
  const record = { values: {}, base: {}, submitted: false };
  for (const [name, value] of Object.entries(legacy.values)) {
    if (isVersionField(name)) { record.base[indicatorOf(name)] = String(value); }
    else if (name !== "csrf_token") { record.values[name] = String(value).replace(/\r\n/g, "\n"); }
  }
  store(key, record);
  remove(key.split(":").slice(1).join(":"));
  return record;
}
