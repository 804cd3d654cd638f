// The visit form on a phone in a village with a weak signal: nothing typed is lost.
//
// What is being typed is kept on the phone (localStorage) as it is typed. "Save" puts the
// visit in the phone's queue with its client key, then sends it; a visit the network did
// not carry stays in the queue and is sent again when the network is back (the browser's
// "online" event, a retry every few seconds, and each time the page opens). The server
// saves a key once, so a visit sent twice (the answer lost on the way back) is one visit.
// The queue belongs to the account that filled it: another account on the same phone
// never sends it.
"use strict";

(() => {
  const form = document.querySelector("[data-offline-form]");
  if (!form || !window.localStorage) {
    return;
  }
  const owner = form.dataset.owner || "";
  const QUEUE = `tongxing.visits.queue.${owner}`;
  const DRAFT = `tongxing.visits.draft.${owner}`;
  const RETRY_MS = 5000;
  // A photo kept on the phone as text takes a third more room; localStorage holds ~5 MB.
  const LARGEST_KEPT_PHOTO = 2 * 1024 * 1024;
  const status = form.querySelector("[data-offline-status]");
  const keyField = form.querySelector("input[name=client_key]");
  let sending = false;

  function newKey() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function read(name, fallback) {
    try {
      return JSON.parse(localStorage.getItem(name)) || fallback;
    } catch (error) {
      return fallback;
    }
  }

  function write(name, value) {
    try {
      localStorage.setItem(name, JSON.stringify(value));
      return true;
    } catch (error) {
      return false; // full: the visit is still sent now if the network allows
    }
  }

  function say(text, list) {
    status.hidden = !text;
    status.textContent = text || "";
    if (list && list.length) {
      const items = document.createElement("ul");
      for (const entry of list) {
        const item = document.createElement("li");
        item.textContent = entry.label;
        item.dataset.testid = "waiting-visit";
        items.append(item);
      }
      status.append(items);
    }
  }

  function showQueue(why) {
    const queue = read(QUEUE, []);
    if (queue.length) {
      const text = why || status.dataset.textSaved;
      say(`${text} ${status.dataset.textWaiting} ${queue.length}`, queue);
    }
  }

  // --- What is typed ------------------------------------------------------------------------

  function fieldsOf() {
    const fields = [];
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        fields.push([name, value]);
      }
    }
    return fields;
  }

  function fill(fields) {
    for (const element of form.elements) {
      if (!element.name || element.type === "file" || element.name === "csrfmiddlewaretoken") {
        continue;
      }
      const values = fields.filter(([name]) => name === element.name).map(([, v]) => v);
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = values.includes(element.value);
      } else if (values.length) {
        element.value = values[0];
      }
    }
  }

  function saveDraft() {
    write(DRAFT, fieldsOf());
  }

  function restoreDraft() {
    const draft = read(DRAFT, null);
    if (draft && draft.length) {
      fill(draft);
    }
    if (!keyField.value) {
      keyField.value = newKey();
    }
  }

  function photoOf() {
    const input = form.querySelector("input[type=file][name=photo]");
    const file = input && input.files && input.files[0];
    if (!file || file.size > LARGEST_KEPT_PHOTO) {
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve({ name: file.name, type: file.type, data: reader.result });
      reader.onerror = () => resolve(null);
      reader.readAsDataURL(file);
    });
  }

  function labelOf(fields) {
    const chosen = (name) => {
      const select = form.querySelector(`select[name=${name}]`);
      const value = (fields.find(([n]) => n === name) || [])[1];
      if (select && value) {
        const option = Array.from(select.options).find((o) => o.value === value);
        return option ? option.textContent : value;
      }
      return value || "";
    };
    const day = chosen("visited_on");
    const whom = chosen("household") || chosen("registry_number") || chosen("village");
    return `${day} ${whom}`.trim();
  }

  // --- Sending ----------------------------------------------------------------------------

  function blobOf(photo) {
    const [head, body] = photo.data.split(",");
    const bytes = atob(body);
    const array = new Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i += 1) {
      array[i] = bytes.charCodeAt(i);
    }
    return new Blob([array], { type: head.slice(5).split(";")[0] || photo.type });
  }

  function forget(key) {
    write(
      QUEUE,
      read(QUEUE, []).filter((entry) => entry.key !== key)
    );
  }

  function showErrors(entry, errors) {
    fill(entry.fields);
    keyField.value = entry.key;
    for (const old of form.querySelectorAll(".error.from-server")) {
      old.remove();
    }
    for (const [name, messages] of Object.entries(errors)) {
      const place = form.querySelector(`[data-field="${name}"]`) || status;
      for (const message of messages) {
        const span = document.createElement("span");
        span.className = "error from-server";
        span.setAttribute("role", "alert");
        span.textContent = message.message;
        place.append(span);
      }
    }
  }

  async function send(entry) {
    const body = new FormData();
    for (const [name, value] of entry.fields) {
      body.append(name, value);
    }
    if (entry.photo) {
      body.append("photo", blobOf(entry.photo), entry.photo.name);
    }
    const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    const response = await fetch(form.action || window.location.href, {
      method: "POST",
      body,
      credentials: "same-origin",
      // A login page the server sends a signed-out phone to is no answer: keep the visit.
      redirect: "manual",
      headers: { Accept: "application/json", "X-CSRFToken": token },
    });
    return response;
  }

  async function sendQueue() {
    if (sending) {
      return;
    }
    sending = true;
    try {
      for (const entry of read(QUEUE, [])) {
        let response;
        try {
          response = await send(entry);
        } catch (error) {
          showQueue(); // no network: it stays on the phone
          return;
        }
        const saved = (response.status === 200 || response.status === 201)
          && (response.headers.get("Content-Type") || "").startsWith("application/json");
        if (saved) {
          forget(entry.key);
          say(status.dataset.textSent);
          status.dataset.sent = entry.key;
        } else if (response.status === 400) {
          forget(entry.key);
          say(status.dataset.textRefused);
          showErrors(entry, (await response.json()).errors || {});
          saveDraft();
          return;
        } else {
          showQueue(status.dataset.textFailed); // signed out, or the server failed: kept
          return;
        }
      }
    } finally {
      sending = false;
    }
  }

  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = fieldsOf();
    const entry = { key: keyField.value || newKey(), fields, label: labelOf(fields) };
    entry.photo = await photoOf();
    const queue = read(QUEUE, []).filter((other) => other.key !== entry.key);
    queue.push(entry);
    write(QUEUE, queue);
    // The form is free for the next visit, with a key of its own.
    form.reset();
    keyField.value = newKey();
    localStorage.removeItem(DRAFT);
    showQueue();
    sendQueue();
  });
  window.addEventListener("online", sendQueue);
  window.setInterval(() => {
    if (read(QUEUE, []).length) {
      sendQueue();
    }
  }, RETRY_MS);

  restoreDraft();
  showQueue();
  sendQueue();
})();
