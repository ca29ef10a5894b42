/**
 * Which production variable an engineered feature comes from. Window features are named
 * `variable__function` (`oven_zone2_temp__max`); one-hot columns of a text variable without
 * windows `variable=value`. Without imports, so that every layer that groups features by
 * variable (the explanation, the stability folds, the interactions) calls the same rule.
 */

/** The source variable of a feature: the name before its last `__` (the whole name if none). */
export function variableOf(feature: string): string {
  const cut = feature.lastIndexOf('__');
  return cut > 0 ? feature.slice(0, cut) : feature;
}

export interface Grouping {
  readonly variables: string[];
  /** Variable index of each feature. */
  readonly ofFeature: Int32Array;
}

/**
 * The source variable of a feature, knowing the variables: also a one-hot column of a text
 * variable without windows (`Type=L` is `Type`), which has no `__` to go by.
 */
export function variableResolver(variables: readonly string[]): (feature: string) => string {
  const known = new Set(variables);
  return (feature) => {
    if (known.has(feature)) return feature;
    const cut = feature.indexOf('=');
    if (cut > 0 && known.has(feature.slice(0, cut))) return feature.slice(0, cut);
    return variableOf(feature);
  };
}

/** Features grouped by source variable: the variables in order of first feature, and each feature's. */
export function group(features: readonly string[], of: (feature: string) => string = variableOf): Grouping {
  const index = new Map<string, number>();
  const variables: string[] = [];
  const ofFeature = new Int32Array(features.length);
  features.forEach((f, j) => {
    const v = of(f);
    let k = index.get(v);
    if (k === undefined) {
      k = variables.length;
      index.set(v, k);
      variables.push(v);
    }
    ofFeature[j] = k;
  });
  return { variables, ofFeature };
}
