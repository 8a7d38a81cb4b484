/* The checks, the preview and the file's actions, which start.js loads when the reader starts filling
   the form (with Ajv, marked and DOMPurify, the libraries they use), so that the page itself loads only
   what builds the form and keeps the draft. Nothing here runs as it loads. */
import { F, setValidator } from "./shared.js";

export { check } from "./domain-checks.js";
export { hideSummary, showInline, showSummary } from "./problems.js";
export { copy, download, emailEditors, openGithub, showResult } from "./file.js";
export { renderPreview } from "./preview.js";

/* The case schema for Ajv, as atlas check validates with it; the libraries' scripts have run. */
export function compileSchema() {
  var ajv = new window.AtlasAjv.Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  ajv.addVocabulary(["x-message", "x-vocabulary"]);
  window.AtlasAjv.addFormats(ajv, ["date", "email"]);
  setValidator(ajv.compile(F.schema));
}
