// Talking to the service worker from a page. Everything here is an enhancement: without a
// worker (old browser, first visit still installing, private mode) the page works as before.

const supported = "serviceWorker" in navigator;
let registration = null;

export function register() {
  if (!supported) { return Promise.resolve(null); }
  registration = navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .catch(() => null);
  return registration;
}

/**
 * Send a message to the worker and wait for its answer: null if there is no worker, or no
 * answer in time (a worker still installing, or one that failed to, must not hold the page up).
 */
export function ask(message, timeout = 5000) {
  if (!registration) { return Promise.resolve(null); }
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeout);
    registration.then((ready) => {
      const worker = ready && (navigator.serviceWorker.controller || ready.active);
      if (!worker) { clearTimeout(timer); resolve(null); return; }
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
    });
  });
}

/** Call back whenever the worker says its queue of saves changed. */
export function onChange(callback) {
  if (!supported) { return; }
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "changed") { callback(); }
  });
}
