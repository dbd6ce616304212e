// Builds the pixel into one file, dist/funnelscope-pixel.js, as Shopify's
// CLI does (esbuild, bundled, minified). FUNNELSCOPE_APP_URL (the app's
// public https URL, the SHOPIFY_APP_URL of the app) is baked in through
// esbuild's define; without it the pixel is built with a placeholder and
// sends nothing.
import * as esbuild from 'esbuild';
import {fileURLToPath} from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

/** buildOptions are the esbuild options of the pixel bundle for an app URL (or none). */
export function buildOptions(appURL) {
  const define = {};
  if (appURL) define['process.env.FUNNELSCOPE_APP_URL'] = JSON.stringify(appURL);
  return {
    absWorkingDir: here,
    entryPoints: ['src/index.js'],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    define,
    outfile: 'dist/funnelscope-pixel.js',
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const url = process.env.FUNNELSCOPE_APP_URL || '';
  if (url && !/^https:\/\/[^/]+/.test(url)) {
    console.error(`FUNNELSCOPE_APP_URL must be an https URL, got ${url}`);
    process.exit(1);
  }
  const result = await esbuild.build({...buildOptions(url), metafile: true});
  const out = result.metafile.outputs['dist/funnelscope-pixel.js'];
  console.log(`dist/funnelscope-pixel.js: ${out.bytes} bytes, app URL ${url || '(not set: the pixel sends nothing)'}`);
}
