// Interleaved A/B of whole commands: runs each command in turn, N times (after one warm-up round),
// and prints min, median and the mean of the middle half of each. On a machine whose speed drifts,
// comparing two builds this way is fair where two separate bench runs are not.
// Usage: node bench/ab.mjs <N> "<command A>" "<command B>" ...   (arguments split on spaces)
import { spawnSync } from 'node:child_process';

const n = Number(process.argv[2]);
const commands = process.argv.slice(3).map((c) => c.split(' ').filter(Boolean));
if (!(n > 0) || commands.length === 0) {
  console.error('usage: node bench/ab.mjs <N> "<command A>" "<command B>" ...');
  process.exit(2);
}
const times = commands.map(() => []);
for (let round = 0; round <= n; round++) {
  commands.forEach(([cmd, ...args], k) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      console.error(`${cmd} ${args.join(' ')} exited ${r.status}\n${String(r.stdout).slice(0, 300)}${String(r.stderr).slice(0, 300)}`);
      process.exit(1);
    }
    if (round > 0) times[k].push(Number(process.hrtime.bigint() - t0) / 1e6);
  });
}
commands.forEach((c, k) => {
  const s = times[k].sort((a, b) => a - b);
  const mid = s.slice(Math.floor(n / 4), Math.ceil((3 * n) / 4));
  const mean = mid.reduce((a, b) => a + b, 0) / mid.length;
  console.log(`min ${s[0].toFixed(1)}  median ${s[Math.floor(n / 2)].toFixed(1)}  mid-mean ${mean.toFixed(1)} ms  ${c.join(' ')}`);
});
