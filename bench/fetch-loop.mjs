// The floor of the chained-job benchmark for the client dispatch uses: the same sequential GETs
// with Node's fetch (its built-in undici), whole process, each path taken from the last answer.
const base = process.argv[2];
const count = Number(process.argv[3] ?? 20);
let path = '/item/1';
for (let i = 0; i < count; i++) {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  path = (await res.json()).next;
}
