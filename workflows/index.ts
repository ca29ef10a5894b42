export { analyzeLine, progressQuery } from './analyze-line';
