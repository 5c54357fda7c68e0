// csv-parse, for job run-many --data rows.csv (src/commands/job/data-rows.ts).
export { parse } from 'csv-parse/sync';
