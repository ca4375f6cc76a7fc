// Picks the family mapper for a checkpoint: llama2.c files by their format; Hugging Face folders
// by config.architectures[0], or by model_type when the config names no architecture; GGUF files
// by their general.architecture (gguf.ts).

import type { CheckpointReader } from '../formats/checkpoint.js';
import { quote } from '../formats/errors.js';
import { ArchitectureError, MapContext, type Mapper, type Mapping } from './common.js';
import { ggufMapper } from './gguf.js';
import { gemmaMapper } from './gemma.js';
import { gpt2Mapper } from './gpt2.js';
import { llama2cMapper } from './llama2c.js';
import { llamaMapper } from './llama.js';
import { deepseekMapper, moeMapper } from './moe.js';
import { neoxMapper } from './neox.js';
import { optMapper } from './opt.js';
import { phi3Mapper } from './phi3.js';

export const MAPPERS: readonly Mapper[] = [gpt2Mapper, llamaMapper, neoxMapper, optMapper, moeMapper, phi3Mapper, gemmaMapper];
/** Architectures recognised only to be refused with a precise reason (their mappers throw). */
const REFUSED: readonly Mapper[] = [deepseekMapper];

/** Every architecture name we map (config.architectures[0] values, and llama2.c). */
export const SUPPORTED_ARCHITECTURES: readonly string[] = [...MAPPERS.flatMap((m) => m.architectures), ...llama2cMapper.architectures];

export function mapperFor(reader: CheckpointReader): Mapper {
  if (reader.format === 'llama2c') return llama2cMapper;
  // GGUF files carry their architecture in the metadata (general.architecture); gguf.ts refuses
  // the ones it does not map, by name.
  if (reader.format === 'gguf') return ggufMapper;
  const c: MapContext = new MapContext(reader, 'config.json');
  const archs = c.config.architectures;
  const supported = `one of ${SUPPORTED_ARCHITECTURES.filter((a) => a !== 'llama2.c').join(', ')}`;
  if (archs !== undefined && archs !== null) {
    const first: unknown = Array.isArray(archs) ? archs[0] : undefined;
    if (typeof first !== 'string') c.fail('architectures', archs, `a list of architecture names starting with ${supported}`);
    const m = MAPPERS.find((x) => x.architectures.includes(first)) ?? REFUSED.find((x) => x.architectures.includes(first));
    if (!m) c.fail('architectures', archs, `${supported} (unsupported architecture ${quote(first)})`);
    return m;
  }
  const type = c.config.model_type;
  const m = [...MAPPERS, ...REFUSED].find((x) => typeof type === 'string' && x.modelTypes.includes(type));
  if (!m) {
    const types = MAPPERS.flatMap((x) => x.modelTypes).join(', ');
    throw new ArchitectureError(c.where, `config.json names no "architectures" and its "model_type" is ${quote(type)}; expected architectures ${supported}, or model_type one of ${types}`, 'model_type');
  }
  return m;
}

/** The checkpoint as a ModelSpec plus recipes for its canonical weights. */
export function mapCheckpoint(reader: CheckpointReader): Mapping {
  return mapperFor(reader).map(reader);
}
