// A questionnaire page: keep what is typed (local draft), offer it back when it differs from
// what the server holds, and keep saves made offline on the device until the server has them.
import * as drafts from "./drafts.js";
import {
  answers, changedIndicators, fill, indicatorOf, sameAnswers, setVersions, versions,
} from "./form-state.js";

export function startPillar(form, { ask, onQueued }) {
  const key = form.dataset.draftKey; // "user:assessment:pillar"
  const [user, assessment] = key.split(":");
  const note = document.querySelector(".draft-restore");
  let offer = null; // a draft offered back and not answered yet: {record, baseline}
  let started = false;

  dropConfirmedDraft(user, assessment);
  let draft = drafts.load(key);
  // The page shows the stored answers and the draft holds the same: the server has it all.
  if (draft && form.dataset.shown === "stored" && sameAnswers(draft.values, answers(form))) {
    drafts.remove(key);
    draft = null;
  }

  function record() {
    const current = answers(form);
    const base = versions(form);
    if (!offer) {
      drafts.store(key, { values: current, base, submitted: false });
      return;
    }
    // A draft is on offer and the user typed elsewhere: keep both, the offer for every
    // indicator not touched since, the new typing for the others.
    const touched = changedIndicators(current, offer.baseline);
    const values = {};
    const merged = { ...offer.record.base };
    for (const [name, value] of Object.entries(offer.record.values)) {
      if (!touched.has(indicatorOf(name))) { values[name] = value; }
    }
    for (const [name, value] of Object.entries(current)) {
      if (touched.has(indicatorOf(name))) { values[name] = value; }
    }
    for (const indicator of touched) {
      if (indicator in base) { merged[indicator] = base[indicator]; }
    }
    drafts.store(key, { values, base: merged, submitted: false });
  }

  function submitted(event) {
    record();
    const current = answers(form);
    const stored = drafts.load(key);
    // Only a draft equal to what is sent may go when the server confirms this save.
    if (stored) { drafts.store(key, { ...stored, submitted: sameAnswers(stored.values, current) }); }
    if (navigator.onLine) { return; }
    event.preventDefault();
    queue();
  }

  async function queue() {
    const body = new URLSearchParams(new FormData(form));
    body.delete("save_next");
    body.set("save", "1");
    const entry = { user, key, url: location.pathname, body: body.toString(), values: answers(form),
      versions: versions(form) };
    onQueued(await ask({ type: "queue", entry }));
  }

  function offerBack(record) {
    if (!note) { return; }
    offer = { record, baseline: answers(form) };
    note.textContent = note.dataset.message + " ";
    const choices = [[note.dataset.restore, restore], [note.dataset.discard, discard]];
    for (const [label, action] of choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      button.addEventListener("click", () => { action(); note.hidden = true; });
      note.append(button, " ");
    }
    form.parentNode.insertBefore(note, form);
    note.hidden = false;
  }

  function restore() {
    const current = answers(form);
    const touched = changedIndicators(current, offer.baseline);
    const differing = changedIndicators(offer.record.values, current);
    for (const indicator of touched) { differing.delete(indicator); }
    // The versions typed against go back too: if a colleague saved these answers meanwhile,
    // saving gives the conflict page with both versions instead of overwriting theirs.
    const base = { ...offer.record.base };
    for (const indicator of differing) { if (!(indicator in base)) { base[indicator] = "0"; } }
    fill(form, offer.record.values, base, differing);
    offer = null;
    record();
  }

  function discard() {
    offer = null;
    drafts.remove(key);
  }

  function showRefusedSave(entry) {
    // The server did not take a save made offline (a colleague's change, a lock, a wrong
    // value): send it again the ordinary way so the server's own page shows why, with the
    // answers in the fields. What is typed now is sent, against the versions it started from.
    const button = form.querySelector("button[name=save]");
    if (!button || !navigator.onLine) { return false; }
    setVersions(form, entry.versions);
    ask({ type: "drop", id: entry.id }).then(() => form.requestSubmit(button));
    return true;
  }

  form.addEventListener("input", record);
  form.addEventListener("change", record);
  form.addEventListener("submit", submitted);

  return {
    key,
    /** The worker's view of the saves kept on this device (null without a worker). */
    update(status) {
      const mine = status ? status.entries.filter((entry) => entry.key === key) : [];
      const refused = mine.find((entry) => entry.state === "attention");
      if (refused && showRefusedSave(refused)) { return true; }
      if (started) { return false; }
      started = true;
      const waiting = mine.filter((entry) => entry.state === "waiting").pop();
      // A save waiting to be sent is what this page will hold: show it, not the older copy.
      if (waiting) { fill(form, waiting.values, waiting.versions); }
      if (draft && !sameAnswers(draft.values, answers(form))) { offerBack(draft); }
      // Says the comparison is done (and its outcome), for whoever waits on it, tests included.
      form.dataset.draft = offer ? "offered" : "none";
      return false;
    },
    /** The server took a save made offline: later saves of this page start from its versions. */
    confirmed(sent) {
      if (sent.key !== key) { return; }
      const current = versions(form);
      const moved = {};
      for (const [indicator, version] of Object.entries(sent.versions)) {
        if (current[indicator] === sent.base[indicator]) { moved[indicator] = version; }
      }
      setVersions(form, moved);
    },
  };
}

/** After a save the server redirects with ?saved=<pillar>: that pillar's draft, if it is what was sent, can go. */
function dropConfirmedDraft(user, assessment) {
  const url = new URL(location.href);
  const saved = url.searchParams.get("saved");
  if (saved === null) { return; }
  const savedKey = `${user}:${assessment}:${saved}`;
  const record = drafts.load(savedKey);
  if (record && record.submitted) { drafts.remove(savedKey); }
  url.searchParams.delete("saved");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

/** Bring a draft in line with a save the server took while it was offline. */
export function settleDraft(sent) {
  const draft = drafts.load(sent.key);
  if (!draft) { return; }
  if (sameAnswers(draft.values, sent.values)) {
    drafts.remove(sent.key);
    return;
  }
  // Typed further after that save: the further typing now starts from the saved versions.
  for (const [indicator, version] of Object.entries(sent.versions)) {
    if (draft.base[indicator] === sent.base[indicator]) { draft.base[indicator] = version; }
  }
  drafts.store(sent.key, draft);
}
