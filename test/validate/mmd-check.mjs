#!/usr/bin/env node
// mmd-check.mjs FILE.mmd [...]
// Checks Mermaid text offline with Mermaid 11's own parser (mermaid.parse), under a jsdom
// window (flowcharts sanitize labels with DOMPurify, which needs a DOM).
// Also fails files that are not valid UTF-8, or longer than Mermaid's maxTextSize
// (viewers such as GitHub render those as an error box; parse() does not check it).
// A file may also be Markdown (.md): each ```mermaid fenced block is checked.
// Exit: 0 all OK, 1 some file failed, 2 usage or setup error.
// Env MMD_MAX_TEXT (default 50000): Mermaid's default maxTextSize.
import fs from 'node:fs';

const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: mmd-check FILE.mmd [...]');
  process.exit(2);
}

let mermaid;
try {
  // The window must exist before mermaid is imported.
  const { JSDOM } = await import('jsdom');
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  // A browser's global: sequence diagrams check a box's colour with
  // `new Option().style` when the window has no CSS.supports (jsdom has none).
  globalThis.Option = dom.window.Option;
  mermaid = (await import('mermaid')).default;
} catch (e) {
  console.error(`mmd-check: setup failed: ${e.message}`);
  process.exit(2);
}
const maxTextSize = Number(process.env.MMD_MAX_TEXT || 50000);
mermaid.initialize({ startOnLoad: false, maxTextSize });

function blocks(file, text) {
  if (!/\.(md|markdown)$/i.test(file)) return [text];
  const out = [];
  const re = /^```mermaid[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m; (m = re.exec(text));) out.push(m[1]);
  return out;
}

let failed = 0;
for (const file of files) {
  const t0 = performance.now();
  const fail = (stage, msg) => { console.error(`FAIL ${file} [${stage}]: ${msg}`); failed++; };
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  } catch (e) { fail('read', e.message); continue; }
  const parts = blocks(file, text);
  if (parts.length === 0) { fail('parse', 'no ```mermaid block in the Markdown file'); continue; }
  const kinds = [];
  let ok = true;
  for (const part of parts) {
    if (part.length > maxTextSize) {
      fail('size', `${part.length} chars > maxTextSize ${maxTextSize}`); ok = false; break;
    }
    try {
      kinds.push((await mermaid.parse(part)).diagramType);
    } catch (e) {
      fail('parse', String(e?.message ?? e).split('\n').slice(0, 6).join('\n  '));
      ok = false;
      break;
    }
  }
  if (ok) {
    console.log(`OK   ${file} (${kinds.join(', ')}, ${(performance.now() - t0).toFixed(0)} ms)`);
  }
}
process.exit(failed ? 1 : 0);
