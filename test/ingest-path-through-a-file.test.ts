/**
 * A path that cannot be looked up for another reason than a missing file (cli-contract.md
 * conventions: exit 2, one line naming the input and the problem): the problem is named as the
 * system gives it, not taken for a missing file or a directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

it('a path through a regular file (backend.log/x): exit 2, one line saying a part of it is not a directory', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'backend.log'), '');
  const bad = path.join(dir, 'backend.log', 'x');
  const run = await cli(['--db', path.join(dir, 'store.db'), 'ingest', bad]);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(new RegExp(`^craveny-ops: ${bad.replace(/[.]/g, '\\.')}: ENOTDIR: not a directory[^\\n]*\\n$`));
});
