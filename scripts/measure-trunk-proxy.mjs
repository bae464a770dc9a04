// Does `trunk serve`'s [[proxy]] pass an event stream through frame by frame, or buffer it?
//
// Expects the three dev servers up (scripts/dev). Opens the same /assist stream twice, straight
// at the gateway (:8787) and through trunk's proxy (:8080), and prints when each frame arrived
// (ms after the request was sent). A buffering proxy shows every frame at the time of the last.
//
//   node scripts/measure-trunk-proxy.mjs [gateway-url] [trunk-url]
import { StringDecoder } from 'node:string_decoder';

const [gateway = 'http://127.0.0.1:8787', trunk = 'http://127.0.0.1:8080'] = process.argv.slice(2);

async function frameTimes(base) {
  // A session of that origin: the cookie and CSRF token.
  const session = await fetch(`${base}/session`, { method: 'POST', headers: { origin: base } });
  if (!session.ok) throw new Error(`${base}/session answered ${session.status}`);
  const cookie = session.headers.get('set-cookie').split(';')[0];
  const { csrfToken } = await session.json();

  const start = performance.now();
  const response = await fetch(`${base}/api/v1/assist`, {
    method: 'POST',
    headers: { cookie, origin: base, 'x-csrf-token': csrfToken, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message: 'list my agents' }),
  });
  if (!response.ok) throw new Error(`${base}/api/v1/assist answered ${response.status}`);
  // Counting blank lines is enough here: the simulator writes LF-only frames.
  const times = [];
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of response.body) {
    pending += decoder.write(chunk);
    let end;
    while ((end = pending.indexOf('\n\n')) >= 0) {
      times.push(performance.now() - start);
      pending = pending.slice(end + 2);
    }
  }
  return times;
}

const direct = await frameTimes(gateway);
const proxied = await frameTimes(trunk);
console.log('frame  direct ms  via trunk ms');
for (let i = 0; i < Math.max(direct.length, proxied.length); i++) {
  console.log(`${String(i + 1).padStart(5)}  ${direct[i]?.toFixed(1).padStart(9)}  ${proxied[i]?.toFixed(1).padStart(12)}`);
}
const spread = (t) => t.at(-1) - t[0];
console.log(`first-to-last frame spread: direct ${spread(direct).toFixed(0)} ms, via trunk ${spread(proxied).toFixed(0)} ms`);
console.log(spread(proxied) > spread(direct) / 2 ? 'trunk streams frame by frame' : 'trunk BUFFERS the stream');
