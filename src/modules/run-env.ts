/**
 * The run's environment, for built-in actions that start programs which read it (tmux finds its
 * server through TMUX and TMUX_TMPDIR). Not part of the module API: modules take credentials
 * from profiles and values from `${env.*}` in payloads.
 */
export const RUN_ENV = Symbol('dispatchkit.runEnv');

export function runEnvOf(ctx: object): Record<string, string | undefined> {
  return (ctx as { [RUN_ENV]?: Record<string, string | undefined> })[RUN_ENV] ?? process.env;
}
