/**
 * Content-Security-Policy of the desktop window. No remote content, no inline scripts, no eval
 * (WebAssembly compilation is allowed: cornerstone's image codecs are wasm), workers from the
 * app bundle or blobs (cornerstone spawns some from blobs).
 */
export function electronCsp(opts: { devServer?: string } = {}): string {
  const dev = opts.devServer ? ` ${opts.devServer} ${opts.devServer.replace(/^http/, 'ws')}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${opts.devServer ? ` ${opts.devServer}` : ''}`,
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
