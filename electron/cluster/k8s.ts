// The same study as Kubernetes Jobs, for GPU clouds: an Indexed Job (completionMode: Indexed, one
// completion per shard; each pod reads its shard from JOB_COMPLETION_INDEX) and a merge Job to
// apply once it completes (Kubernetes has no afterok: `kubectl wait --for=condition=complete`).
// The study folder must be on a volume every pod mounts (a ReadWriteMany PersistentVolumeClaim)
// at the same path as here, and the image must have FFN Lab as `ffn-lab` on its PATH.
import path from 'node:path';
import { StudyError, writeFileAtomic, type StudyPlan } from './study.js';

export interface K8sOptions {
  image: string;
  /** the PersistentVolumeClaim holding the study folder (and the model, at the path the plan names) */
  claim: string;
  /** where the claim is mounted in the pods; default: the study folder's parent */
  mountPath?: string;
  /** GPUs per pod (nvidia.com/gpu), default 0 */
  gpus?: number;
  /** pods at once; default: every shard */
  parallelism?: number;
}

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

/** DNS-1123 label from the study name (Job names must be one). */
export function jobName(name: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'study';
  return `ffn-${base}`.replace(/-+$/g, '');
}

function podSpec(plan: StudyPlan, dir: string, o: K8sOptions, args: string[], env: Yaml[]): { [key: string]: Yaml } {
  const mountPath = o.mountPath ?? path.dirname(dir);
  if (!dir.startsWith(mountPath.endsWith('/') ? mountPath : `${mountPath}/`)) throw new StudyError(`the study folder ${dir} is not under the mount path ${mountPath}: pods would not see it; give --mount-path`);
  const gpus = o.gpus ?? 0;
  return {
    restartPolicy: 'OnFailure',
    containers: [
      {
        name: 'ffn-lab',
        image: o.image,
        command: ['ffn-lab'],
        args,
        env,
        ...(gpus > 0 ? { resources: { limits: { 'nvidia.com/gpu': gpus } } } : {}),
        volumeMounts: [{ name: 'study', mountPath }],
      },
    ],
    volumes: [{ name: 'study', persistentVolumeClaim: { claimName: o.claim } }],
  };
}

/** The Indexed Job running the shards, and the merge Job. */
export function k8sManifests(plan: StudyPlan, dir: string, o: K8sOptions): { shards: { [key: string]: Yaml }; merge: { [key: string]: Yaml } } {
  if (!o.image) throw new StudyError('--engine k8s needs --image: a container image with FFN Lab (ffn-lab on its PATH)');
  if (!o.claim) throw new StudyError('--engine k8s needs --pvc: the PersistentVolumeClaim that holds the study folder');
  const n = plan.ranges.length;
  const name = jobName(plan.name);
  const labels = { app: 'ffn-lab', 'ffn-lab/study': name };
  const shards = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-shards`, labels },
    spec: {
      completionMode: 'Indexed',
      completions: n,
      parallelism: Math.min(o.parallelism ?? n, n),
      // a failed pod is retried in place (the shard resumes from its checkpoint)
      backoffLimit: 6 * n,
      template: {
        metadata: { labels },
        // JOB_COMPLETION_INDEX is set by Kubernetes in every pod of an Indexed Job
        spec: podSpec(plan, dir, o, ['shard', 'run', dir, '--index', '$(JOB_COMPLETION_INDEX)'], [{ name: 'FFN_LAB_STUDY', value: dir }]),
      },
    },
  };
  const merge = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-merge`, labels },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: 2,
      template: { metadata: { labels }, spec: podSpec(plan, dir, { ...o, gpus: 0 }, ['cluster', 'merge', dir], [{ name: 'FFN_LAB_STUDY', value: dir }]) },
    },
  };
  return { shards, merge };
}

/** Block-style YAML; every string double-quoted (JSON escapes are YAML escapes), so nothing is misread as a number or a boolean. */
export function toYaml(value: Yaml, indent = 0): string {
  const pad = ' '.repeat(indent);
  const scalar = (v: Yaml) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
          const inner = toYaml(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        if (Array.isArray(item) && item.length > 0) return `${pad}-\n${toYaml(item, indent + 2)}`;
        return `${pad}- ${item !== null && typeof item === 'object' ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}\n`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([k, v]) => {
        const key = /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(k) ? k : JSON.stringify(k);
        if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) return `${pad}${key}:\n${toYaml(v, indent + (Array.isArray(v) ? 0 : 2))}`;
        return `${pad}${key}: ${v !== null && typeof v === 'object' ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}\n`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}

export function writeK8sFiles(plan: StudyPlan, dir: string, o: K8sOptions): string[] {
  const { shards, merge } = k8sManifests(plan, dir, o);
  const name = jobName(plan.name);
  const head = (what: string) => `# FFN Lab study "${plan.name}": ${what}\n`;
  writeFileAtomic(path.join(dir, 'k8s-shards.yaml'), head(`${plan.ranges.length} shards as an Indexed Job. kubectl apply -f k8s-shards.yaml`) + toYaml(shards));
  writeFileAtomic(
    path.join(dir, 'k8s-merge.yaml'),
    head(`the merge, after the shards: kubectl wait --for=condition=complete --timeout=-1s job/${name}-shards && kubectl apply -f k8s-merge.yaml`) + toYaml(merge),
  );
  return ['k8s-shards.yaml', 'k8s-merge.yaml'];
}
