// Bounded file access shared by the readers: byte ranges by offset (never a whole weight file
// in memory), sizes, and streamed hashing. Every fs failure becomes the caller's FormatError.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { causeText, type FormatErrorClass } from './errors.js';

/** readSync moves at most ~2 GB per call on some platforms; stay well below. */
const CHUNK = 1 << 30;
const HASH_CHUNK = 8 << 20;

/**
 * Read-only, and non-blocking so that opening a FIFO named like a weight file returns at once
 * (a plain open waits for a writer forever); fdSize then refuses it. No effect on regular files.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** What a non-regular file system entry is, for "is not a regular file" messages. */
export function entryKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a regular file' : 'not a file';
}

/** The message for an entry that is not a regular file. */
export function notRegularFile(st: fs.Stats): string {
  return `is not a regular file (it is ${entryKind(st)}); expected the file itself`;
}

/** Runs `fn` with a read-only descriptor of `file`, closing it whatever happens. */
export function withFd<T>(file: string, Err: FormatErrorClass, fn: (fd: number) => T): T {
  let fd: number;
  try {
    fd = fs.openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw new Err(file, `cannot open: ${causeText(err)}`);
  }
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Size in bytes of an open regular file. */
export function fdSize(fd: number, file: string, Err: FormatErrorClass): number {
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (err) {
    throw new Err(file, `cannot stat: ${causeText(err)}`);
  }
  if (!st.isFile()) throw new Err(file, notRegularFile(st));
  return st.size;
}

/** Fills `target` from `position`; a short read means the file shrank or lied about its size. */
export function readInto(fd: number, target: Uint8Array, position: number, file: string, Err: FormatErrorClass): void {
  let done = 0;
  while (done < target.byteLength) {
    const want = Math.min(CHUNK, target.byteLength - done);
    let got: number;
    try {
      got = fs.readSync(fd, target, done, want, position + done);
    } catch (err) {
      throw new Err(file, `cannot read ${target.byteLength} bytes at offset ${position}: ${causeText(err)}`);
    }
    if (got === 0) {
      throw new Err(file, `file ended early: read ${done} of ${target.byteLength} bytes at offset ${position} (was it changed while open?)`);
    }
    done += got;
  }
}

/** A fresh buffer holding `length` bytes at `position`; callers check the range first. */
export function readRange(fd: number, position: number, length: number, file: string, Err: FormatErrorClass): Uint8Array {
  const buf = new Uint8Array(length);
  readInto(fd, buf, position, file, Err);
  return buf;
}

/** Hex sha256 over the files' bytes in order, streamed in chunks. */
export function sha256Files(files: readonly string[], Err: FormatErrorClass): string {
  const hash = createHash('sha256');
  const buf = new Uint8Array(HASH_CHUNK);
  for (const file of files) {
    withFd(file, Err, (fd) => {
      let position = 0;
      for (;;) {
        let got: number;
        try {
          got = fs.readSync(fd, buf, 0, buf.byteLength, position);
        } catch (err) {
          throw new Err(file, `cannot read at offset ${position}: ${causeText(err)}`);
        }
        if (got === 0) break;
        hash.update(buf.subarray(0, got));
        position += got;
      }
    });
  }
  return hash.digest('hex');
}
