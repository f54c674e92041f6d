// Posting a message in an indicator's discussion without leaving the questionnaire, so answers
// typed and not saved yet stay on the screen. Without JavaScript the message form posts as usual.

export function enhanceComments(offlineMessage) {
  for (const form of document.querySelectorAll("form.comment-form")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      post(form, event.submitter, offlineMessage);
    });
  }
}

async function post(form, button, offlineMessage) {
  const thread = document.getElementById("thread-" + form.id.slice("comment-".length));
  if (button) { button.disabled = true; }
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST", body: new URLSearchParams(new FormData(form)), credentials: "same-origin",
    });
  } catch (error) {
    if (button) { button.disabled = false; }
    say(thread, offlineMessage, "flash-error");
    return;
  }
  const page = response.ok && response.redirected && thread
    ? new DOMParser().parseFromString(await response.text(), "text/html") : null;
  const fresh = page && page.getElementById(thread.id);
  if (!fresh) {
    // Refused or unexpected: let the server's own page explain (the draft keeps the answers).
    HTMLFormElement.prototype.submit.call(form);
    return;
  }
  thread.replaceWith(fresh);
  // The server's confirmation ("Your message is posted."), already in the reader's language.
  const confirmation = page.querySelector(".flash-success");
  say(fresh, confirmation && confirmation.textContent, "flash-success");
}

function say(thread, text, kind) {
  if (!thread || !text) { return; }
  let line = thread.querySelector(".thread-status");
  if (!line) {
    line = document.createElement("p");
    line.className = "flash thread-status";
    line.setAttribute("role", "status");
    thread.prepend(line);
  }
  line.classList.remove("flash-error", "flash-success");
  line.classList.add(kind);
  line.textContent = text;
}
