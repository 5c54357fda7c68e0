import type { OptionsOf } from '../../cli/command-options.js';
import { changeSchedule } from './toggle.js';

export default (opts: OptionsOf<'schedule remove'>) => changeSchedule(opts, 'remove');
