/* The schema's checks: Ajv's errors, worded as atlas check words them. */
import { F, validateSchema } from "./shared.js";
import { codePoints, format, keyPath, pyRepr, pyStr } from "./text.js";

// --- the schema's checks, worded as atlas check words them --------------------------------

function pointerParts(pointer, data) {
  if (!pointer) return [];
  var node = data;
  return pointer.split("/").slice(1).map(function (segment) {
    var key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    var part = Array.isArray(node) ? Number(key) : key;
    node = node == null ? undefined : node[part];
    return part;
  });
}

function describe(instance) {
  var M = F.messages.schema;
  if (instance === true || instance === false) return instance ? "true" : "false";
  if (instance === null || instance === undefined) return "empty";
  if (typeof instance === "string") return "text";
  if (typeof instance === "number") return format(M["type.number"], { instance: instance });
  if (Array.isArray(instance)) return "a list";
  return "a set of fields";
}

function sameValue(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

function firstDuplicate(items) {
  for (var i = 0; i < items.length; i++) {
    for (var j = 0; j < i; j++) if (sameValue(items[i], items[j])) return items[i];
  }
  return items.length ? items[0] : null;
}

function schemaMessage(error) {
  var M = F.messages.schema;
  var kind = error.keyword, value = error.schema, instance = error.data, schema = error.parentSchema || {};
  switch (kind) {
    case "enum":
      return format(M.enum, { instance: instance, hint: "", options: value.map(pyStr).join(", ") });
    case "type": {
      var expected = Array.isArray(value) ? value : [value];
      var wanted = expected.map(function (t) { return F.messages.types[t] || t; }).join(M["type.or"]);
      var hint = "";
      if (expected.indexOf("array") >= 0 && typeof instance === "string") {
        hint = format(M["type.list-hint"], { instance: instance });
      } else if (expected.length === 1 && expected[0] === "string" && typeof instance === "number") {
        hint = M["type.quote-hint"];
      }
      return format(M.type, { wanted: wanted, got: describe(instance), hint: hint });
    }
    case "minLength":
    case "maxLength":
      var length = codePoints(instance);
      return format(M[kind], { length: length, limit: value, plural: length !== 1 ? "s" : "" });
    case "minItems":
      return format(M.minItems, { limit: value, plural: value !== 1 ? "s" : "" });
    case "maxItems":
      return format(M.maxItems, { count: instance.length, limit: value });
    case "uniqueItems":
      return format(M.uniqueItems, { duplicate: firstDuplicate(instance) });
    case "minProperties":
      return format(M.minProperties, { options: Object.keys(schema.properties || {}).join(", ") });
    case "format":
      if (value === "date") return format(M["format.date"], { instance: instance });
      return format(M.format, { instance: instance, format: value });
    case "const":
      return format(M.const, { value: value === true ? "true" : value === false ? "false" : pyRepr(value) });
    case "pattern":
      return M.pattern;
    case "minimum": case "maximum": case "exclusiveMinimum": case "exclusiveMaximum":
      return format(M[kind], { limit: value });
    default:
      return error.message;
  }
}

export function schemaProblems(data) {
  var M = F.messages.schema;
  var problems = [];
  validateSchema(data);
  (validateSchema.errors || []).forEach(function (error) {
    var parts = pointerParts(error.instancePath, data);
    var schema = error.parentSchema || {};
    var kind = error.keyword;
    if (kind === "required") {
      var name = error.params.missingProperty;
      var about = ((schema.properties || {})[name] || {}).description || "";
      var hint = about ? format(M["required.hint"], { description: about }) : "";
      problems.push(problem(parts.concat([name]), "error", format(M.required, { hint: hint }), "schema.required"));
    } else if (kind === "additionalProperties") {
      var allowed = Object.keys(schema.properties || {}).join(", ");
      problems.push(problem(parts.concat([error.params.additionalProperty]), "error",
        format(M["unknown-key"], { hint: format(M["unknown-key.allowed"], { allowed: allowed }) }), "schema.unknown-key"));
    } else if (schema["x-message"] && ["pattern", "format", "const"].indexOf(kind) >= 0) {
      problems.push(problem(parts, "error", schema["x-message"], "schema." + kind));
    } else {
      problems.push(problem(parts, "error", schemaMessage(error), "schema." + kind));
    }
  });
  return problems;
}

export function problem(parts, severity, message, rule) {
  return { parts: parts, key: parts === null ? "" : keyPath(parts), severity: severity, message: message, rule: rule };
}
