import { main } from '../../cli/main';
import { capture } from '../support/capture';

describe('line-rca serve: its options', () => {
  const saved = process.env.MONGODB_URI;
  afterEach(() => {
    if (saved === undefined) delete process.env.MONGODB_URI;
    else process.env.MONGODB_URI = saved;
  });

  it('refuses a bad port and a missing MONGODB_URI with exit 2, naming them', async () => {
    const bad = capture();
    expect(await main(['serve', '--port', 'eighty'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain('--port: must be a port number');
    delete process.env.MONGODB_URI;
    const none = capture();
    expect(await main(['serve'], none.io)).toBe(2);
    expect(none.err.join('')).toContain('MONGODB_URI: is not set');
    expect(none.err.join('')).not.toMatch(/\n\s+at /);
  });
});
