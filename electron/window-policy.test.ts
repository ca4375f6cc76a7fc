// The Electron window's policy: navigation stays on app://ffn-lab, external links only to the
// listed hosts over https, and no web permission but clipboard writes from the app's pages.
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, EXTERNAL_HOSTS, externalLinkDecision, isAppUrl, navigationAllowed, permissionAllowed } from './window-policy.js';

describe('navigation', () => {
  it('allows the app pages only', () => {
    expect(navigationAllowed(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(navigationAllowed(`${APP_ORIGIN}/index.html#/neurons/3`)).toBe(true);
    for (const url of [
      'https://arxiv.org/abs/2012.14913',
      'file:///etc/passwd',
      'app://ffn-lab.evil.example/index.html',
      'app://evil/index.html',
      'app://user@ffn-lab/index.html',
      'http://127.0.0.1:5173/',
      'javascript:alert(1)',
      'data:text/html,hi',
      'not a url',
    ]) {
      expect(navigationAllowed(url), url).toBe(false);
    }
    expect(isAppUrl(APP_ORIGIN)).toBe(true);
  });
});

describe('external links', () => {
  it('opens https links to the listed hosts', () => {
    expect(externalLinkDecision('https://arxiv.org/abs/2012.14913')).toEqual({ open: true, url: 'https://arxiv.org/abs/2012.14913' });
    expect(externalLinkDecision('https://huggingface.co/openai-community/gpt2')).toEqual({ open: true, url: 'https://huggingface.co/openai-community/gpt2' });
    expect(externalLinkDecision('https://doi.org/10.18653/v1/2021.emnlp-main.446').open).toBe(true);
  });

  it('refuses the rest, saying which hosts are allowed and what was wrong', () => {
    const allowed = `FFN Lab opens only https links to ${EXTERNAL_HOSTS.join(', ')} in your browser`;
    expect(externalLinkDecision('https://evil.example/x')).toEqual({ open: false, reason: `${allowed}; this link goes to evil.example.` });
    expect(externalLinkDecision('https://arxiv.org.evil.example/')).toEqual({ open: false, reason: `${allowed}; this link goes to arxiv.org.evil.example.` });
    expect(externalLinkDecision('http://arxiv.org/abs/1')).toEqual({ open: false, reason: `${allowed}; this link uses http.` });
    expect(externalLinkDecision('file:///etc/passwd')).toEqual({ open: false, reason: `${allowed}; this link uses file.` });
    expect(externalLinkDecision('https://me:pw@arxiv.org/')).toEqual({ open: false, reason: `${allowed}; this link carries a user name or password.` });
    expect(externalLinkDecision('https://arxiv.org:8443/')).toEqual({ open: false, reason: `${allowed}; this link names port 8443.` });
    expect(externalLinkDecision('::nonsense')).toEqual({ open: false, reason: `${allowed}; this is not a valid address.` });
  });
});

describe('web permissions', () => {
  it('grants clipboard writes to the app pages and nothing else to anyone', () => {
    expect(permissionAllowed('clipboard-sanitized-write', `${APP_ORIGIN}/index.html`)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', APP_ORIGIN)).toBe(true);
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    for (const p of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb', 'unknown']) {
      expect(permissionAllowed(p, `${APP_ORIGIN}/index.html`), p).toBe(false);
    }
  });
});
