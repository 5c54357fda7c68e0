// `node bench/http-clients.mjs`: what the HTTP client alone costs a short-lived process.
// Each client makes the same 20 chained GETs in a fresh node process against a loopback server.
// The child reports (performance.now(), ms since the process started) when its script starts,
// when the first and last responses arrive and when its `exit` event fires; the parent measures
// the wall time until the process is gone. The gap between "exit event" and "wall" is time the
// process spends shutting down after the script is done.
import { spawn } from 'node:child_process';
import http from 'node:http';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 9);

const server = http.createServer((req, res) => {
  const n = Number(/\/item\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: n, next: `/item/${n + 1}`, name: `item ${n}` }));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const report = `
  const marks = { start: performance.now() };
  const mark = (i) => { if (i === 0) marks.first = performance.now(); marks.last = performance.now(); };
  process.on('exit', () => { marks.exit = performance.now(); process.stdout.write(JSON.stringify(marks)); });`;
const clients = {
  'node:http (keep-alive agent)': `${report}
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true });
    (async () => {
      let path = '/item/1';
      for (let i = 0; i < 20; i++) {
        const body = await new Promise((resolve, reject) => http.get(BASE + path, { agent }, (res) => {
          let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => resolve(JSON.parse(d)));
        }).on('error', reject));
        mark(i); path = body.next;
      }
      process.exit(0);
    })();`,
  "fetch (Node's built-in undici)": `${report}
    (async () => {
      let path = '/item/1';
      for (let i = 0; i < 20; i++) {
        const body = await (await fetch(BASE + path)).json();
        mark(i); path = body.next;
      }
      process.exit(0);
    })();`,
};
// Diagnostic: the same fetch loop with V8's optimizing tier for WebAssembly turned off. If the
// shutdown gap disappears, it was V8 finishing a background compile of undici's llhttp parser.
const diagnostics = { 'fetch, V8 flag --liftoff-only (diagnostic)': [clients["fetch (Node's built-in undici)"], ['--liftoff-only']] };

function once(code, flags = []) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [...flags, '-e', code.replaceAll('BASE', JSON.stringify(base))]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve({ ...JSON.parse(out), wall: Number(process.hrtime.bigint() - t0) / 1e6 }));
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`20 chained GETs per process (node ${process.version}, median of ${REPEAT}, ms since process start)`);
console.log('| client | script starts | first response | last response | exit event | wall | after exit event |');
console.log('|---|---|---|---|---|---|---|');
const rows = [...Object.entries(clients).map(([name, code]) => [name, code, []]), ...Object.entries(diagnostics).map(([name, [code, flags]]) => [name, code, flags])];
for (const [name, code, flags] of rows) {
  await once(code, flags); // warm-up
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await once(code, flags));
  const m = (k) => median(runs.map((r) => r[k])).toFixed(0);
  const tail = median(runs.map((r) => r.wall - r.exit)).toFixed(0);
  console.log(`| ${name} | ${m('start')} | ${m('first')} | ${m('last')} | ${m('exit')} | ${m('wall')} | ${tail} |`);
}
server.close();
