// The bridge between the sandboxed renderer and the main process: window.lab, nothing else.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { LabBridge } from './api.js';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const bridge: LabBridge = {
  async invoke(method, params) {
    const reply = (await ipcRenderer.invoke('lab:invoke', method, params)) as Reply;
    if (reply.ok) return reply.result;
    // contextBridge drops extra fields of Error objects, so reject with the plain error body.
    throw { error: reply.error };
  },
  onEvent(listener) {
    const handler = (_e: unknown, event: unknown) => listener(event);
    ipcRenderer.on('lab:event', handler);
    return () => ipcRenderer.removeListener('lab:event', handler);
  },
  // The sandboxed renderer's File objects carry no path; Electron tells it here, so a dropped
  // checkpoint is read where it is instead of being copied.
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('lab', bridge);
