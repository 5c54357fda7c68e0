// croner, for schedule --cron (src/schedule/timing.ts).
export { Cron } from 'croner';
