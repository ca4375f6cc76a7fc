// Intrinsic dimension of every sampled point, no subsample: TwoNN from each row's two nearest
// neighbours found exactly by onnxruntime (knn.ts), PCA-90 from the covariance spectrum
// accumulated by block products (streamed-pca.ts). Rows come from the sample store as float16.
import type { LinalgOptions } from '../../../native-models/runtime/dense-linalg.js';
import { BlockProducts } from '../../../native-models/runtime/dense-linalg.js';
import type { IntrinsicEstimate } from '../../analysis/intrinsic.js';
import { componentsFor } from '../../analysis/pca.js';
import { twoNnFromRatios } from '../../analysis/twonn.js';
import { exactKnn } from './knn.js';
import { gatherRows, type RowSource } from './row-source.js';
import { streamedSpectrum } from './streamed-pca.js';

export async function knnIntrinsic(src: RowSource, o: LinalgOptions & { discard?: number; fraction?: number } = {}): Promise<IntrinsicEstimate & { duplicates: number }> {
  const { n, d } = src;
  if (n < 3) throw new RangeError(`TwoNN needs at least 3 points, got ${n}`);
  const knn = await exactKnn(await gatherRows(src), n, d, 2, o);
  const ratios: number[] = [];
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    const r1 = knn.distances[2 * i] as number;
    if (!(r1 > 0)) duplicates++;
    else ratios.push((knn.distances[2 * i + 1] as number) / r1);
  }
  const products = new BlockProducts(d, o);
  try {
    const spectrum = await streamedSpectrum(src, products);
    return { twonn: twoNnFromRatios(ratios, o.discard ?? 0.1), pca90: componentsFor(spectrum, o.fraction ?? 0.9), points: n, duplicates };
  } finally {
    await products.release();
  }
}
