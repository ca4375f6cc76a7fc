import { useCallback, useState } from 'react';
import { useJobsDrawer } from '../jobs/JobsDrawerState';
import { ShortcutsOverlay } from './ShortcutsOverlay';
import { useKeyboard } from './useKeyboard';

/** The plain-key shortcuts of the whole app, and the `?` overlay that lists them. */
export function KeyboardLayer() {
  const drawer = useJobsDrawer();
  const [showing, setShowing] = useState(false);
  const hide = useCallback(() => setShowing(false), []);
  useKeyboard({ showShortcuts: () => setShowing(true), toggleJobs: drawer.toggle });
  return showing ? <ShortcutsOverlay onClose={hide} /> : null;
}
