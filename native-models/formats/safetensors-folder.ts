// A Hugging Face model folder: config.json plus either model.safetensors or shards listed in
// model.safetensors.index.json ({weight_map: {tensor: shard file}}). The index is untrusted too:
// shard names must stay inside the folder, and it must agree with what the shards contain.
// Every file read from the folder goes through inFolder(): a symbolic link is followed only
// where links.ts allows (inside the folder, or a cache snapshot into its blobs/).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { causeText, quote, SafetensorsFolderError } from './errors.js';
import { isPlainObject, readJsonFile } from './json.js';
import { checkLinkInFolder } from './links.js';
import { type CheckpointReader, FileCheckpoint, type TensorInfo } from './reader.js';
import { readSafetensorsHeader } from './safetensors.js';

export const CONFIG_FILE = 'config.json';
export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
const MAX_CONFIG_BYTES = 10_000_000;
const MAX_INDEX_BYTES = 100_000_000;

const Err = SafetensorsFolderError;

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile(); // follows symlinks: the HF cache links snapshots to blobs
  } catch {
    return false;
  }
}

/** Whether the folder has an entry of that name, whatever it is (a FIFO or a dangling link too). */
function hasEntry(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** `name` in `dir`, once checked that a link there leads nowhere it should not. */
function inFolder(dir: string, name: string): string {
  const file = path.join(dir, name);
  checkLinkInFolder(file, dir, Err);
  return file;
}

/** "Mine or not": a directory holding model.safetensors or its index. Never throws. */
export function sniffSafetensorsFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && (isFile(path.join(dir, SINGLE_FILE)) || isFile(path.join(dir, INDEX_FILE)));
  } catch {
    return false;
  }
}

/** A shard name from the index must be a plain file name: no separators, no '..', not absolute. */
function checkShardName(index: string, tensor: string, shard: unknown): string {
  const bad =
    typeof shard !== 'string' || shard === '' || shard === '.' || shard === '..' || /[/\\:\0]/.test(shard) || path.isAbsolute(shard);
  if (bad) {
    throw new Err(index, `weight_map[${quote(tensor)}] is ${quote(shard)}; expected the file name of a shard in this folder (no '/', '\\', '..', not absolute)`, tensor);
  }
  return shard as string;
}

function readWeightMap(index: string): Map<string, string> {
  const json = readJsonFile(index, MAX_INDEX_BYTES, 'index', Err);
  const wm = json.weight_map;
  if (!isPlainObject(wm)) throw new Err(index, `weight_map is ${quote(wm)}; expected an object {tensor name: shard file}`, 'weight_map');
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(wm)) map.set(tensor, checkShardName(index, tensor, shard));
  if (map.size === 0) throw new Err(index, 'weight_map is empty; expected at least one tensor', 'weight_map');
  return map;
}

/** Opens every shard the index names and checks index and shards agree tensor by tensor. */
function openSharded(dir: string, index: string): { paths: string[]; tensors: Map<string, TensorInfo> } {
  const weightMap = readWeightMap(index);
  const shards = [...new Set(weightMap.values())].sort();
  const tensors = new Map<string, TensorInfo>();
  const home = new Map<string, string>();
  for (const shard of shards) {
    const file = inFolder(dir, shard);
    // A FIFO, device or folder of that name is opened by the header reader, which says what it is.
    if (!hasEntry(file)) throw new Err(index, `missing shard: weight_map names ${quote(shard)} but ${file} is not a file in the folder`, shard);
    for (const t of readSafetensorsHeader(file).tensors) {
      const other = home.get(t.name);
      if (other !== undefined) throw new Err(index, `tensor ${quote(t.name)} is in two shards, ${quote(other)} and ${quote(shard)}; expected each tensor in one shard`, t.name);
      home.set(t.name, shard);
      tensors.set(t.name, t);
    }
  }
  for (const [tensor, shard] of weightMap) {
    const actual = home.get(tensor);
    if (actual !== shard) {
      const found = actual === undefined ? 'no shard has it' : `it is in ${quote(actual)}`;
      throw new Err(index, `weight_map puts tensor ${quote(tensor)} in ${quote(shard)} but ${found}; expected the index to match the shards`, tensor);
    }
  }
  for (const [tensor, shard] of home) {
    if (!weightMap.has(tensor)) throw new Err(index, `tensor ${quote(tensor)} in shard ${quote(shard)} is not listed in weight_map; expected the index to list every tensor`, tensor);
  }
  return { paths: shards.map((s) => path.join(dir, s)), tensors };
}

function describeFolder(dir: string): string {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    return `cannot list it (${causeText(err)})`;
  }
  const hint = names.some((n) => n.endsWith('.bin') || n.endsWith('.pt'))
    ? '; PyTorch pickle weights are not read (they can run code): convert them to safetensors'
    : '';
  const shown = names.slice(0, 12).map((n) => quote(n)).join(', ');
  return `it holds ${names.length ? shown + (names.length > 12 ? ', …' : '') : 'nothing'}${hint}`;
}

/** The folder's config.json, parsed and checked, or null when it has none. */
export function readConfigIn(dir: string): Record<string, unknown> | null {
  const configPath = inFolder(dir, CONFIG_FILE);
  return hasEntry(configPath) ? readJsonFile(configPath, MAX_CONFIG_BYTES, CONFIG_FILE, Err) : null;
}

/** Opens a Hugging Face folder; config.json is parsed when present (null when absent). */
export function openSafetensorsFolder(dir: string): CheckpointReader {
  dir = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    throw new Err(dir, `cannot open folder: ${causeText(err)}`);
  }
  if (!stat.isDirectory()) throw new Err(dir, 'is not a folder; expected a Hugging Face model folder');
  const config = readConfigIn(dir);
  const index = inFolder(dir, INDEX_FILE);
  const single = inFolder(dir, SINGLE_FILE);
  let found: { paths: string[]; tensors: Map<string, TensorInfo> };
  // An entry of either name claims the folder, so a FIFO or folder named so is reported as what it is.
  if (hasEntry(index)) found = openSharded(dir, index);
  else if (hasEntry(single)) {
    const header = readSafetensorsHeader(single);
    found = { paths: [single], tensors: new Map(header.tensors.map((t) => [t.name, t])) };
  } else {
    throw new Err(dir, `no ${SINGLE_FILE} or ${INDEX_FILE}: ${describeFolder(dir)}; expected a Hugging Face folder with safetensors weights`);
  }
  return new FileCheckpoint('safetensors', found.paths, config, found.tensors, SafetensorsFolderError);
}
