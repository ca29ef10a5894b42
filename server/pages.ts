/**
 * The pages `serve` renders: the analyses of each line (`/`), and an analysis's report, whose
 * zoom recomputes through the API instead of carrying the rows.
 */
import { reportData } from '../activities/report';
import type { ResultsDocument } from '../analysis/results';
import { localUri } from '../connectors/artifact-storage';
import { renderIndexPage, renderReport } from '../report/html';
import { ConflictError } from './errors';

export function indexPage(): string {
  return renderIndexPage();
}

export async function reportPage(results: ResultsDocument): Promise<string> {
  const artifacts = results.artifacts ?? {};
  if (!artifacts.observations || !artifacts.features) {
    throw new ConflictError(`analysis ${results.id} has no stored datasets to draw its report from`);
  }
  let data: Awaited<ReturnType<typeof reportData>>;
  try {
    data = await reportData(
      results,
      {
        // Local copies: a GridFS storage's artifacts come through this machine's cache.
        observationsUri: await localUri(artifacts.observations),
        featuresUri: await localUri(artifacts.features),
        ...(artifacts.shapSample ? { shapSampleUri: await localUri(artifacts.shapSample) } : {}),
      },
      { standalone: false },
    );
  } catch (error) {
    throw new ConflictError(
      `the report of analysis ${results.id} cannot be drawn from its stored data (LINE_RCA_ARTIFACTS must be the workers'): ${(error as Error).message}`,
    );
  }
  return renderReport(data, { served: true });
}
