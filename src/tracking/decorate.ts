/**
 * One factory for wrappers that also work as method decorators: a plain function
 * (`timer("load")(fn)`), a standard TC39 method decorator (`@timer("load") load() {}`,
 * what the compiled binary and TypeScript 5+ use) and a legacy `experimentalDecorators`
 * one (`(prototype, key, descriptor)`).
 */

// biome-ignore lint: the wrapped function's own signature is kept by the generic.
export type AnyFn = (...args: any[]) => any;

/** A wrapper factory's result: call it on a function, or use it as a method decorator. */
export interface Wrapper {
  <F extends AnyFn>(fn: F): F;
  <F extends AnyFn>(fn: F, context: ClassMethodDecoratorContext): F;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/**
 * Builds a dual-use wrapper from `wrap(fn, name)`. The name is `explicitName`, else the
 * method's or function's name, else "anonymous".
 */
export function dualUse(explicitName: string | undefined, wrap: (fn: AnyFn, name: string) => AnyFn): Wrapper {
  return function decorate(target: unknown, context?: unknown, descriptor?: PropertyDescriptor): any {
    if (context !== null && typeof context === "object" && "kind" in context) {
      const ctx = context as ClassMethodDecoratorContext;
      if (ctx.kind !== "method" || typeof target !== "function") {
        throw new TypeError(`scryptorum wrappers decorate methods, not a ${ctx.kind} (${String(ctx.name)})`);
      }
      return wrap(target as AnyFn, explicitName ?? String(ctx.name));
    }
    if (descriptor !== undefined && typeof descriptor === "object") {
      // jiti's emitted-metadata decorators hand the prototype on in place of the descriptor
      // (`Reflect.metadata?.(…) || ((t) => t)`): the method is still on the prototype.
      if (descriptor === target && typeof context !== "object") descriptor = Object.getOwnPropertyDescriptor(target, context as string | symbol) ?? descriptor;
      if (typeof descriptor.value !== "function") {
        throw new TypeError(`scryptorum wrappers decorate methods, not ${String(context)}`);
      }
      descriptor.value = wrap(descriptor.value, explicitName ?? String(context));
      return descriptor;
    }
    if (typeof target === "function") return wrap(target as AnyFn, explicitName ?? (target.name || "anonymous"));
    throw new TypeError(`expected a function to wrap, got ${target === null ? "null" : typeof target}`);
  } as Wrapper;
}

/** Gives a wrapper the wrapped function's name and length, so stack traces and logs read well. */
export function keepIdentity<F extends AnyFn>(wrapped: F, fn: AnyFn): F {
  Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
  Object.defineProperty(wrapped, "length", { value: fn.length, configurable: true });
  return wrapped;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}
