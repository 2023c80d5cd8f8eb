// Rollup 4 resolves the package with plugin-node-resolve; Rollup itself leaves `new URL(…,
// import.meta.url)` alone, so @web/rollup-plugin-import-meta-assets emits processor.js and the wasm.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { importMetaAssets } from '@web/rollup-plugin-import-meta-assets';

export default {
  input: 'app.js',
  output: { dir: 'dist', format: 'es', entryFileNames: 'app.js' },
  plugins: [nodeResolve({ browser: true }), importMetaAssets()],
};
