import type { OptionsOf } from '../../cli/command-options.js';
import { changeSchedule } from './toggle.js';

export default (opts: OptionsOf<'schedule resume'>) => changeSchedule(opts, 'resume');
