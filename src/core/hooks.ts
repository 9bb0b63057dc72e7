/**
 * A typed registry of hook handlers. Several handlers may share a hook; they
 * run in registration order and the last defined return value wins, so a
 * logging hook registered first cannot swallow the answer of a later one.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HookMap = Record<string, (...args: any[]) => unknown>;

export class Hooks<M extends HookMap> {
  private readonly handlers = new Map<keyof M, Array<M[keyof M]>>();

  /** Registers a handler; the returned function removes it again. */
  on<K extends keyof M>(name: K, handler: M[K]): () => void {
    if (typeof handler !== 'function') {
      throw new TypeError(`switchboard: the handler for ${String(name)} must be a function, got ${typeof handler}`);
    }
    const list = this.handlers.get(name) ?? [];
    list.push(handler);
    this.handlers.set(name, list);
    return () => {
      const current = this.handlers.get(name);
      if (!current) return;
      const i = current.indexOf(handler);
      if (i >= 0) current.splice(i, 1);
    };
  }

  has(name: keyof M): boolean {
    return (this.handlers.get(name)?.length ?? 0) > 0;
  }

  /** Whether any handler is registered at all. */
  any(): boolean {
    for (const list of this.handlers.values()) if (list.length > 0) return true;
    return false;
  }

  async run<K extends keyof M>(name: K, ...args: Parameters<M[K]>): Promise<Awaited<ReturnType<M[K]>> | undefined> {
    const list = this.handlers.get(name);
    if (!list || list.length === 0) return undefined;
    if (list.length === 1) return (await list[0]!(...args)) as Awaited<ReturnType<M[K]>>;
    let result: Awaited<ReturnType<M[K]>> | undefined;
    // A copy, so a handler that (un)subscribes while we run changes the next event, not this one.
    for (const handler of [...list]) {
      const value = (await handler(...args)) as Awaited<ReturnType<M[K]>>;
      if (value !== undefined) result = value;
    }
    return result;
  }
}

/** `onX(handler)` methods for every hook name, each returning an unsubscribe function. */
export type HookMethods<M extends HookMap> = { readonly [K in keyof M]: (handler: M[K]) => () => void };

export function hookMethods<M extends HookMap>(hooks: Hooks<M>, names: readonly (keyof M & string)[]): HookMethods<M> {
  const methods: Partial<Record<keyof M, (handler: M[keyof M]) => () => void>> = {};
  for (const name of names) methods[name] = (handler) => hooks.on(name, handler);
  return methods as HookMethods<M>;
}
