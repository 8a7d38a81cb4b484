/* What the form's modules share: case-form.json and its compiled schema once loaded, the published
   slugs, what the person has done. Others read these live and change them only by the setters. */
export var root = document.getElementById("atlas-submit");

export var F = null; // case-form.json
export var validateSchema = null;
export var existing = {}; // slug -> title of the published cases
export var state = { rows: {}, slugEdited: false, mailedAt: 0 }; // mailedAt: when the email link was followed
export var touched = {}; // field names a person has left after typing: their errors show as they go
export var submitted = false;
export var dirty = false; // typed since the file was last downloaded, copied or sent

export function setFormData(data) { F = data; }
export function setValidator(validate) { validateSchema = validate; }
export function setTouched(names) { touched = names; }
export function setSubmitted(value) { submitted = value; }
export function setDirty(value) { dirty = value; }
