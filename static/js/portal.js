// Starts GOV.UK Frontend's components. Loaded as a module from base.html so no
// inline script is needed (the Content Security Policy forbids inline scripts).
import { initAll } from "../dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
