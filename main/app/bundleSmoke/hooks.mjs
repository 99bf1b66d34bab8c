// Node module hook: resolve 'electron' to the headless stand-in (fakeElectron.mjs).
export async function resolve(spec, ctx, next) {
  if (spec === 'electron') return { url: new URL('./fakeElectron.mjs', import.meta.url).href, shortCircuit: true };
  return next(spec, ctx);
}
