#!/usr/bin/env node
// Lints a Dockerfile with dockerfile-utils (the Docker builder's own rules: syntax, flags,
// instructions) and dockerfilelint (conventions: pinned base images, apt-get flags, ...).
// Every finding, warnings included, fails: exit 1. Usage: node lint-dockerfile.js PATH
'use strict';

const fs = require('fs');
const path = require('path');
const dockerfileUtils = require('dockerfile-utils');
const dockerfilelint = require('dockerfilelint');

const file = process.argv[2];
if (!file) {
  console.error('usage: node lint-dockerfile.js PATH');
  process.exit(2);
}
const content = fs.readFileSync(file, 'utf8');
const findings = [];

for (const d of dockerfileUtils.validate(content)) {
  const severity = d.severity === 1 ? 'error' : 'warning';
  findings.push(`dockerfile-utils: line ${d.range.start.line + 1}: ${severity}: ${d.message}`);
}
// dockerfilelint reads an optional .dockerfilelintrc from this directory; there is none.
for (const i of dockerfilelint.run(path.dirname(file), content)) {
  findings.push(`dockerfilelint: line ${i.line}: ${i.category}: ${i.title}: ${i.description}`);
}

for (const f of findings) {
  console.log(f);
}
console.log(`${path.basename(file)}: ${findings.length} finding(s)`);
process.exit(findings.length === 0 ? 0 : 1);
