// One build for the whole package: the runtime bundle (dist/openlem.js, CommonJS as Node-RED
// loads it, with the OpenLEM packages and their dependencies inside, so installing needs
// nothing else), the editor HTML with each node's help from its markdown doc
// (dist/openlem.html), the en-US message catalogue and the icons.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { nodes } from "./editor-defs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "locales", "en-US"), { recursive: true });

await build({
  entryPoints: [join(root, "src", "index.ts")],
  outfile: join(dist, "openlem.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  conditions: ["@openlem/source"],
  // Node-RED calls module.exports(RED)
  footer: { js: "module.exports = module.exports.default;" },
  logLevel: "warning",
});
writeFileSync(join(dist, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

// the edit dialogs' checks: the runtime's own option schemas, bundled for the editor
const editorRules = await build({
  entryPoints: [join(root, "src", "editor", "rules.ts")],
  bundle: true,
  platform: "browser",
  target: "es2020",
  format: "iife",
  globalName: "OpenLEMEditor",
  conditions: ["@openlem/source"],
  minify: true,
  write: false,
  logLevel: "warning",
});
// served by Node-RED from the package's resources/ (not inlined: it carries zod), cached by the browser
const resources = join(root, "resources");
rmSync(resources, { recursive: true, force: true });
mkdirSync(resources, { recursive: true });
writeFileSync(join(resources, "editor-rules.js"), editorRules.outputFiles[0].text);
// and the same module here, to know which fields it checks
const rulesEsm = await build({
  entryPoints: [join(root, "src", "editor", "rules.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  conditions: ["@openlem/source"],
  write: false,
  logLevel: "warning",
});
const { checkedFields, configVersion } = await import(
  `data:text/javascript;base64,${Buffer.from(rulesEsm.outputFiles[0].text).toString("base64")}`
);

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
const short = (type) => type.replace(/^openlem-/, "");

function defaults(node, checked) {
  const out = {};
  for (const f of node.fields) {
    if (f.config) out[f.name] = { type: f.config, required: !!f.required };
    else {
      const d = { value: f.default ?? "" };
      if (f.required) d.required = true;
      // a field the runtime's schema knows is checked by that schema; others by Node-RED's own
      if (checked.includes(f.name)) d.validate = `@check:${f.name}`;
      else if (f.number) d.validate = `RED.validators.number(${f.blank ? "true" : ""})`;
      out[f.name] = d;
    }
  }
  // the settings version new nodes start at; older ones are migrated (src/migrations.ts)
  out.version = { value: configVersion(node.type) };
  // validators are code, not JSON
  return JSON.stringify(out, null, 2)
    .replace(/"(RED\.validators\.number\(\w*\))"/g, "$1")
    .replace(
      /"@check:(\w+)"/g,
      (_, field) =>
        // two arguments: Node-RED (3.x on) then takes a returned string as "invalid, because"
        // `this` is the node: the rules between its fields are checked too
        `function (v, opt) { return typeof OpenLEMEditor === "undefined" || OpenLEMEditor.check(${JSON.stringify(node.type)}, ${JSON.stringify(field)}, v, this); }`,
    );
}

/** Shows the price limit's own field: the price for absolute limits, the share for relative ones. */
function editPrepare(node) {
  const prefix = node.category === "config" ? "node-config-input" : "node-input";
  // the dialog's fields are filled before this runs: migrated values go into them too
  const migrate = `if (typeof OpenLEMEditor !== "undefined") {
        var node = this, from = node.version;
        OpenLEMEditor.migrateInPlace(node);
        if (node.version !== from) {
          ${JSON.stringify(node.fields.filter((f) => !f.config).map((f) => f.name))}.forEach(function (f) {
            $("#${prefix}-" + f).val(node[f] === undefined ? "" : node[f]);
          });
        }
      }`;
  if (!node.fields.some((f) => f.name === "limit"))
    return `oneditprepare: function () {
      ${migrate}
    },`;
  return `oneditprepare: function () {
      ${migrate}
      $("#node-input-limit").on("change", function () {
        var relative = $(this).val() === "relative";
        $("#node-input-maxBuyPrice").closest(".form-row").toggle(!relative);
        $("#node-input-cheapestShare").closest(".form-row").toggle(relative);
      }).trigger("change");
    },`;
}

function row(node, f, prefix) {
  const id = `${prefix}-${f.name}`;
  const label = `<label for="${id}"><span data-i18n="${node.type}.label.${f.name}"></span></label>`;
  if (f.select) {
    const options = f.select.map(([v, text]) => `<option value="${esc(v)}">${esc(text)}</option>`).join("");
    return `<div class="form-row">${label}<select id="${id}">${options}</select></div>`;
  }
  const type = f.password ? "password" : "text";
  const placeholder = f.placeholder ? ` placeholder="${esc(f.placeholder)}"` : "";
  return `<div class="form-row">${label}<input type="${type}" id="${id}"${placeholder}></div>`;
}

const catalogue = {};
let html = `<script type="text/javascript" src="resources/@openlem/node-red-contrib-openlem/editor-rules.js"></script>
`;
for (const node of nodes) {
  const config = node.category === "config";
  const prefix = config ? "node-config-input" : "node-input";
  const labels = Object.fromEntries([...node.fields, ...(node.credentials ?? [])].map((f) => [f.name, f.label]));
  catalogue[node.type] = { label: labels, paletteLabel: node.paletteLabel };
  const credentials = node.credentials
    ? `credentials: ${JSON.stringify(Object.fromEntries(node.credentials.map((c) => [c.name, { type: c.password ? "password" : "text" }])))},`
    : "";
  const label = config
    ? `function () { return this.name || this.community + " / " + this.household; }`
    : `function () { return this.name || ${JSON.stringify(node.paletteLabel)}; }`;
  html += `
<script type="text/javascript">
  RED.nodes.registerType(${JSON.stringify(node.type)}, {
    category: ${JSON.stringify(config ? "config" : "OpenLEM")},
    color: "#9fd49a",
    defaults: ${defaults(node, checkedFields(node.type))},
    ${editPrepare(node)}
    ${credentials}
    ${config ? "" : `inputs: ${node.inputs}, outputs: ${node.outputs}, outputLabels: ${JSON.stringify(node.outputLabels)},`}
    icon: "openlem.svg",
    paletteLabel: ${JSON.stringify(node.paletteLabel)},
    label: ${label}
  });
</script>
<script type="text/html" data-template-name="${node.type}">
${[...node.fields, ...(node.credentials ?? [])].map((f) => `  ${row(node, f, prefix)}`).join("\n")}
</script>
<script type="text/markdown" data-help-name="${node.type}">
${readFileSync(join(root, "src", "nodes", short(node.type), "help.md"), "utf8").replace(/<\/script/gi, "<\\/script")}
</script>
`;
}
writeFileSync(join(dist, "openlem.html"), html);
writeFileSync(join(dist, "locales", "en-US", "openlem.json"), `${JSON.stringify(catalogue, null, 2)}\n`);
cpSync(join(root, "icons"), join(dist, "icons"), { recursive: true });
console.log(`built ${nodes.length} nodes into ${dist}`);
