import { Command } from 'commander';
import { collect, wire, type Wiring } from './define.js';

export function jobCommands(w: Wiring): Command {
  const job = new Command('job').description('validate, run and examine jobs and their recorded runs');
  const runsJobs = { runsJobs: true };
  wire(
    w,
    job
      .command('validate')
      .description('check a job file without running it')
      .requiredOption('--case <path>', 'job file')
      .option('--set <name=value>', 'run value the job will be given (repeatable)', collect),
    'job validate',
    () => import('../commands/job/validate.js'),
  );
  wire(
    w,
    job
      .command('run')
      .description('run a job and record it')
      .requiredOption('--case <path>', 'job file')
      .option('--set <name=value>', 'override an input (repeatable)', collect)
      .option('--resolve-deps', 'run fill jobs for missing memory dependencies first'),
    'job run',
    () => import('../commands/job/run.js'),
    runsJobs,
  );
  wire(
    w,
    job
      .command('run-many')
      .description('run a job N times concurrently as a batch')
      .requiredOption('--case <path>', 'job file')
      .option('--count <n>', 'number of runs', '1')
      .option('--concurrency <n>', 'runs at once', '1')
      .option('--set <name=value>', 'override an input (repeatable)', collect),
    'job run-many',
    () => import('../commands/job/run-many.js'),
    runsJobs,
  );
  wire(
    w,
    job
      .command('assert')
      .description('evaluate the job assertions on a recorded run (offline)')
      .option('--run-id <id>', 'run id or latest', 'latest')
      .option('--expect-status <status>', 'expected run status: SUCCESS, FAILED or INTERRUPTED', 'SUCCESS'),
    'job assert',
    () => import('../commands/job/assert.js'),
  );
  wire(
    w,
    job.command('inspect').description('show a recorded run or one of its steps').option('--run-id <id>', 'run id or latest', 'latest').option('--step <n|id>', 'step number (1-based) or id'),
    'job inspect',
    () => import('../commands/job/inspect.js'),
  );
  wire(
    w,
    job.command('readable').description('a recorded run as a Markdown narrative').option('--run-id <id>', 'run id or latest', 'latest'),
    'job readable',
    () => import('../commands/job/readable.js'),
  );
  wire(
    w,
    job.command('dump').description('all artifacts of a run as one JSON document').option('--run-id <id>', 'run id or latest', 'latest').option('--out <path>', 'write to a file'),
    'job dump',
    () => import('../commands/job/dump.js'),
  );
  wire(
    w,
    job.command('replay').description('re-run a recorded run offline from its record').requiredOption('--run-id <id>', 'run id or latest'),
    'job replay',
    () => import('../commands/job/replay.js'),
    runsJobs,
  );
  wire(w, job.command('list').description('recorded runs, newest first').option('--limit <n>', 'how many', '20'), 'job list', () => import('../commands/job/list.js'));
  wire(w, job.command('latest').description('the most recent run'), 'job latest', () => import('../commands/job/latest.js'));
  wire(w, job.command('cases').description('job files in ./jobs and module layers'), 'job cases', () => import('../commands/job/cases.js'));
  wire(
    w,
    job.command('export').description('pack a run into a zip').requiredOption('--run-id <id>', 'run id or latest').requiredOption('--out <path>', 'zip file to write'),
    'job export',
    () => import('../commands/job/export.js'),
  );
  wire(w, job.command('import').description('unpack a run zip into the run output folder').requiredOption('--file <path>', 'zip file'), 'job import', () => import('../commands/job/import.js'));
  wire(
    w,
    job.command('batch-inspect').description('show a run-many batch').option('--batch-id <id>', 'batch id or latest', 'latest'),
    'job batch-inspect',
    () => import('../commands/job/batch-inspect.js'),
  );
  wire(
    w,
    job
      .command('report')
      .description('a recorded run or batch as a JUnit XML report (offline)')
      .option('--run-id <id>', 'run id or latest (default: latest)')
      .option('--batch-id <id>', 'batch id or latest: one testsuite per run')
      .option('--format <format>', 'report format: junit', 'junit')
      .option('--out <file>', 'write the report to a file'),
    'job report',
    () => import('../commands/job/report.js'),
  );
  return job;
}
