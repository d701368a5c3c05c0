/**
 * `npm pack` ships only what runs, and the tarball installed globally into a temporary prefix is
 * a working `craveny-ops`. Needs `npm run build` first (npm test does; `npm pack` itself builds
 * through prepack, which these tests skip with --ignore-scripts so as not to build twice).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, ROOT, tempDir } from './helpers.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function npm(args: string[], cwd = ROOT) {
  const run = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'bundle', 'cli.cjs'))) throw new Error('run `npm run build` first (npm test does)');
});

describe('npm pack', () => {
  it('builds before packing', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('ships the launcher, the bundle, its worker and the deployment files, and nothing else', () => {
    const run = npm(['pack', '--dry-run', '--json', '--ignore-scripts']);
    expect(run.code, run.stderr).toBe(0);
    const files: string[] = JSON.parse(run.stdout)[0].files.map((f: { path: string }) => f.path).sort();
    const deploy = fs.readdirSync(path.join(ROOT, 'deploy'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
    expect(files).toEqual(['README.md', 'bin/craveny-ops', 'bin/launch.cjs', 'dist/bundle/cli.cjs', 'dist/bundle/scan-worker.cjs', ...deploy, 'package.json'].sort());
    // In particular: no tests, fixtures, bench, sources, source maps, or a code cache built for this machine.
    expect(files.filter((f) => /^(test|fixtures|bench|src|scripts)\/|\.map$|\.cache$/.test(f))).toEqual([]);
  });
});

describe('npm install', () => {
  it(`prints no engine warning on this Node (${process.version}): every locked package supports it`, () => {
    const dir = tempDir('craveny-ops-engines-');
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    const run = npm(['ci', '--dry-run', '--ignore-scripts', '--prefer-offline'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/EBADENGINE/);
  });
});

describe('npm install -g of the packed tarball', () => {
  it('gives a working craveny-ops in a temporary prefix', { timeout: 600_000 }, () => {
    const dir = tempDir('craveny-ops-pack-');
    const pack = npm(['pack', '--ignore-scripts', '--pack-destination', dir, '--json']);
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = path.join(dir, JSON.parse(pack.stdout)[0].filename);
    const prefix = path.join(dir, 'prefix');
    // The packages come from the npm cache that `npm ci` of this checkout filled. Not --offline:
    // a clean cache after `npm ci` holds the tarballs but not the registry's metadata, which npm
    // needs to resolve the package's version ranges (it reads a shrinkwrap inside a local tarball
    // only for registry installs), so on a clean CI machine the metadata is fetched once.
    // Install scripts are skipped: the one there is, better-sqlite3's, fetches or compiles its
    // native addon (minutes); the addon this checkout's install built is copied in instead.
    const install = npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', tarball], dir);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/EBADENGINE/);
    const installed = path.join(prefix, 'lib', 'node_modules', 'craveny-ops');
    fs.cpSync(path.join(ROOT, 'node_modules', 'better-sqlite3', 'build'), path.join(installed, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });

    const bin = path.join(prefix, 'bin', 'craveny-ops');
    const env = { PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, NO_COLOR: '1' };
    const run = (args: string[]) => spawnSync(bin, args, { cwd: dir, env, encoding: 'utf8' });
    expect(run(['--version']).stdout).toBe(`${pkg.version}\n`);
    const db = path.join(dir, 'store.db');
    const ingest = run(['--db', db, 'ingest', fixture('logs', 'day.log')]);
    expect(ingest.stderr).toBe('');
    expect(ingest.stdout).toMatch(/records added: 63\n$/);
    const stats = run(['--db', db, 'stats', '--days', '1', '--until', '2025-11-04', '--json']);
    expect(stats.status, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout).total_updates).toBeGreaterThan(0);
    // Its own bundle, not this checkout's.
    expect(fs.realpathSync(bin)).toBe(path.join(installed, 'bin', 'craveny-ops'));
  });
});
