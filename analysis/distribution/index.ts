/**
 * Distribution analysis: how differently each variable is distributed in the two populations a
 * binary target defines, and the value that best separates them.
 */
export { analyzeDistribution, analyzePrepared, type PreparedTable, prepareDistribution } from './analyze';
export { MISSING_CATEGORY } from './categorical';
export { chiSquareContingency } from './chi2';
export { kolmogornSf, ksTwoSamplePValue, smirnovSf } from './ks';
export {
  benjaminiHochberg,
  intersectionDistance,
  jensenShannon,
  populationStabilityIndex,
  quantileSorted,
  totalVariation,
} from './measures';
export { numericEdges } from './numeric';
export type * from './types';
