/** The summary in plain words: the strongest variables and how well the model tells bad from good. */
import { el, fmt } from '../format';
import { combined } from '../state';
import type { Section } from './section';

export const summarySection: Section = {
  id: 'summary',
  title: 'Summary',
  render(body, { state }) {
    const results = state.data.results;
    const d = results.data;
    body.append(
      el(
        'p',
        {},
        `${d.rows} observations, ${d.positives} of them positive (${state.data.target}); ${d.variables} variables compared.`,
      ),
    );
    // The verdicts' summary: how many variables have strong, possible or no evidence, and on
    // how many bad episodes it rests (results.evidence, analysis/evidence/verdicts.ts).
    if (results.evidence?.summary) body.append(el('p', { class: 'evidence' }, results.evidence.summary));
    const verdicts = new Map((results.causes ?? []).map((c) => [c.variable, c]));
    const byName = new Map(results.distribution.map((e) => [e.variable, e]));
    const list = el('ol');
    for (const c of combined(state).slice(0, 3)) {
      const dist = byName.get(c.variable);
      const li = el('li');
      li.append(el('strong', {}, c.variable), document.createTextNode(': '));
      const parts: string[] = [];
      if (dist?.kind === 'numeric' && dist.threshold !== null) {
        const side = dist.direction === 'above' ? 'above' : 'below';
        const inside = side === 'above' ? dist.positiveRateAbove : dist.positiveRateBelow;
        const outside = side === 'above' ? dist.positiveRateBelow : dist.positiveRateAbove;
        parts.push(
          `bad observations are more frequent ${side} ${fmt(dist.threshold, 4)} ` +
            `(${fmt(100 * (inside ?? 0), 2)} % bad ${side}, ${fmt(100 * (outside ?? 0), 2)} % otherwise)`,
        );
      } else if (dist?.kind === 'categorical' && dist.categories.length > 0) {
        parts.push(`bad observations are more frequent with ${dist.categories.join(', ')}`);
      }
      if (dist && dist.kind !== 'identifier' && dist.qValue !== null) {
        // time-aware q-values (pValue present) can be read as chance; independent-rows ones
        // (a zoomed period's) cannot on a time series
        const sure =
          dist.pValue === undefined
            ? 'independent-rows test'
            : dist.qValue < 0.001
              ? 'very unlikely to be chance, even with slow drift'
              : dist.qValue < 0.05
                ? 'unlikely to be chance, even with slow drift'
                : 'no more than slow drift produces by chance';
        parts.push(`distributions differ by ${fmt(dist.score, 2)} (q = ${fmt(dist.qValue, 2)}: ${sure})`);
      }
      const verdict = verdicts.get(c.variable);
      if (verdict) parts.push(`evidence: ${verdict.verdict}`);
      if (c.importanceRank !== null) parts.push(`rank ${c.importanceRank} in the model's explanation`);
      li.append(document.createTextNode(`${parts.join('; ')}.`));
      list.append(li);
    }
    body.append(el('p', {}, 'The variables that best explain the positives, both analyses combined:'), list);
    const model = results.model;
    if (model?.validation && model.validation.auc === null) {
      body.append(
        el(
          'p',
          {},
          `The model explained (${model.kind}) could not be measured on the most recent ` +
            `${model.validation.rows} observations: ${model.validation.reason}.`,
        ),
      );
    } else if (model?.validation) {
      const auc = model.validation.auc as number;
      const word = auc >= 0.9 ? 'well' : auc >= 0.75 ? 'fairly well' : auc >= 0.6 ? 'weakly' : 'hardly';
      body.append(
        el(
          'p',
          {},
          `The model explained (${model.kind}) tells positives from negatives ${word} on the most recent ` +
            `${model.validation.rows} observations it never saw: ROC AUC ${fmt(auc, 3)}, ` +
            `average precision ${fmt(model.validation.prAuc, 3)}` +
            (model.baseline
              ? ` (${model.baseline.kind} baseline: AUC ${fmt(model.baseline.validation.auc, 3)}).`
              : '.') +
            (model.selection ? ` Explained: ${model.selection.reason}.` : ''),
        ),
      );
    }
  },
};
