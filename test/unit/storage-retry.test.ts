// The schedule the MongoDB stages follow through an outage (issue 19, item 1): the embedded
// runner's loop and the workflow's Temporal retry policy share it.
import { InvalidInputError } from '../../analysis/errors';
import { MongoUnavailableError } from '../../connectors/mongo';
import { retryStorage, STORAGE_RETRY, storageRetryDelay } from '../../pipeline/storage-retry';

function fakeClock() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('storage retry', () => {
  it('waits 1, 2, 4 … s, then every 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(storageRetryDelay)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });

  it('outlasts a 10-minute outage and says where the results are kept meanwhile', async () => {
    const clock = fakeClock();
    const messages: string[] = [];
    let calls = 0;
    const outageEnds = 10 * 60_000;
    const value = await retryStorage(
      'persist',
      async () => {
        calls++;
        clock.advance(5000); // each try spends the driver's 5 s server selection timeout
        if (clock.now() < outageEnds) throw new MongoUnavailableError('connect ECONNREFUSED 127.0.0.1:27017');
        return 'stored';
      },
      { now: clock.now, sleep: clock.sleep, waiting: (m) => messages.push(m), kept: '/a/results.json' },
    );
    expect(value).toBe('stored');
    expect(calls).toBe(messages.length + 1);
    // Back within one interval of the end of the outage.
    expect(clock.now() - outageEnds).toBeLessThanOrEqual(35_000);
    expect(messages[0]).toMatch(
      /^persist: connect ECONNREFUSED .*trying again in 1 s, until .*the results are kept in \/a\/results\.json$/,
    );
  });

  it(`gives up after ${STORAGE_RETRY.totalMinutes} minutes with the last error, naming the kept file`, async () => {
    const clock = fakeClock();
    await expect(
      retryStorage(
        'persist',
        async () => {
          throw new MongoUnavailableError('server selection timed out');
        },
        { now: clock.now, sleep: clock.sleep, kept: '/a/results.json' },
      ),
    ).rejects.toThrow(
      /server selection timed out \(persist gave up after \d+ tries; the results are kept in \/a\/results\.json\)/,
    );
    const waited = clock.waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThan((STORAGE_RETRY.totalMinutes - 1) * 60_000);
    expect(waited).toBeLessThanOrEqual(STORAGE_RETRY.totalMinutes * 60_000);
  });

  it('does not retry refused credentials or anything but an unavailable server', async () => {
    for (const error of [
      new InvalidInputError({ where: 'MONGODB_URI', message: 'refused the credentials' }),
      new Error('a bug'),
    ]) {
      const clock = fakeClock();
      let calls = 0;
      await expect(
        retryStorage(
          'prepare',
          async () => {
            calls++;
            throw error;
          },
          { now: clock.now, sleep: clock.sleep },
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('stops waiting when the run is stopped', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = retryStorage(
      'persist',
      async () => {
        calls++;
        throw new MongoUnavailableError('down');
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toThrow(/down \(persist gave up after 2 tries\)/);
    expect(calls).toBe(2);
  });
});
