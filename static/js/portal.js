// Starts GOV.UK Frontend's components. Loaded as a module from base.html so no
// inline script is needed (the Content Security Policy forbids inline scripts).
import { initAll } from "../dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Conditional reveals (see templates/gds/layout/conditional_question.html):
// the questions under a radio show only while it is chosen. Without
// JavaScript they all show, which still works.
function syncReveals() {
  for (const input of document.querySelectorAll("input[data-app-reveal]")) {
    const target = document.getElementById(input.dataset.appReveal);
    if (target) target.classList.toggle("govuk-radios__conditional--hidden", !input.checked);
  }
}
for (const input of document.querySelectorAll("input[data-app-reveal]")) {
  for (const radio of document.querySelectorAll(`input[name="${CSS.escape(input.name)}"]`)) {
    radio.addEventListener("change", syncReveals);
  }
}
syncReveals();
window.addEventListener("pageshow", syncReveals);

// A wide table scrolls sideways inside its region (the table_region tag), which
// the server makes focusable so it can be scrolled from the keyboard. Where the
// table fits, nothing scrolls and the region would be a tab stop doing nothing:
// it is focusable only while it scrolls (checked again when the page resizes).
function syncScrollRegions() {
  for (const region of document.querySelectorAll(".app-table-scroll")) {
    if (region.scrollWidth > region.clientWidth) {
      region.setAttribute("tabindex", "0");
    } else if (region !== document.activeElement) {
      region.removeAttribute("tabindex");
    }
  }
}
syncScrollRegions();
window.addEventListener("resize", syncScrollRegions);
