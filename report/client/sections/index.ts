/** The report's sections, in order. A new section is a file in this folder and a line here. */
import { changesSection } from './changes';
import { distributionsSection } from './distributions';
import { modelSection } from './model';
import { rankingsSection } from './rankings';
import type { Section } from './section';
import { summarySection } from './summary';
import { timeSection } from './time';

export const SECTIONS: readonly Section[] = [
  changesSection,
  summarySection,
  rankingsSection,
  distributionsSection,
  modelSection,
  timeSection,
];
