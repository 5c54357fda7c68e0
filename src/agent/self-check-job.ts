/**
 * The job self-check runs: built-in actions only (no network, no repo modules), a capture feeding a
 * later step, and assertions over steps and run values, so validate, run and assert all do real work.
 */
export const SELF_CHECK_JOB = {
  schemaVersion: 1,
  jobType: 'dispatch-self-check',
  description: 'Offline smoke test written by `dispatch self-check`.',
  inputs: { label: 'self-check' },
  scenario: {
    steps: [
      { id: 'pause', action: 'flow.sleep', payload: { duration: '10ms' }, capture: { sleptMs: 'response.sleptMs' } },
      { id: 'pause-again', action: 'flow.sleep', description: 'sleeps for the captured duration', payload: { duration: '${run.sleptMs}' } },
    ],
  },
  assertions: [
    { path: '$.steps.pause.status', op: 'eq', value: 'SUCCESS' },
    { path: '$.run.sleptMs', op: 'eq', value: 10 },
    { path: '$.steps.pause-again.response.sleptMs', op: 'eq', value: 10 },
    { path: '$.run.label', op: 'eq', value: 'self-check' },
  ],
};

export const SELF_CHECK_FILE = 'jobs/self-check.job.case.json';
