import type { ReportCase, ReportHttp, ReportModel, ReportStep } from './report-model.js';
import { CLI_VERSION } from '../version.js';

/*
 * The HTML report: one file that opens anywhere (a CI artifact, an attachment) with nothing
 * loaded from the network. Its CSS and its few lines of script are inline; the page is rendered
 * here, so it reads the same with scripts off. Failing cases come first and open, each with a
 * waterfall of its steps and their HTTP calls. Every value arrives redacted (the model is) and
 * is escaped here.
 */

const CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#57606a;--line:#d0d7de;--bg:#f6f8fa;--bar:#0969da;--http:#8250df}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff}
header{padding:14px 20px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{font-size:18px;margin:0 0 6px}h2{font-size:15px;margin:18px 20px 8px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;vertical-align:middle}
.badge.pass{background:var(--ok)}.badge.fail{background:var(--bad)}
.totals{display:flex;flex-wrap:wrap;gap:18px;color:var(--mute)}.totals b{color:#1f2328}
.totals .bad b{color:var(--bad)}
main{padding-bottom:30px}
details.case{margin:8px 20px;border:1px solid var(--line);border-radius:6px}
details.case>summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:baseline;list-style:none}
details.case>summary::-webkit-details-marker{display:none}
details.case.fail{border-color:var(--bad)}details.case.fail>summary{background:#ffebe9}
.mark{font-weight:700}.pass .mark{color:var(--ok)}.fail .mark{color:var(--bad)}
.name{font-weight:600;word-break:break-all}.meta{color:var(--mute);font-size:12px}
.body{padding:6px 12px 12px}
.error{border-left:3px solid var(--bad);background:#fff8f8;padding:6px 10px;margin:6px 0;white-space:pre-wrap;word-break:break-word;font-family:ui-monospace,monospace;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:12px}td,th{padding:3px 6px;text-align:left;vertical-align:top;border-bottom:1px solid #eaeef2}
th{color:var(--mute);font-weight:600}
.wf td.lane{width:45%}.track{position:relative;height:12px;background:#eaeef2;border-radius:2px}
.seg{position:absolute;top:0;height:12px;min-width:2px;border-radius:2px;background:var(--bar)}
.seg.http{background:var(--http);height:8px;top:2px}.seg.bad{background:var(--bad)}
tr.http td{color:var(--mute)}tr.http td.label{padding-left:22px}
.s-SUCCESS{color:var(--ok)}.s-FAILED,.s-INTERRUPTED{color:var(--bad)}.s-SKIPPED{color:var(--mute)}
code,.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.toolbar{margin:10px 20px;display:flex;gap:8px}
button{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
footer{margin:20px;color:var(--mute);font-size:12px}
`;

// Expand or fold every case; the page works without it.
const SCRIPT = `
document.getElementById('expand').addEventListener('click',function(){document.querySelectorAll('details.case').forEach(function(d){d.open=true})});
document.getElementById('fold').addEventListener('click',function(){document.querySelectorAll('details.case').forEach(function(d){d.open=false})});
`;

const MAX_VALUE = 400;

export function renderHtml(model: ReportModel): string {
  const t = model.totals;
  // Failures first, so the one that matters is in view when the page opens.
  const cases = [...model.cases].sort((a, b) => Number(a.passed) - Number(b.passed) || (a.index ?? 0) - (b.index ?? 0));
  const failing = cases.filter((c) => !c.passed);
  const passing = cases.filter((c) => c.passed);
  const stat = (label: string, value: string | number, bad = false) => `<span${bad ? ' class="bad"' : ''}>${esc(label)} <b>${esc(String(value))}</b></span>`;
  const head = [
    `<h1><span class="badge ${model.passed ? 'pass' : 'fail'}" id="verdict">${model.passed ? 'PASSED' : 'FAILED'}</span> ${esc(model.title)}</h1>`,
    '<div class="totals">',
    stat(model.kind === 'batch' ? 'runs' : 'cases', t.cases),
    stat('passed', t.passedCases),
    stat('failed', t.failedCases, t.failedCases > 0),
    ...(model.notStarted ? [stat('not started', model.notStarted, true)] : []),
    stat('steps', t.steps),
    stat('assertions', `${t.assertions - t.failedAssertions}/${t.assertions} held`, t.failedAssertions > 0),
    stat('duration', ms(model.durationMs)),
    ...(model.startedAt ? [stat('started', model.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))] : []),
    '</div>',
  ].join('');
  const section = (title: string, list: ReportCase[], open: boolean) => (list.length ? `<h2>${esc(title)} (${list.length})</h2>${list.map((c) => caseHtml(c, open)).join('')}` : '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`${model.passed ? 'PASSED' : 'FAILED'}: ${model.title}`)}</title>
<style>${CSS}</style></head>
<body><header>${head}</header>
<div class="toolbar"><button id="expand" type="button">Expand all</button><button id="fold" type="button">Fold all</button></div>
<main>${section('Failed', failing, true)}${section('Passed', passing, false)}</main>
<footer>dispatch ${esc(CLI_VERSION)} · ${esc(model.kind)} ${esc(model.id)} · values are redacted</footer>
<script>${SCRIPT}</script>
</body></html>
`;
}

function caseHtml(c: ReportCase, open: boolean): string {
  const cls = c.passed ? 'pass' : 'fail';
  const failedRules = c.assertions.filter((a) => !a.pass).length;
  const meta = [c.runStatus, ms(c.durationMs), `${c.steps.length} step(s)`, `${c.assertions.length - failedRules}/${c.assertions.length} assertion(s) held`, c.runId ?? 'no record'];
  const parts = [
    `<details class="case ${cls}"${open ? ' open' : ''} data-case="${esc(c.name)}">`,
    `<summary><span class="mark">${c.passed ? '✓' : '✗'}</span><span class="name">${esc(c.name)}</span><span class="meta">${esc(meta.join(' · '))}</span></summary>`,
    '<div class="body">',
  ];
  if (c.error) parts.push(`<div class="error">${esc(`${c.error.code}: ${c.error.message}${c.error.hint ? `\nhint: ${c.error.hint}` : ''}`)}</div>`);
  if (c.assertionError) parts.push(`<div class="error">${esc(`assertions could not be evaluated: ${c.assertionError.code}: ${c.assertionError.message}`)}</div>`);
  if (c.steps.length) parts.push(waterfall(c));
  if (c.assertions.length) {
    // Failed rules first, as with cases.
    const rules = [...c.assertions].sort((a, b) => Number(a.pass) - Number(b.pass));
    parts.push(
      '<table class="rules"><tr><th></th><th>assertion</th><th>expected</th><th>actual</th></tr>',
      ...rules.map(
        (a) =>
          `<tr class="${a.pass ? 'pass' : 'fail'}"><td class="mark">${a.pass ? '✓' : '✗'}</td><td><code>${esc(`${a.path} ${a.op}`)}</code>${a.pass ? '' : `<div class="meta">${esc(a.message)}</div>`}</td><td><code>${esc(value(a.expected))}</code></td><td><code>${esc(value(a.actual))}</code></td></tr>`,
      ),
      '</table>',
    );
  }
  if (c.runId) parts.push(`<p class="meta">Inspect: <code>dispatch job inspect --run-id ${esc(c.runId)}</code></p>`);
  parts.push('</div></details>');
  return parts.join('');
}

/** Steps and their HTTP calls on one time axis (the run's duration), bars placed by start offset. */
function waterfall(c: ReportCase): string {
  const end = Math.max(c.durationMs, ...c.steps.map((s) => (s.startMs ?? 0) + s.durationMs), ...c.steps.flatMap((s) => s.http.map((h) => (h.startMs ?? 0) + h.durationMs)), 1);
  const seg = (start: number | undefined, dur: number, cls: string) => {
    if (start === undefined) return '';
    const left = (start / end) * 100;
    const width = Math.max(0.3, (dur / end) * 100);
    return `<div class="seg ${cls}" style="left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%"></div>`;
  };
  const rows = c.steps.flatMap((s: ReportStep) => {
    const bad = s.status === 'FAILED' || s.status === 'INTERRUPTED';
    const note = [s.attempts ? `${s.attempts} attempts` : '', s.error ? `${s.error.code}: ${s.error.message}` : ''].filter(Boolean).join(' · ');
    const step = `<tr class="step"><td class="label"><b>${esc(s.id)}</b> <span class="meta">${esc(s.action)}</span>${note ? `<div class="meta s-FAILED">${esc(note)}</div>` : ''}</td><td class="s-${esc(s.status)}">${esc(s.status)}</td><td>${esc(ms(s.durationMs))}</td><td class="lane"><div class="track">${seg(s.startMs, s.durationMs, bad ? 'bad' : '')}</div></td></tr>`;
    const calls = s.http.map((h: ReportHttp) => {
      const what = h.error ? `${h.error.code}` : String(h.status ?? '');
      return `<tr class="http"><td class="label mono">${esc(`${h.method} ${h.url}`)}</td><td>${esc(what)}</td><td>${esc(ms(h.durationMs))}</td><td class="lane"><div class="track">${seg(h.startMs, h.durationMs, `http${h.error || (h.status ?? 0) >= 400 ? ' bad' : ''}`)}</div></td></tr>`;
    });
    return [step, ...calls];
  });
  return `<table class="wf"><tr><th>step / HTTP call</th><th>status</th><th>time</th><th>timeline (0 – ${esc(ms(end))})</th></tr>${rows.join('')}</table>`;
}

function value(v: unknown): string {
  if (v === undefined) return '';
  const text = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${Math.round(n)} ms`);

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}
