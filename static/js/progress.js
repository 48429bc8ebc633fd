// Keeps a "work in progress" message up to date without reloading the page.
// Markup: an element with data-progress-url (returning JSON {message, done,
// link?}) and aria-live="polite", containing an element with
// data-progress-message. When the work is done and the JSON carries a link
// ({url, text, after}), the message is replaced in place by that link, so a
// reader keeps their place and a screen reader hears the change; without a
// link the page reloads once to show the result. Without JavaScript, the page
// still says how to see progress.
const region = document.querySelector("[data-progress-url]");

const showLink = (message, link) => {
  const paragraph = document.createElement("p");
  paragraph.className = "govuk-body";
  paragraph.setAttribute("data-progress-message", "");
  const anchor = document.createElement("a");
  anchor.className = "govuk-link";
  anchor.href = link.url;
  anchor.setAttribute("download", "");
  anchor.textContent = link.text;
  paragraph.append(anchor, document.createTextNode(link.after || ""));
  message.replaceWith(paragraph);
};

if (region) {
  const url = region.dataset.progressUrl;
  const message = region.querySelector("[data-progress-message]");
  let delay = 1500;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        if (data.done && data.link && message) {
          showLink(message, data.link);
          region.removeAttribute("data-progress-url");
          return;
        }
        if (message && data.message) message.textContent = data.message;
        if (data.done) {
          if (!region.hasAttribute("data-progress-no-reload")) window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A network blip: try again a little later.
    }
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
}
