/**
 * Sets `target[key]` as an own, enumerable data property, even for a key named
 * `__proto__`: plain assignment of that key would change the prototype (or,
 * for a non-object value, do nothing) instead of keeping it as data.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
