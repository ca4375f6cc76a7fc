import { describe, expect, it } from 'vitest';
import { defaultProviders, parseProviders } from './providers.js';

describe('execution provider choice', () => {
  it('prefers the accelerator shipped for each platform, then CPU', () => {
    expect(defaultProviders('win32')).toEqual(['dml', 'cpu']);
    expect(defaultProviders('darwin')).toEqual(['coreml', 'cpu']);
    // Linux gets CUDA only when its optional libraries were installed (not on this offline install).
    expect(defaultProviders('linux').at(-1)).toBe('cpu');
    expect(defaultProviders('freebsd')).toEqual(['cpu']);
  });

  it('parses a provider list and names a wrong entry with the choices', () => {
    expect(parseProviders('cuda, cpu')).toEqual(['cuda', 'cpu']);
    expect(() => parseProviders('cuda,tpu')).toThrow(/unknown execution provider "tpu"; expected a comma-separated list of cuda, dml, coreml, webgpu, cpu/);
    expect(() => parseProviders('')).toThrow(/unknown execution provider/);
  });
});
