/** The report's sections, in order. A new section is a file in this folder and a line here. */
import { changesSection } from './changes';
import { distributionsSection } from './distributions';
import { interactionsSection } from './interactions';
import { modelSection } from './model';
import { rankingsSection } from './rankings';
import type { Section } from './section';
import { summarySection } from './summary';
import { timeSection } from './time';
import { whatToDoSection } from './what-to-do';

export const SECTIONS: readonly Section[] = [
  whatToDoSection,
  changesSection,
  summarySection,
  rankingsSection,
  distributionsSection,
  modelSection,
  interactionsSection,
  timeSection,
];
