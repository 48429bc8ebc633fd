// Nothing typed is lost when a staff session ends (WCAG 2.2.1 Timing adjustable).
//
// 1. Drafts. On a signed-in page, what is typed into a POST form (and differs
//    from what the page came with) is kept in this tab's sessionStorage, per
//    page and form, never in an address or a log. When a form is sent the
//    draft is marked "sent". The next page decides:
//    - a sign-in, two-factor or "you have been signed out" page
//      (body[data-keep-drafts]): the form did not get through, the session
//      had ended: the draft is kept as "interrupted";
//    - any other page: the form got through (saved, or shown again with its
//      errors and the text kept by the server): the draft is dropped.
//    An interrupted draft is put back into its form when the same person
//    opens the same page again (sign-in brings them back to it), and only
//    into fields still as the page made them. Signing out on purpose drops
//    every draft; so does closing the tab, and an interrupted draft is
//    dropped after an hour.
// 2. The timeout warning (templates/core/_timeout_warning.html, the GOV.UK
//    timeout warning pattern). Its timing comes from the server
//    (core.two_factor.SessionStatusView), asked when the page opens, when the
//    tab is shown again and before warning or signing out, so a kept page or
//    work in another tab is taken into account. Two minutes before the end a
//    modal dialog opens; "Stay signed in" (or Escape) renews the session on
//    the server; when time runs out the drafts on the page are kept and the
//    person is signed out and shown a page that says so.
const PREFIX = "sendportal-draft:";
const INTERRUPTED_FOR_MS = 60 * 60 * 1000;
const TEXT_TYPES = new Set(["text", "email", "tel", "url", "search", "number", "date", ""]);

const store = (() => {
  try {
    const s = window.sessionStorage;
    s.setItem(`${PREFIX}test`, "1");
    s.removeItem(`${PREFIX}test`);
    return s;
  } catch (error) {
    return null; // storage switched off: the warning still works
  }
})();

const dialog = document.getElementById("app-timeout");
const owner = dialog ? dialog.dataset.owner : null;
const here = window.location.pathname + window.location.search;

const draftForms = () =>
  [...document.querySelectorAll("form")].filter(
    (form) => form.method === "post" && !form.hasAttribute("data-no-draft"),
  );

const editableFields = (form) =>
  [...form.querySelectorAll("textarea, input")].filter(
    (field) =>
      field.name &&
      !field.disabled &&
      !field.readOnly &&
      !/one-time-code|password/.test(field.getAttribute("autocomplete") || "") &&
      (field.tagName === "TEXTAREA" || TEXT_TYPES.has(field.getAttribute("type") || "")),
  );

const keyFor = (form, index) =>
  `${PREFIX}${owner}|${here}|${index}|${form.getAttribute("action") || ""}`;

const allDrafts = () => {
  const out = [];
  if (!store) return out;
  for (let i = 0; i < store.length; i += 1) {
    const key = store.key(i);
    if (key && key.startsWith(PREFIX)) {
      try {
        out.push([key, JSON.parse(store.getItem(key))]);
      } catch (error) {
        out.push([key, null]);
      }
    }
  }
  return out;
};

const put = (key, draft) => {
  try {
    store.setItem(key, JSON.stringify(draft));
  } catch (error) {
    // Full or refused: the server still has every sent form.
  }
};

const saveDraft = (form, index, state = "typing") => {
  if (!store || !owner) return;
  const fields = [];
  editableFields(form).forEach((field, position) => {
    if (field.value !== field.defaultValue) fields.push([position, field.name, field.value]);
  });
  const key = keyFor(form, index);
  if (!fields.length) {
    store.removeItem(key);
    return;
  }
  put(key, { owner, page: here, state, at: Date.now(), fields });
};

const dropAllDrafts = () => {
  for (const [key] of allDrafts()) store.removeItem(key);
};

const restore = (form, draft) => {
  const fields = editableFields(form);
  let restored = false;
  for (const [position, name, value] of draft.fields) {
    const field = fields[position];
    if (field && field.name === name && field.value === field.defaultValue) {
      field.value = value;
      restored = true;
    }
  }
  if (restored) {
    const note = document.createElement("div");
    note.className = "govuk-inset-text app-draft-restored";
    const text = document.createElement("p");
    text.className = "govuk-body";
    text.textContent =
      "We have put back what you typed before you were signed out. Check it, then send it.";
    note.append(text);
    form.before(note);
    note.scrollIntoView({ block: "center" }); // back where they were typing
  }
};

