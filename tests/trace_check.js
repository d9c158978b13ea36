// Checks the structure of a Chrome Trace Event file written by nodeloop:
// it parses as JSON; on every track, B/E slices nest and close, each E
// naming the slice it closes, and timestamps never go back; every flow has
// both ends, start before finish;
// there is at least one tick, one phase, one callback and one flow; the
// file is valid UTF-8 (the writer escapes and cuts text between characters);
// print and content instant events carry their text in args.
// Usage: node trace_check.js trace.json [--pool] [--prints]
//   --pool: expect pool tracks; --prints: expect print instant events
'use strict';
const fs = require('fs');
const [file, ...flags] = process.argv.slice(2);
const fail = (msg) => { console.error(`${file}: ${msg}`); process.exit(1); };

let trace;
try {
  // fatal: a byte sequence that is not UTF-8 fails, where 'utf8' would
  // quietly replace it.
  const text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file));
  trace = JSON.parse(text);
}
catch (e) { fail(`not JSON: ${e.message}`); }
const events = trace.traceEvents;
if (!Array.isArray(events) || events.length === 0) fail('no traceEvents');

const stacks = new Map(), lastTs = new Map(), flows = new Map();
let ticks = 0, callbacks = 0, phases = 0, poolSlices = 0, prints = 0;
for (const [i, ev] of events.entries()) {
  if (ev.ph === 'M') continue;
  if (typeof ev.ts !== 'number' || typeof ev.tid !== 'number')
    fail(`event ${i} has no ts or tid`);
  if (ev.ph === 's' || ev.ph === 'f') {
    const f = flows.get(ev.id) || {};
    if (f[ev.ph] !== undefined) fail(`flow ${ev.id} has two '${ev.ph}' ends`);
    f[ev.ph] = ev.ts;
    flows.set(ev.id, f);
    continue;
  }
  const prev = lastTs.get(ev.tid);
  if (prev !== undefined && ev.ts < prev)
    fail(`event ${i} on track ${ev.tid} goes back in time (${ev.ts} < ${prev})`);
  lastTs.set(ev.tid, ev.ts);
  const stack = stacks.get(ev.tid) || [];
  stacks.set(ev.tid, stack);
  if (ev.ph === 'B') {
    stack.push(ev.name);
    if (/^tick /.test(ev.name)) ticks++;
    if (/^(timers|pending|idle\/prepare|poll|check|close|main)$/.test(ev.name)) phases++;
    if (/^(timeout|interval|immediate|nextTick|microtask|work|io|pending|close) /.test(ev.name)) callbacks++;
    if (ev.tid >= 100) poolSlices++;
  } else if (ev.ph === 'E') {
    if (stack.length === 0) fail(`event ${i}: E with no open slice on track ${ev.tid}`);
    // Perfetto and speedscope match an end to its begin by name: a slice
    // closed under another name stays open in them.
    const open = stack.pop();
    if (ev.name !== open)
      fail(`event ${i}: E "${ev.name}" closes "${open}" on track ${ev.tid}`);
  } else if (ev.ph !== 'i') {
    fail(`event ${i}: unexpected phase '${ev.ph}'`);
  } else if (ev.cat === 'print' || ev.cat === 'content') {
    if (!ev.args || typeof ev.args.text !== 'string')
      fail(`event ${i}: a ${ev.cat} event without its text`);
    prints++;
  }
}
for (const [tid, stack] of stacks)
  if (stack.length) fail(`track ${tid} leaves open: ${stack.join(', ')}`);
for (const [id, f] of flows) {
  if (f.s === undefined || f.f === undefined) fail(`flow ${id} has one end`);
  if (f.s > f.f) fail(`flow ${id} ends before it starts`);
}
if (!ticks || !phases || !callbacks || !flows.size)
  fail(`too little: ticks=${ticks} phases=${phases} callbacks=${callbacks} flows=${flows.size}`);
if (flags.includes('--pool') && !poolSlices) fail('no pool task slices');
if (flags.includes('--prints') && !prints) fail('no print events');
console.log(`${file}: ok: ${events.length} events, ${ticks} ticks, ` +
            `${callbacks} callbacks, ${poolSlices} pool tasks, ${flows.size} flows, ` +
            `${prints} prints`);
