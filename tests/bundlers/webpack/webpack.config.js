// A stock webpack 5 production build: webpack understands `new URL(…, import.meta.url)` itself and
// emits processor.js and the wasm as assets.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './app.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), filename: 'app.js', clean: true },
};
