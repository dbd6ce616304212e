// The bundle Shopify receives: `npm run build` (build.mjs) writes one file
// under the 128 KB limit, with the app URL baked in.
import {test} from 'node:test';
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {PLACEHOLDER_APP_URL} from '../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT = 128 * 1000; // Shopify CLI refuses compiled pixels over 128 KB; counted in the stricter unit

function build(appURL) {
  const env = {...process.env, FUNNELSCOPE_APP_URL: appURL};
  execFileSync(process.execPath, ['build.mjs'], {cwd: root, env, stdio: 'pipe'});
  const dist = path.join(root, 'dist');
  assert.deepEqual(fs.readdirSync(dist), ['funnelscope-pixel.js'], 'one file in dist/');
  return fs.readFileSync(path.join(dist, 'funnelscope-pixel.js'), 'utf8');
}

test('the build is one file under 128 KB with FUNNELSCOPE_APP_URL baked in', () => {
  const code = build('https://app.example.test');
  const size = Buffer.byteLength(code);
  assert.ok(size < LIMIT, `${size} bytes`);
  assert.ok(code.includes('"https://app.example.test"'));
  assert.ok(!code.includes('process.env'), 'process.env left in: the worker has no process');
  assert.ok(!/\bimport\s*[({"']|\bexport\s|require\(/.test(code), 'module syntax or require in the bundle');
});

test('without FUNNELSCOPE_APP_URL the build carries the placeholder, which sends nothing', () => {
  const code = build('');
  assert.ok(code.includes(PLACEHOLDER_APP_URL));
});

test('build.mjs refuses an app URL that is not https', () => {
  assert.throws(() => build('http://app.example.test'));
});
