// Keeps a "work in progress" message up to date without reloading the page,
// so nothing typed elsewhere on the page is lost. Markup: an element with
// data-progress-url (returning JSON {message, done, link?}) and
// aria-live="polite", containing an element with data-progress-message. Each
// answer's message replaces the old one in place, so a screen reader hears
// the change. When the work is done and the JSON carries a link ({url, text,
// after, download?}), the message becomes that link (a download, or the page
// again with the result on it, which the person follows when they choose).
// The page never reloads itself. Without JavaScript, the page still says how
// to see progress.
const region = document.querySelector("[data-progress-url]");

const showMessage = (message, data) => {
  const paragraph = document.createElement("p");
  paragraph.className = "govuk-body";
  paragraph.setAttribute("data-progress-message", "");
  if (data.link) {
    if (data.message && !data.link.download) {
      paragraph.append(document.createTextNode(`${data.message}. `));
    }
    const anchor = document.createElement("a");
    anchor.className = "govuk-link";
    anchor.href = data.link.url;
    if (data.link.download) anchor.setAttribute("download", "");
    anchor.textContent = data.link.text;
    paragraph.append(anchor, document.createTextNode(data.link.after || ""));
  } else {
    paragraph.textContent = data.message;
  }
  message.replaceWith(paragraph);
  return paragraph;
};

if (region) {
  const url = region.dataset.progressUrl;
  let message = region.querySelector("[data-progress-message]");
  let delay = 1500;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok || response.status === 410) {
        const data = await response.json();
        if (message && (data.done || (data.message && data.message !== message.textContent))) {
          message = showMessage(message, data);
        }
        if (data.done) {
          region.removeAttribute("data-progress-url");
          // Anything else in the region ("refresh this page") is out of date now.
          for (const other of region.querySelectorAll("[data-progress-while]")) other.remove();
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
