// The floor for the chained-job benchmark: the same sequential GETs with bare node:http.
import http from 'node:http';

const base = process.argv[2];
const count = Number(process.argv[3] ?? 20);
const agent = new http.Agent({ keepAlive: true });
let path = '/item/1';
for (let i = 0; i < count; i++) {
  const body = await new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve(JSON.parse(data)));
      })
      .on('error', reject);
  });
  path = body.next;
}
agent.destroy();
