// What a pillar form holds, as plain data the page, the local draft and the service worker share.
// Values are {field name: text}; a radio group or checkbox appears only when something is ticked,
// exactly as in the body the browser posts. Versions are {indicator key: version it was typed against}.

const NOT_ANSWERS = new Set(["csrf_token", "save", "save_next"]);
const VERSION = "-version";
// The fingerprint of the answer as the page showed it: posted with the answers (so the server
// keeps a colleague's newer value where this one was left alone) and restored with a draft, but
// not something the user typed, so never a reason to offer a draft back.
const SHOWN = "-shown";

export function isVersionField(name) {
  return name.endsWith(VERSION);
}

/** The indicator a field belongs to ("legal__x-comment" -> "legal__x"). */
export function indicatorOf(name) {
  return name.split("-")[0];
}

/** The answers in a list of posted [name, value] pairs (a FormData or URLSearchParams). */
export function answersIn(pairs) {
  const values = {};
  for (const [name, value] of pairs) {
    if (NOT_ANSWERS.has(name) || isVersionField(name) || typeof value !== "string") { continue; }
    // Browsers post textarea line breaks as CRLF but show them as LF: compare like with like.
    values[name] = value.replace(/\r\n/g, "\n");
  }
  return values;
}

/** The answers a form would post now (disabled, locked indicators are not posted, so not kept). */
export function answers(form) {
  return answersIn(new FormData(form));
}

/** The version of each answer the form was built from, as posted in its hidden fields. */
export function versionsIn(pairs) {
  const versions = {};
  for (const [name, value] of pairs) {
    if (isVersionField(name)) { versions[indicatorOf(name)] = String(value); }
  }
  return versions;
}

export function versions(form) {
  return versionsIn(new FormData(form));
}

/** The names of the fields a user typed or ticked in a set of values. */
function typedNames(values) {
  return Object.keys(values).filter((name) => !name.endsWith(SHOWN));
}

export function sameAnswers(a, b) {
  const names = typedNames(a);
  return names.length === typedNames(b).length && names.every((name) => b[name] === a[name]);
}

/** Indicators whose answers differ between two sets of values. */
export function changedIndicators(a, b) {
  const changed = new Set();
  for (const name of new Set([...typedNames(a), ...typedNames(b)])) {
    if (a[name] !== b[name]) { changed.add(indicatorOf(name)); }
  }
  return changed;
}

/**
 * Put answers (and the versions they were typed against) back into the form, for the given
 * indicators only, or all. Locked indicators are left alone: they would not be posted anyway.
 */
export function fill(form, values, versionsByIndicator, only) {
  for (const el of Array.from(form.elements)) {
    const name = el.name;
    if (!name || NOT_ANSWERS.has(name) || el.form !== form || el.matches(":disabled")) { continue; }
    const indicator = indicatorOf(name);
    if (only && !only.has(indicator)) { continue; }
    if (isVersionField(name)) {
      if (versionsByIndicator && indicator in versionsByIndicator) { el.value = versionsByIndicator[indicator]; }
    } else if (el.type === "radio" || el.type === "checkbox") {
      el.checked = values[name] === el.value;
    } else if (el.type !== "submit" && el.type !== "button") {
      el.value = name in values ? values[name] : "";
    }
  }
}

/** Set the hidden version fields of the given indicators. */
export function setVersions(form, versionsByIndicator) {
  for (const [indicator, version] of Object.entries(versionsByIndicator)) {
    const field = form.elements.namedItem(indicator + VERSION);
    if (field && !field.matches(":disabled")) { field.value = version; }
  }
}
