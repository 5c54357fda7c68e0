import type { OptionsOf } from '../../cli/command-options.js';
import { ok, type CommandResult } from '../../output/envelope.js';
import { homeOf, resolveBase } from '../context.js';

/** `daemon service`: unit files that run `dispatch daemon run` at login; printed, never installed. */
export default async function daemonService(opts: OptionsOf<'daemon service'>): Promise<CommandResult> {
  const home = homeOf(resolveBase(opts));
  const node = process.execPath;
  const bin = process.argv[1];
  const systemd = `[Unit]
Description=dispatch daemon (fires scheduled job runs)

[Service]
ExecStart=${node} ${bin} daemon run
Environment=DISPATCH_HOME=${home}
Restart=on-failure
KillSignal=SIGTERM
TimeoutStopSec=120

[Install]
WantedBy=default.target
`;
  const launchd = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.dispatchkit.daemon</string>
  <key>ProgramArguments</key><array><string>${node}</string><string>${bin}</string><string>daemon</string><string>run</string></array>
  <key>EnvironmentVariables</key><dict><key>DISPATCH_HOME</key><string>${home}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
</dict>
</plist>
`;
  const paths = { systemd: '~/.config/systemd/user/dispatch.service', launchd: '~/Library/LaunchAgents/dev.dispatchkit.daemon.plist' };
  return {
    ...ok({ systemd, launchd, paths }, []),
    view: () =>
      `# systemd (Linux): save as ${paths.systemd}, then: systemctl --user enable --now dispatch\n${systemd}\n# launchd (macOS): save as ${paths.launchd}, then: launchctl load ${paths.launchd}\n${launchd}`,
  };
}
