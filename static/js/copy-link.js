// "Copy link" beside a link the reader must keep (the private link shown
// after sending feedback). Markup: an element with data-copy-link (the id of
// the link) and data-copy-status (the id of an empty role="status" element),
// hidden, containing a button. The button is shown only where the browser
// lets a page copy (the Clipboard API needs HTTPS or localhost); without
// JavaScript the link itself can still be opened, bookmarked or copied.
for (const box of document.querySelectorAll("[data-copy-link]")) {
  const link = document.getElementById(box.dataset.copyLink);
  const status = document.getElementById(box.dataset.copyStatus);
  const button = box.querySelector("button");
  if (!link || !status || !button || !navigator.clipboard?.writeText) continue;

  button.addEventListener("click", async () => {
    // Emptied first, so that copying twice is announced twice.
    status.textContent = "";
    try {
      await navigator.clipboard.writeText(link.href);
      status.textContent = "Link copied";
    } catch {
      status.textContent = "The link could not be copied. Select it and copy it yourself.";
    }
  });
  box.hidden = false;
}
