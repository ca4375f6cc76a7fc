// Sessions for graph tests: one thread each (tests run side by side), all released after the file.
import { afterAll } from 'vitest';
import { FfnSession } from '../../runtime/session.js';

/** A `session(...)` for one test file: FfnSession.create with threads 1, released in afterAll. */
export function testSessions(): (...args: Parameters<typeof FfnSession.create>) => Promise<FfnSession> {
  const sessions: FfnSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.release();
  });
  return async (...args) => {
    const s = await FfnSession.create(args[0], args[1], { threads: 1, ...args[2] });
    sessions.push(s);
    return s;
  };
}
