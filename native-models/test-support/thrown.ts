// Test support: the error a call throws, for tests that check error types and messages.

/** The `type` error that `f` throws; anything else thrown, or no throw at all, fails the test. */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected ${type.name} to be thrown, but nothing was`);
}
