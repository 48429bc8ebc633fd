// Logging a pile of paper cards: after one is logged, the page comes back
// with the reference box ready for the next card, so the whole pile can be
// typed from the keyboard alone. Only then (the page says so with
// data-next-card on <form>): a page opened afresh starts at the skip link as
// every page does. Without JavaScript, Tab reaches the box first in the form.
// On "load", after GOV.UK Frontend has focused the success banner (which a
// screen reader has then begun to read: "Card … logged as …").
window.addEventListener("load", () => {
  const form = document.querySelector("form[data-next-card]");
  form?.querySelector("input[name=reference]")?.focus();
});
