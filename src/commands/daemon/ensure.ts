import type { OptionsOf } from '../../cli/command-options.js';
import { ensureDaemon } from './start.js';

export default (opts: OptionsOf<'daemon ensure'>) => ensureDaemon(opts, 'ensure');
