// Builds the portal's stylesheet and script from the govuk-frontend npm package.
//
// The council's brand comes from the environment, so one codebase serves any
// local area: BRAND_COLOUR (hex) and BRAND_FONT_STACK (a CSS font-family list).
// Nothing from node_modules is committed; this writes to static/dist/ (ignored).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = join(here, "dist");

const brandColour = process.env.BRAND_COLOUR || "#1d5d90";
if (!/^#[0-9a-fA-F]{6}$/.test(brandColour)) {
  throw new Error(`BRAND_COLOUR must be a 6-digit hex colour like #1d5d90, not ${brandColour}`);
}
// A council is not GOV.UK: no GDS Transport, a system font stack by default.
const fontStack =
  process.env.BRAND_FONT_STACK ||
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
if (/GDS Transport/i.test(fontStack) || /[;{}]/.test(fontStack)) {
  throw new Error("BRAND_FONT_STACK must be a plain font-family list and not GDS Transport");
}

const entry = `
@use "sass:string";
@use "govuk-frontend/dist/govuk" as * with (
  $govuk-assets-path: "/static/dist/govuk/assets/",
  $govuk-font-family: string.unquote('${fontStack.replace(/'/g, '"')}'),
  $govuk-include-default-font-face: false,
  $govuk-brand-colour: ${brandColour},
  $govuk-link-colour: ${brandColour}
);
@use "portal";
`;

mkdirSync(out, { recursive: true });
const result = sass.compileString(entry, {
  loadPaths: [join(root, "node_modules"), join(here, "scss")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(join(out, "portal.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });
console.log(`static/dist/portal.css built (${result.css.length} bytes, brand ${brandColour})`);
