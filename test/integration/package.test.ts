// The package as a user gets it: `npm pack` (of the current build), the tarball installed into an
// empty project, then the README's code examples and examples/host-worker (its own test, on the
// real Temporal dev server) run there with nothing but public imports. The dependencies come
// from npm's cache when it has them (`--prefer-offline`).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceAddresses } from './setup/services';

const repo = path.resolve(__dirname, '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'line-rca-package-'));
const project = path.join(tmp, 'host');
const { temporal } = serviceAddresses();
const env = {
  ...process.env,
  TEMPORAL_ADDRESS: temporal,
  MONGODB_URI: '',
  MLFLOW_TRACKING_URI: '',
  LINE_RCA_ARTIFACTS: path.join(tmp, 'artifacts'),
};

interface Example {
  readonly language: 'js' | 'ts';
  readonly code: string;
}

/** The README's fenced js / ts blocks that use the package. */
function readmeExamples(): Example[] {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  return [...readme.matchAll(/```(js|ts)\n([\s\S]*?)```/g)]
    .map((m) => ({ language: m[1] as 'js' | 'ts', code: m[2] }))
    .filter((e) => /from 'line-rca'|require\('line-rca'\)/.test(e.code));
}

function run(command: string, args: string[], timeout = 300_000): string {
  try {
    return execFileSync(command, args, { cwd: project, env, encoding: 'utf8', timeout, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/** Runs a long-lived example until it has been up `seconds`, then stops it with SIGINT. */
function runThenInterrupt(file: string, seconds: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [file], { cwd: project, env, stdio: 'pipe' });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGINT'), seconds * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist', 'index.js'))) throw new Error('run npm run build first');
  const packed = execFileSync('npm', ['pack', '--pack-destination', tmp, '--json'], {
    cwd: repo,
    encoding: 'utf8',
  });
  const tarball = path.join(tmp, (JSON.parse(packed) as { filename: string }[])[0].filename);
  mkdirSync(path.join(project, 'datasets'), { recursive: true });
  const example = path.join(repo, 'examples', 'host-worker');
  for (const file of [
    'package.json',
    'tsconfig.json',
    'activities.ts',
    'workflows.ts',
    'worker.ts',
    'host-worker.test.ts',
  ])
    copyFileSync(path.join(example, file), path.join(project, file));
  const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8'));
  manifest.dependencies['line-rca'] = `file:${tarball}`;
  writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  copyFileSync(path.join(repo, 'datasets', 'ai4i2020.csv'), path.join(project, 'datasets', 'ai4i2020.csv'));
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
}, 600_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package, installed into an empty project', () => {
  test('ships the build, its types and the changelog, not the sources', () => {
    const installed = path.join(project, 'node_modules', 'line-rca');
    for (const file of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/workflows/index.js',
      'CHANGELOG.md',
      'bin/line-rca.js',
    ])
      expect(existsSync(path.join(installed, file))).toBe(true);
    for (const file of ['index.ts', 'analysis', 'dist/bench', 'test'])
      expect(existsSync(path.join(installed, file))).toBe(false);
  });

  test('require, import and the deep-import refusal', () => {
    const fromRequire = run('node', [
      '-e',
      "const l = require('line-rca'); const v = l.validateConfig({ name: 'x', line: 'l', source: { kind: 'file', path: 'a.csv' }, target: 'y > 1', search: { trials: 0 } }); console.log(JSON.stringify({ keys: Object.keys(l).sort(), v }))",
    ]);
    const { keys, v } = JSON.parse(fromRequire);
    expect(keys).toEqual(
      expect.arrayContaining([
        'analyze',
        'validateConfig',
        'distribution',
        'DistributionEngine',
        'createActivities',
        'workflowsPath',
      ]),
    );
    expect(v).toEqual({
      ok: false,
      errors: [{ where: 'search.trials', message: 'must be a positive integer' }],
    });
    const fromImport = run('node', [
      '--input-type=module',
      '-e',
      "import { analyze, validateConfig, workflowsPath } from 'line-rca'; console.log(typeof analyze, typeof validateConfig, workflowsPath)",
    ]);
    expect(fromImport.trim()).toBe(
      `function function ${path.join(project, 'node_modules', 'line-rca', 'dist', 'workflows', 'index.js')}`,
    );
    expect(() => run('node', ['-e', "require('line-rca/dist/compute/distribution-engine')"])).toThrow(
      /ERR_PACKAGE_PATH_NOT_EXPORTED/,
    );
  });

  test("the README's examples run with public imports only", async () => {
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const files = examples.map((e, i) => {
      expect(e.code).not.toMatch(/line-rca\/dist/);
      const file = path.join(project, `readme-${i}.${e.language === 'ts' ? 'mts' : 'js'}`);
      writeFileSync(file, e.code);
      return file;
    });
    const typescript = files.filter((f) => f.endsWith('.mts'));
    run('npx', [
      'tsc',
      '--ignoreConfig',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--strict',
      '--skipLibCheck',
      '--types',
      'node',
      ...typescript,
    ]);
    for (const [i, example] of examples.entries()) {
      const file = files[i].replace(/\.mts$/, '.mjs');
      if (example.code.includes('Worker.create')) {
        // A worker runs until stopped: it must connect and stay up, then stop cleanly on SIGINT.
        const { code, stderr } = await runThenInterrupt(file, 8);
        expect({ code, errors: stderr.split('\n').filter((l) => /Error/.test(l)) }).toEqual({
          code: 0,
          errors: [],
        });
      } else if (example.code.includes('DistributionEngine')) {
        const lines = run('node', [file]).trim().split('\n');
        expect(lines[0]).toMatch(/^oven_zone2_temp 0\.\d+$/);
        expect(Number(lines[0].split(' ')[1])).toBeGreaterThan(0.5);
      } else {
        // AI4I overstrain failures: torque × tool wear above a limit.
        const out = run('node', [file]).trim();
        expect(out).toMatch(/^(Tool wear \[min\]|Torque \[Nm\]): score 0\.\d+, validation AUC 0\.9\d*/);
      }
    }
  }, 300_000);

  test("examples/host-worker's own test passes on the Temporal dev server", () => {
    run('npm', ['run', 'build']);
    const out = run('npm', ['test']);
    expect(out).toMatch(/# pass 2/);
    expect(out).toMatch(/# fail 0/);
  }, 300_000);
});
