/**
 * An input to ingest: a plain file, a gzip file (recognised by its magic bytes, not its name),
 * or standard input. Offsets always count decompressed bytes.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { UsageError } from '../errors.js';

export const HEAD_BYTES = 1024;
const READ_BYTES = 1 << 20;
/** Test knob: small reads let small batches commit often (a batch is checked after each read). */
export const readBytes = () => Number(process.env.CRAVENY_OPS_READ_BYTES) || READ_BYTES;

export interface Input {
  path: string;
  compressed: boolean;
  device: string | null;
  inode: string | null;
  /** Plain files: their size; gzip: the size the trailer declares (mod 2^32); stdin: null. */
  size: number | null;
  /** Gzip files: their trailer (CRC-32 and size of the content, hex); else null. */
  trailer: string | null;
  /** The first bytes (decompressed), up to HEAD_BYTES: the identity of the stream. */
  head: Buffer;
  /** Decompressed bytes from `offset` on; a chunk is valid until the next is asked for. A stream ends only once. */
  chunks(offset: number): AsyncIterable<Buffer> | Iterable<Buffer>;
  /** Plain files: the descriptor the input was opened with, read by chunks() (and by a scan worker). */
  fd: number | null;
  /** Releases the file once nothing reads it any more; the input is not read after. */
  close(): Promise<void>;
}

export class InputError extends UsageError {}

export async function openInput(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<Input> {
  if (path === '-') return openStream('-', Readable.from(stdin as AsyncIterable<Buffer>));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (error) {
    throw new InputError(`${path}: ${describeFsError(error)}`);
  }
  if (stat.isDirectory()) throw new InputError(`${path}: is a directory, not a log file`);
  // A FIFO cannot be read at offsets (ESPIPE), and one with no writer would block the open
  // forever; a device (/dev/zero) never ends. Standard input reads any of them as a stream.
  if (!stat.isFile()) throw new InputError(`${path}: is ${specialKind(stat)}, not a regular file: pipe it to standard input instead (cat ${path} | craveny-ops ingest -)`);
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    throw new InputError(`${path}: ${describeFsError(error)}`);
  }
  let file: fs.ReadStream | null = null;
  // A gzip file is read by a stream through the same descriptor, which the stream closes once it
  // has stopped reading (destroyed, it closes it whatever autoClose says): closing it under a read
  // in flight, when an unchanged file is set aside unread, made that read fail with EBADF.
  const close = async () => {
    if (file) await stopReading(file);
    else fs.closeSync(fd);
  };
  try {
    const magic = Buffer.alloc(2);
    const n = fs.readSync(fd, magic, 0, 2, 0);
    // With its birth time where the file system keeps one: an inode freed by rotation and reused by
    // a new file is then another file, not the old one truncated in place.
    const identity = { device: String(stat.dev), inode: stat.birthtimeMs > 0 ? `${stat.ino}@${stat.birthtimeMs}` : String(stat.ino) };
    if (n === 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
      file = fs.createReadStream(path, { fd, autoClose: false, start: 0 });
      const input = await openStream(path, gunzipped(file));
      const trailer = Buffer.alloc(8);
      fs.readSync(fd, trailer, 0, 8, Math.max(0, stat.size - 8));
      return { ...input, ...identity, compressed: true, size: trailer.readUInt32LE(4), trailer: trailer.toString('hex'), close };
    }
    const head = Buffer.alloc(Math.min(HEAD_BYTES, stat.size));
    fs.readSync(fd, head, 0, head.length, 0);
    // Read through the descriptor it was identified by: a rotation renaming the file meanwhile
    // cannot put another file's bytes under this one's checkpoint.
    return { path, compressed: false, ...identity, size: stat.size, trailer: null, head, chunks: (offset) => readChunks(fd, offset), fd, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Stops a file stream and waits until its last read is done and its descriptor closed. */
async function stopReading(stream: fs.ReadStream): Promise<void> {
  if (stream.closed) return;
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.destroy();
  await closed;
}

/**
 * A file's bytes from `offset` on, into one buffer read into again for every chunk: a chunk is
 * valid until the next is asked for (the scanner copies what it keeps). Fresh buffers cost page
 * faults and garbage to collect, and lifted peak memory by tens of MB on large files.
 */
export function* readChunks(fd: number, offset: number, size = readBytes()): Generator<Buffer> {
  let position = offset;
  const buf = Buffer.allocUnsafe(size);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, size, position);
    if (n === 0) return;
    position += n;
    yield buf.subarray(0, n);
  }
}

/** A stream read once: its head is buffered so that the identity is known before reading on. */
async function openStream(path: string, stream: Readable): Promise<Input> {
  let source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let compressed = path !== '-';
  if (!compressed) {
    // Standard input is gzip when its first two bytes say so; a pipe may hand them over one at a time.
    const first: Buffer[] = [];
    let got = 0;
    while (got < 2) {
      const { value, done } = await nextChunk(source, path);
      if (done) break;
      first.push(value);
      got += value.length;
    }
    const start = Buffer.concat(first);
    const piped = prepend([start], source, path);
    compressed = start[0] === 0x1f && start[1] === 0x8b;
    source = (compressed ? gunzipped(Readable.from(piped)) : piped)[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }
  const buffered: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < HEAD_BYTES) {
    const { value, done } = await nextChunk(source, path);
    if (done) {
      ended = true;
      break;
    }
    buffered.push(value);
    length += value.length;
  }
  const all = Buffer.concat(buffered);
  return {
    path,
    compressed,
    device: null,
    inode: null,
    size: null,
    trailer: null,
    head: all.subarray(0, HEAD_BYTES),
    chunks: (offset) => skip(prepend([all], ended ? null : source, path), offset),
    fd: null,
    close: async () => {},
  };
}

/** The decompressed bytes of a gzip stream; a failure to read it fails them too (pipe() alone would leave it unhandled). */
function gunzipped(compressed: Readable): Readable {
  const gunzip = zlib.createGunzip();
  compressed.on('error', (error) => gunzip.destroy(error));
  return compressed.pipe(gunzip);
}

async function nextChunk(it: AsyncIterator<Buffer>, path: string): Promise<IteratorResult<Buffer>> {
  try {
    return await it.next();
  } catch (error) {
    // Named already where it was read (a stream read through another).
    if (error instanceof InputError) throw error;
    throw new InputError(`${path}: ${describeStreamError(error)}`);
  }
}

async function* prepend(first: Buffer[], rest: AsyncIterator<Buffer> | null, path: string): AsyncIterable<Buffer> {
  for (const b of first) if (b.length) yield b;
  if (!rest) return;
  for (;;) {
    const { value, done } = await nextChunk(rest, path);
    if (done) return;
    yield value;
  }
}

async function* skip(chunks: AsyncIterable<Buffer>, offset: number): AsyncIterable<Buffer> {
  let toSkip = offset;
  for await (const chunk of chunks) {
    if (toSkip >= chunk.length) {
      toSkip -= chunk.length;
      continue;
    }
    yield toSkip ? chunk.subarray(toSkip) : chunk;
    toSkip = 0;
  }
}

function specialKind(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, not a log file';
  return (error as Error).message;
}

function describeStreamError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String(error))) {
    return `corrupt or truncated gzip data (${(error as Error).message})`;
  }
  return describeFsError(error);
}
