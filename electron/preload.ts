// The bridge between the sandboxed renderer and the main process: window.lab, nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import type { LabBridge } from './api.js';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const bridge: LabBridge = {
  async invoke(method, params) {
    const reply = (await ipcRenderer.invoke('lab:invoke', method, params)) as Reply;
    if (reply.ok) return reply.result;
    throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  },
  onEvent(listener) {
    const handler = (_e: unknown, event: unknown) => listener(event);
    ipcRenderer.on('lab:event', handler);
    return () => ipcRenderer.removeListener('lab:event', handler);
  },
};

contextBridge.exposeInMainWorld('lab', bridge);
