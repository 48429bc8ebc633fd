// Keeps a "work in progress" message up to date without reloading the page.
// Markup: an element with data-progress-url (returning JSON {message, done})
// that contains an element with data-progress-message. When the work is
// done the page reloads once to show the result. Without JavaScript, the
// page still says how to see progress (a refresh link).
const region = document.querySelector("[data-progress-url]");

if (region) {
  const url = region.dataset.progressUrl;
  const message = region.querySelector("[data-progress-message]");
  let delay = 1500;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        if (message && data.message) message.textContent = data.message;
        if (data.done) {
          window.location.reload();
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
