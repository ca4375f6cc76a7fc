// Browser mode's path confinement on a real file system: symlinks out, '..', prefix look-alikes,
// paths that do not exist yet, NUL bytes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInside } from '../native-models/formats/links.js';
import { allowedRoots, AllowDirError, browserModeRoots, confinePath, PathNotAllowedError, realPathOf, type AllowedRoot } from './allowed-roots.js';
import { tempDir } from './jobs/test-support.js';

let base: string; // real path of a fresh temp folder
let user: string; // the allowed root: <base>/home/user
let roots: AllowedRoot[];

beforeAll(() => {
  base = fs.realpathSync(tempDir('ffn-roots-'));
  user = path.join(base, 'home', 'user');
  fs.mkdirSync(path.join(user, 'models', 'gpt2'), { recursive: true });
  fs.mkdirSync(path.join(base, 'home', 'user2'), { recursive: true });
  fs.mkdirSync(path.join(base, 'etc', 'ssh'), { recursive: true });
  fs.writeFileSync(path.join(base, 'etc', 'passwd'), 'root:x:0:0\n');
  fs.writeFileSync(path.join(base, 'home', 'user2', 'secret.txt'), 'not yours\n');
  fs.writeFileSync(path.join(user, 'models', 'notes.txt'), 'mine\n');
  fs.symlinkSync(path.join(base, 'etc', 'passwd'), path.join(user, 'passwd-link.txt'));
  fs.symlinkSync(path.join(base, 'etc', 'ssh'), path.join(user, 'ssh-link'));
  fs.symlinkSync(path.join(user, 'models'), path.join(user, 'models-link'));
  roots = allowedRoots([{ dir: user, label: 'home folder' }]);
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const refused = (p: string) => {
  try {
    confinePath(roots, p, 'corpus path');
  } catch (err) {
    expect(err).toBeInstanceOf(PathNotAllowedError);
    return (err as Error).message;
  }
  throw new Error(`${p} was allowed`);
};

describe('isInside (pure; formats/links.ts)', () => {
  it('compares whole path components', () => {
    expect(isInside('/home/user', '/home/user')).toBe(true);
    expect(isInside('/home/user', '/home/user/a/b')).toBe(true);
    expect(isInside('/home/user', '/home/user2')).toBe(false);
    expect(isInside('/home/user', '/home/user2/a')).toBe(false);
    expect(isInside('/home/user', '/home')).toBe(false);
    expect(isInside('/home/user', '/etc/passwd')).toBe(false);
    expect(isInside('/', '/etc/passwd')).toBe(true);
    // a name that starts with two dots is a name, not a step up
    expect(isInside('/home/user', '/home/user/..hidden')).toBe(true);
  });

  it('works with Windows paths', () => {
    expect(isInside('C:\\Users\\me', 'C:\\Users\\me\\models', path.win32)).toBe(true);
    expect(isInside('C:\\Users\\me', 'C:\\Users\\me2', path.win32)).toBe(false);
    expect(isInside('C:\\Users\\me', 'D:\\Users\\me', path.win32)).toBe(false);
  });
});

describe('confinePath', () => {
  it('allows a file and a folder inside the root, returning the real path', () => {
    expect(confinePath(roots, path.join(user, 'models', 'notes.txt'))).toBe(path.join(user, 'models', 'notes.txt'));
    expect(confinePath(roots, path.join(user, 'models-link', 'gpt2'))).toBe(path.join(user, 'models', 'gpt2'));
    expect(confinePath(roots, user)).toBe(user);
  });

  it('refuses a symlink inside the root that leads out of it, without saying where it leads', () => {
    const message = refused(path.join(user, 'passwd-link.txt'));
    expect(message).toContain(`${user} (home folder)`);
    expect(message).toContain('--allow-dir');
    expect(message).not.toContain(path.join(base, 'etc'));
    refused(path.join(user, 'ssh-link'));
    refused(path.join(user, 'ssh-link', 'id_rsa')); // does not exist, behind a link out
  });

  it("refuses '..' out of the root, also after a symlink (the OS goes up from the link's target)", () => {
    refused(path.join(user, '..', 'user2', 'secret.txt'));
    refused(`${user}/models/../../../etc/passwd`);
    // ssh-link/.. is <base>/etc for the OS, though path.resolve would say <user>
    expect(path.resolve(`${user}/ssh-link/../passwd`)).toBe(path.join(user, 'passwd'));
    refused(`${user}/ssh-link/../passwd`);
    // and a '..' that stays inside is fine
    expect(confinePath(roots, `${user}/models/gpt2/../notes.txt`)).toBe(path.join(user, 'models', 'notes.txt'));
  });

  it('refuses a sibling folder whose name starts with the root (/home/user2 vs /home/user)', () => {
    refused(path.join(base, 'home', 'user2', 'secret.txt'));
    refused(path.join(base, 'home', 'user2'));
    refused(path.join(base, 'home'));
  });

  it('checks paths that do not exist through their longest existing part', () => {
    expect(confinePath(roots, path.join(user, 'new', 'export'))).toBe(path.join(user, 'new', 'export'));
    expect(confinePath(roots, path.join(user, 'models-link', 'later', 'x.txt'))).toBe(path.join(user, 'models', 'later', 'x.txt'));
    refused(path.join(base, 'nowhere', 'x.txt'));
    refused(`${user}/missing/../../user2`);
    refused('/proc/self/root/etc/passwd');
  });

  it('refuses a NUL byte without touching the file system', () => {
    expect(refused(`${user}/models/notes.txt\0.gguf`)).toMatch(/NUL byte/);
  });

  it('resolves a relative path against the working folder', () => {
    expect(realPathOf('notes.txt', path.join(user, 'models'))).toBe(path.join(user, 'models', 'notes.txt'));
  });
});

describe('browserModeRoots', () => {
  const dataDir = () => path.join(base, 'data');
  const demoDir = () => path.join(base, 'demo');

  it('defaults to the home folder, and always adds the data folder and the demo models', () => {
    const r = browserModeRoots({ allowDirs: [], home: user, dataDir: dataDir(), demoDir: demoDir() });
    expect(r).toEqual([
      { path: user, label: 'home folder' },
      { path: dataDir(), label: 'data folder' },
      { path: demoDir(), label: 'shipped demo models' },
    ]);
  });

  it('replaces the home folder with the --allow-dir folders, and keeps a root inside another once', () => {
    const models = path.join(user, 'models');
    const r = browserModeRoots({ allowDirs: [models, path.join(user, 'models-link')], home: user, dataDir: path.join(models, 'data'), demoDir: demoDir() });
    expect(r.map((x) => x.path)).toEqual([models, demoDir()]);
    expect(() => confinePath(r, path.join(user, 'passwd-link.txt'))).toThrow(PathNotAllowedError);
  });

  it('refuses an --allow-dir that is not an existing folder, by name', () => {
    const missing = path.join(base, 'no-such-folder');
    expect(() => browserModeRoots({ allowDirs: [missing], home: user, dataDir: dataDir(), demoDir: demoDir() })).toThrow(AllowDirError);
    expect(() => browserModeRoots({ allowDirs: [path.join(user, 'models', 'notes.txt')], home: user, dataDir: dataDir(), demoDir: demoDir() })).toThrow(/notes\.txt: not an existing folder/);
  });
});
