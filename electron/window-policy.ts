// What the Electron window may do, as pure decisions main.ts applies: where it may navigate (only
// the app's own pages), which links open in the user's browser (https to a short list of hosts),
// and which web permissions the page gets (only writing to the clipboard, for the Copy buttons).
// No Electron import here, so the policy is unit-tested without a window.

export const APP_SCHEME = 'app';
export const APP_HOST = 'ffn-lab';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * Hosts a link in the app may open in the user's browser. The app shows no external link today;
 * these are where its references would point: papers (arxiv.org, doi.org) and models on the
 * Hugging Face hub. Anything else is refused, so a checkpoint's or corpus's text rendered as a
 * link cannot send the user to an arbitrary site.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['arxiv.org', 'doi.org', 'huggingface.co'];

/** Web permissions the page may have: the Copy buttons use navigator.clipboard.writeText. */
export const GRANTED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A page of the app itself (app://ffn-lab/...). */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/** Navigation (will-navigate, will-frame-navigate, will-redirect) stays on the app's pages. */
export function navigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

export type ExternalLinkDecision = { open: true; url: string } | { open: false; reason: string };

/** Whether a window.open / target=_blank link goes to the user's browser, and why not when it does not. */
export function externalLinkDecision(url: string): ExternalLinkDecision {
  const u = parse(url);
  const allowed = `FFN Lab opens only https links to ${EXTERNAL_HOSTS.join(', ')} in your browser`;
  if (!u) return { open: false, reason: `${allowed}; this is not a valid address.` };
  if (u.protocol !== 'https:') return { open: false, reason: `${allowed}; this link uses ${u.protocol.replace(/:$/, '')}.` };
  if (u.username || u.password) return { open: false, reason: `${allowed}; this link carries a user name or password.` };
  if (u.port !== '') return { open: false, reason: `${allowed}; this link names port ${u.port}.` };
  if (!EXTERNAL_HOSTS.includes(u.hostname)) return { open: false, reason: `${allowed}; this link goes to ${u.hostname}.` };
  return { open: true, url: u.href };
}

/**
 * Whether a page may use a web permission (camera, notifications, geolocation, ...): only the
 * granted ones, and only for the app's own pages.
 */
export function permissionAllowed(permission: string, requestingUrl: string): boolean {
  return GRANTED_PERMISSIONS.includes(permission) && isAppUrl(requestingUrl);
}