// What the last page left behind.
if (store) {
  const keep = document.body.hasAttribute("data-keep-drafts");
  const now = Date.now();
  const forms = draftForms();
  for (const [key, draft] of allDrafts()) {
    if (!draft) {
      store.removeItem(key);
    } else if (keep) {
      if (draft.state === "sent") put(key, { ...draft, state: "interrupted", at: now });
      else if (draft.state !== "interrupted") store.removeItem(key);
    } else if (draft.state !== "interrupted" || now - draft.at > INTERRUPTED_FOR_MS) {
      store.removeItem(key);
    } else if (owner && draft.owner !== owner) {
      store.removeItem(key); // someone else signed in, in this tab
    } else if (owner && draft.page === here) {
      const index = forms.findIndex((form, i) => keyFor(form, i) === key);
      if (index >= 0) restore(forms[index], draft);
      store.removeItem(key);
      if (index >= 0) saveDraft(forms[index], index);
    }
  }
}

// Keep what is typed from now on.
if (store && owner) {
  draftForms().forEach((form, index) => {
    form.addEventListener("input", () => saveDraft(form, index));
    form.addEventListener("change", () => saveDraft(form, index));
    form.addEventListener("submit", () => saveDraft(form, index, "sent"));
  });
}
for (const form of document.querySelectorAll("form[data-sign-out]")) {
  form.addEventListener("submit", () => {
    if (store) dropAllDrafts();
  });
}

// --- The timeout warning ---------------------------------------------------------

const duration = (seconds) => {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
};

if (dialog) {
  const statusUrl = dialog.dataset.statusUrl;
  const warnMs = Number(dialog.dataset.warnSeconds) * 1000;
  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const spoken = dialog.querySelector("[data-timeout-spoken]");
  const stayForm = dialog.querySelector("form[data-timeout-stay]");
  const timeoutForm = document.querySelector("form[data-timeout-sign-out]");
  let deadline = null; // Date.now() at which the session ends
  let timer = null;
  let ticker = null;
  let lastSpoken = null;
  let returnFocus = null;
  let signingOut = false;

  // Seconds left, 0 when signed out, null when the server could not be asked.
  const ask = async (url, options = {}) => {
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        ...options,
        headers: { Accept: "application/json" },
      });
      if (response.type === "opaqueredirect" || response.status === 403) return 0;
      if (!response.ok) return null;
      const data = await response.json();
      return data.signed_in ? Number(data.seconds_left) : 0;
    } catch (error) {
      return null;
    }
  };

  const signOut = () => {
    if (signingOut) return;
    signingOut = true;
    window.clearTimeout(timer);
    window.clearTimeout(ticker);
    draftForms().forEach((form, index) => saveDraft(form, index, "interrupted"));
    timeoutForm.submit(); // submit() fires no submit event: the drafts stay
  };

  const closeWarning = () => {
    window.clearTimeout(ticker);
    if (dialog.open) {
      dialog.close();
      if (returnFocus && document.contains(returnFocus)) returnFocus.focus();
    }
  };

  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = duration(left);
    // Read out when the dialog opens and every 30 seconds, not every second.
    const step = Math.ceil(left / 30);
    if (step !== lastSpoken) {
      lastSpoken = step;
      spoken.textContent = `For your security, we will sign you out in ${duration(left)}.`;
    }
    if (left <= 0) {
      // Ask once more: work in another tab may have moved the end on.
      sync(true);
      return;
    }
    // Just after the next whole second, so no second is shown twice.
    ticker = window.setTimeout(tick, ((deadline - Date.now()) % 1000) + 20);
  };

  const openWarning = () => {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      lastSpoken = null;
      dialog.showModal();
      stayForm.querySelector("button").focus();
    }
    window.clearTimeout(ticker);
    tick();
  };

  const plan = () => {
    window.clearTimeout(timer);
    const now = Date.now();
    if (deadline === null) {
      timer = window.setTimeout(() => sync(), 30 * 1000);
    } else if (deadline - now <= warnMs) {
      openWarning();
    } else {
      closeWarning();
      timer = window.setTimeout(() => sync(), deadline - warnMs - now);
    }
  };

  const sync = async (atTheEnd = false) => {
    const left = await ask(statusUrl);
    if (left === 0 || (left === null && atTheEnd)) {
      signOut();
      return;
    }
    if (left !== null) deadline = Date.now() + left * 1000;
    plan();
  };

  const stay = async () => {
    const left = await ask(stayForm.action, { method: "POST", body: new FormData(stayForm) });
    if (left === 0) {
      signOut();
      return;
    }
    if (left !== null) deadline = Date.now() + left * 1000;
    closeWarning();
    plan();
  };

  stayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    stay();
  });
  dialog.addEventListener("cancel", (event) => {
    // Escape keeps the person signed in, as the button does.
    event.preventDefault();
    stay();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !signingOut) sync();
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) sync();
  });
  sync();
}
