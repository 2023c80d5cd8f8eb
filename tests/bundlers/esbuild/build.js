// esbuild bundles the app but leaves `new URL('./processor.js', import.meta.url)` as it is (it has
// no asset handling for that form), so the URL resolves beside the bundle: copy the two files the
// package exports for this there.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

rmSync('dist', { recursive: true, force: true });
await build({ entryPoints: ['app.js'], bundle: true, format: 'esm', minify: true, outfile: 'dist/app.js', logLevel: 'warning' });
for (const file of ['processor.js', 'earshot_mixer_bg.wasm']) {
  copyFileSync(fileURLToPath(import.meta.resolve(`earshot-mixer/${file}`)), `dist/${file}`);
}
