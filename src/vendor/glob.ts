// tinyglobby, for the glob patterns job test is given (src/commands/job/test-cases.ts).
export { glob, isDynamicPattern } from 'tinyglobby';
