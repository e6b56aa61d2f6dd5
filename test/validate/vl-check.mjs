#!/usr/bin/env node
// vl-check.mjs [--strict] [--no-svg] FILE.vl.json [...]
// Checks Vega-Lite v5 specs offline with the pinned packages beside this script:
//   1. JSON parse (invalid UTF-8 is an error, not silently replaced)
//   2. validation against the official schema shipped in the vega-lite package
//      (node_modules/vega-lite/build/vega-lite-schema.json), with Ajv
//   3. vegaLite.compile(spec) -> Vega spec
//   4. headless render: new vega.View(..., {renderer: 'none'}).toSVG(); writes FILE.svg
//      unless --no-svg. data.url is read from disk next to the spec, never fetched.
// --strict: compile/runtime warnings and a $schema of another major version fail too.
// Exit: 0 all OK, 1 some file failed, 2 usage or setup error.
// Env VL_CHECK_CACHE=FILE.cjs: keep Ajv's compiled validator there (saves ~1 s per run);
// written to a temporary name and renamed, so parallel runs never read half a file.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as vegaLite from 'vega-lite';
import * as vega from 'vega';
import Ajv, { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';

const args = process.argv.slice(2);
const strict = args.includes('--strict');
const noSvg = args.includes('--no-svg');
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: vl-check [--strict] [--no-svg] FILE.vl.json [...]');
  process.exit(2);
}

const require = createRequire(import.meta.url);

function loadValidator() {
  const schemaPath = path.join(path.dirname(require.resolve('vega-lite/package.json')),
    'build', 'vega-lite-schema.json');
  const cache = process.env.VL_CHECK_CACHE;
  if (cache && fs.existsSync(cache) &&
      fs.statSync(cache).mtimeMs > fs.statSync(schemaPath).mtimeMs) {
    const mod = { exports: {} };
    new Function('module', 'exports', 'require', fs.readFileSync(cache, 'utf8'))(
      mod, mod.exports, require);
    return mod.exports;
  }
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  // strict:false: the Vega-Lite schema uses unions and keywords Ajv's strict mode rejects.
  const ajv = new Ajv({
    allErrors: true, strict: false,
    ...(cache ? { code: { source: true,
      formats: _`require("ajv-formats/dist/formats").fullFormats` } } : {}),
  });
  addFormats(ajv);
  ajv.addFormat('color-hex', /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i);
  const validate = ajv.compile(schema);
  if (cache) {
    const tmp = `${cache}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, standaloneCode(ajv, validate));
    fs.renameSync(tmp, cache);
  }
  return validate;
}

let validate;
try {
  validate = loadValidator();
} catch (e) {
  console.error(`vl-check: setup failed: ${e.message}`);
  process.exit(2);
}

// Ajv reports every failing anyOf branch; the deepest paths are the useful ones.
function summarize(errors) {
  const depth = (e) => e.instancePath.split('/').length;
  const max = Math.max(...errors.map(depth));
  const out = new Set();
  for (const e of errors) {
    if (depth(e) < max) continue;
    let m = `${e.instancePath || '/'} ${e.message}`;
    if (e.params?.allowedValues) m += `: ${JSON.stringify(e.params.allowedValues)}`;
    if (e.params?.additionalProperty) m += `: "${e.params.additionalProperty}"`;
    out.add(m);
    if (out.size >= 8) break;
  }
  return [...out];
}

let failed = 0;
for (const file of files) {
  const t0 = performance.now();
  const fail = (stage, msg) => { console.error(`FAIL ${file} [${stage}]: ${msg}`); failed++; };
  let spec;
  try {
    spec = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file)));
  } catch (e) { fail('json', e.message); continue; }

  const major = vegaLite.version.split('.')[0];
  if (typeof spec.$schema === 'string' && !spec.$schema.includes(`/vega-lite/v${major}`)) {
    const m = `$schema ${spec.$schema} is not Vega-Lite v${major}`;
    if (strict) { fail('schema-url', m); continue; }
    console.error(`WARN ${file}: ${m}`);
  }
  if (!validate(spec)) {
    fail('schema', `${validate.errors.length} Ajv errors; most specific:\n  ` +
      summarize(validate.errors).join('\n  '));
    continue;
  }

  const warnings = [];
  const logger = {
    level(l) { return l === undefined ? 2 : this; },
    warn(...m) { warnings.push(m.join(' ')); return this; },
    info() { return this; },
    debug() { return this; },
    error(...m) { warnings.push('ERROR ' + m.join(' ')); return this; },
  };
  let vgSpec;
  try {
    vgSpec = vegaLite.compile(spec, { logger }).spec;
  } catch (e) { fail('compile', e.message); continue; }

  let svg;
  try {
    const loader = vega.loader({ baseURL: path.dirname(path.resolve(file)) + '/', mode: 'file' });
    const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader });
    view.logger(logger);
    svg = await view.toSVG();
    view.finalize();
  } catch (e) { fail('render', e.message); continue; }
  if (!svg.startsWith('<svg')) { fail('render', 'toSVG() did not return an <svg>'); continue; }

  if (warnings.length) {
    for (const w of warnings) console.error(`WARN ${file}: ${w}`);
    if (strict) { fail('strict', `${warnings.length} warning(s)`); continue; }
  }
  if (!noSvg) fs.writeFileSync(file.replace(/\.json$/i, '') + '.svg', svg);
  console.log(`OK   ${file} (vega-lite ${vegaLite.version}, vega ${vega.version}, ` +
    `${svg.length} B svg, ${(performance.now() - t0).toFixed(0)} ms)`);
}
process.exit(failed ? 1 : 0);
