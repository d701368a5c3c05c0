/** Set-up file of every test file: its temporary directories go when it ends (each run made ~300, 270 MB). */
import { afterAll } from 'vitest';
import { removeTempDirs } from '../helpers.js';

afterAll(removeTempDirs);
