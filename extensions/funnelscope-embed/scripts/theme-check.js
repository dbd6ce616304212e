#!/usr/bin/env node
// Runs Shopify's theme check (@shopify/theme-check-node, the library behind
// `shopify theme check`; the package ships no command of its own) on this
// extension with the theme-app-extension checks, which it picks because the
// folder holds shopify.extension.toml. Prints every offense and fails on any
// error or warning.
'use strict';
const path = require('node:path');
const { themeCheckRun, Severity } = require('@shopify/theme-check-node');

const root = path.resolve(__dirname, '..');
const names = { [Severity.ERROR]: 'error', [Severity.WARNING]: 'warning', [Severity.INFO]: 'info' };

themeCheckRun(root, undefined, () => {}).then(({ theme, offenses }) => {
  let failing = 0;
  for (const o of offenses) {
    const file = path.relative(root, o.uri.replace(/^file:\/\//, ''));
    const line = o.start ? o.start.line + 1 : 0;
    console.log(`${file}:${line}: ${names[o.severity] || o.severity} ${o.check}: ${o.message}`);
    if (o.severity === Severity.ERROR || o.severity === Severity.WARNING) failing++;
  }
  console.log(`theme check: ${theme.length} files, ${offenses.length} offenses, ${failing} errors or warnings`);
  if (theme.length === 0) {
    console.log('theme check found no files to check');
    process.exit(1);
  }
  process.exit(failing ? 1 : 0);
}, (err) => {
  console.error('theme check failed:', err);
  process.exit(1);
});
