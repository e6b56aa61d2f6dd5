// vega_render.mjs SPEC.vl.json OUT.svg: Vega-Lite -> Vega -> SVG with the pinned
// npm packages (run from a directory whose node_modules has vega and vega-lite:
// NODE_PATH does not apply to ES modules, so the bench copies this file there).
import fs from 'node:fs';
import * as vl from 'vega-lite';
import * as vega from 'vega';
const [spec, out] = process.argv.slice(2);
const t0 = performance.now();
const compiled = vl.compile(JSON.parse(fs.readFileSync(spec, 'utf8'))).spec;
const view = new vega.View(vega.parse(compiled), {renderer: 'none'});
const svg = await view.toSVG();
fs.writeFileSync(out, svg);
console.error(`vega: ${(performance.now() - t0).toFixed(0)} ms inside node`);
