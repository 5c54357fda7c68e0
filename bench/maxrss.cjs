// Preloaded into the measured process: records its peak RSS (KiB) when it exits.
const fs = require('node:fs');
process.on('exit', () => {
  if (process.env.BENCH_MAXRSS_FILE) fs.writeFileSync(process.env.BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS));
});
