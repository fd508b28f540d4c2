/**
 * A typed Proxy over an SDK client that hooks a few methods by path
 * (`chat.completions.create`) and leaves the client itself untouched. Nested resources
 * get their own proxies; their other methods run with the proxy as `this`, and their
 * `_client` is the wrapped client, so an SDK helper built on a hooked method (`parse`,
 * `stream`, `runTools`) goes through the hook too. The client's own methods run on the
 * real client, whose private fields a Proxy could not reach.
 */

/** Replaces one SDK method: gets the original, the object it belongs to and the arguments. */
export type Hook = (original: (...args: unknown[]) => unknown, self: object, args: unknown[]) => unknown;

interface Node {
  hook?: Hook;
  children: Map<PropertyKey, Node>;
}

const WRAPPED = Symbol.for("scryptorum.wrappedClient");

/**
 * Wraps `client` so the methods at the given paths go through their hooks.
 *
 * @example
 * wrapClient(openai, { "chat.completions.create": (create, self, args) => create.apply(self, args) });
 */
export function wrapClient<T extends object>(client: T, hooks: Record<string, Hook>): T {
  if ((client as Record<symbol, unknown>)[WRAPPED]) return client;
  const tree: Node = { children: new Map() };
  for (const [path, hook] of Object.entries(hooks)) {
    let node = tree;
    for (const part of path.split(".")) {
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = { children: new Map() }));
      node = next;
    }
    node.hook = hook;
  }
  let root: T;
  const proxies = new WeakMap<object, object>();

  const wrap = (target: object, node: Node, isRoot: boolean): object => {
    const known = proxies.get(target);
    if (known) return known;
    const methods = new Map<PropertyKey, { value: unknown; fn: unknown }>();
    const proxy = new Proxy(target, {
      get(t, prop) {
        if (prop === WRAPPED) return true;
        if (!isRoot && prop === "_client") return root;
        const value = Reflect.get(t, prop, t);
        const child = node.children.get(prop);
        if (child?.hook && typeof value === "function") {
          return memo(methods, prop, value, () => {
            const hook = child.hook!;
            return function (this: unknown, ...args: unknown[]) {
              return hook(value as (...a: unknown[]) => unknown, t, args);
            };
          });
        }
        if (child && value !== null && typeof value === "object") return wrap(value, child, false);
        if (typeof value === "function" && isRoot) return memo(methods, prop, value, () => (value as Function).bind(t));
        return value;
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };
  root = wrap(client, tree, true) as T;
  return root;
}

function memo(cache: Map<PropertyKey, { value: unknown; fn: unknown }>, prop: PropertyKey, value: unknown, make: () => unknown): unknown {
  const hit = cache.get(prop);
  if (hit && hit.value === value) return hit.fn;
  const fn = make();
  cache.set(prop, { value, fn });
  return fn;
}
