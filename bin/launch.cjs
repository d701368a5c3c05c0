/**
 * Runs the bundled CLI (dist/bundle/cli.cjs, from `npm run build`) with a V8 code cache: the
 * compiled bytecode is saved next to the bundle after a run that had none, so later runs skip
 * parsing and compiling the ~1 MB of JavaScript they load — about 15 ms of every command, which
 * is a third of Node's own start-up. (Node 22's module.enableCompileCache does this; Node 20
 * has only vm.Script's cachedData.) The cache is an optimisation only: if it is missing, stale
 * (another bundle, another Node) or cannot be written, the CLI runs exactly the same.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
const cacheFile = `${file}.cache`;

function readOrNull(name) {
  try {
    return fs.readFileSync(name);
  } catch {
    return null;
  }
}

/** Written to a temporary name and renamed: a run starting meanwhile reads the old cache or the new one. */
function save(script) {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, script.createCachedData());
    fs.renameSync(temp, cacheFile);
  } catch {
    fs.rmSync(temp, { force: true });
  }
}

function load() {
  const source = readOrNull(file);
  if (source === null) {
    process.stderr.write(`craveny-ops: ${file} is missing: run npm run build first\n`);
    process.exit(2);
  }
  const cachedData = readOrNull(cacheFile) ?? undefined;
  const script = new vm.Script(Module.wrap(source.toString('utf8')), { filename: file, cachedData });
  const module = new Module(file, null);
  module.filename = file;
  module.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(file), module, file, path.dirname(file));
  // CRAVENY_OPS_CODE_CACHE=refresh saves it after every run: the build warms the cache with a run
  // of each command, each adding the functions it compiled to those it found.
  const refresh = process.env.CRAVENY_OPS_CODE_CACHE === 'refresh';
  return { cli: module.exports, stale: refresh || cachedData === undefined || script.cachedDataRejected === true, script };
}

const { cli, stale, script } = load();
cli.main(process.argv.slice(2)).then((code) => {
  // After the run, so that the functions it compiled are in the cache too.
  if (stale) save(script);
  // Not process.exit: that would drop output a slow pipe has not taken yet.
  return cli.exitWhenWritten(code);
});
