// The npm `eventsource-parser` on the same inputs as the Rust decoder bench, in Node.
//
//   node scripts/bench/eventsource-parser.mjs DIR/*.sse
//
// Same method as crates/assist-protocol/benches/decoder.rs: the bytes are fed in 16 KiB chunks
// (through a streaming TextDecoder, since the parser takes strings), runs repeat until at least
// 1 s and 10 runs, and the fastest run gives MB/s (10^6 bytes).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createParser } from 'eventsource-parser';

const CHUNK = 16 * 1024;

function decode(bytes) {
  // Touches each event's data, like the Rust bench.
  let events = 0, dataChars = 0;
  const parser = createParser({ onEvent: (e) => { events++; dataChars += e.data.length; } });
  const text = new TextDecoder();
  for (let i = 0; i < bytes.length; i += CHUNK) {
    parser.feed(text.decode(bytes.subarray(i, i + CHUNK), { stream: true }));
  }
  parser.feed(text.decode());
  return events;
}

for (const file of process.argv.slice(2)) {
  const bytes = new Uint8Array(readFileSync(file));
  const runs = [];
  let events = 0;
  const started = performance.now();
  while (runs.length < 10 || performance.now() - started < 1000) {
    const t = performance.now();
    events = decode(bytes);
    runs.push(performance.now() - t);
  }
  const ms = Math.min(...runs);
  const mbps = bytes.length / (ms / 1000) / 1e6;
  console.log(JSON.stringify({ runner: 'eventsource-parser (node)', input: path.basename(file, '.sse'), bytes: bytes.length, events, mbps: Number(mbps.toFixed(1)) }));
}
